import type { Artifact } from '../recommend/contract.js';
import type { FittedSession, SessionEstimator } from './contract.js';
import { loadMarkov, markov } from './markov.js';
import { loadPopular, popular } from './popularity.js';
import { loadSequentialRules, sequentialRules } from './sequential-rules.js';
import { loadSknn, sknn } from './sknn.js';
import { loadVsknn, vsknn } from './v-sknn.js';

/** How jobs, benchmarks and the artifact store find a session model by its id. */
export interface SessionModelEntry {
  /** Builds the estimator; unknown or ill-typed parameters throw a message naming them. */
  create(params?: Record<string, unknown>): SessionEstimator;
  load(artifact: Artifact): FittedSession;
  summary: string;
}

/** Every session model, by the lower-case id used on the command line. */
export const SESSION_MODELS: Readonly<Record<string, SessionModelEntry>> = {
  popular: {
    create: (p) => popular(p as Record<string, never>),
    load: loadPopular,
    summary: 'most viewed items, whatever the session',
  },
  markov: {
    create: (p) => markov(p as Record<string, never>),
    load: loadMarkov,
    summary: 'first-order Markov chain from the last item viewed',
  },
  sr: {
    create: (p) => sequentialRules(p),
    load: loadSequentialRules,
    summary: 'sequential rules: items following the last one within a few views, distance-weighted',
  },
  sknn: {
    create: (p) => sknn(p),
    load: loadSknn,
    summary: 'session kNN: cosine between item sets of the session and recent past sessions',
  },
  vsknn: {
    create: (p) => vsknn(p),
    load: loadVsknn,
    summary: 'V-SKNN: session kNN with recent views weighing more',
  },
};

/** The estimator of a session model id; throws naming the known ids. */
export function createSessionModel(id: string, params?: Record<string, unknown>): SessionEstimator {
  const entry = SESSION_MODELS[id];
  if (!entry)
    throw new Error(`unknown session model "${id}" (known: ${Object.keys(SESSION_MODELS).join(', ')})`);
  return entry.create(params);
}

/** Rebuilds any session model from its artifact, by the name it carries. */
export function loadSessionModel(artifact: Artifact): FittedSession {
  const entry = SESSION_MODELS[artifact.name];
  if (!entry) throw new Error(`unknown session model "${artifact.name}" in artifact`);
  return entry.load(artifact);
}
