import type { Csr } from '../core/csr.js';
import { readEventLog } from '../features/interactions.js';
import { SessionBuilder } from '../features/sessions.js';
import type { Artifact } from '../models/recommend/contract.js';
import { createRecommender } from '../models/recommend/registry.js';
import type { Store } from '../store/store.js';
import { readCatalog, toText } from './evaluation.js';
import type { ModelVersions } from './model-versions.js';
import type { Surfaces } from './surfaces.js';
import { trainInWorker } from './train-job.js';
import type { TrainingSettings } from './training-settings.js';

/**
 * The training pipeline behind `cartwise train` and the server's schedule: store -> events ->
 * (in a worker thread) matrices, every configured model judged on a time holdout and then fitted
 * on everything -> one versioned bundle on disk, made current atomically. This thread only reads
 * the store and writes files, so a server keeps answering while a run goes on.
 */

/** One fitted model in a bundle. */
export interface BundleModel {
  id: string;
  params: Record<string, unknown>;
  file: string;
  fitSeconds: number;
  /** Holdout metrics (ndcg@10, recall@20, ...), null when the holdout was skipped or empty. */
  holdout: Record<string, number> | null;
}

/** What a bundle holds and which model serves which surface. */
export interface BundleManifest {
  version: string;
  createdAt: string;
  /** The latest event the bundle learned from, ms. */
  cutoff: number;
  data: { users: number; items: number; interactions: number; events: number };
  weights: Record<string, number>;
  halfLifeDays: number | null;
  /** Event names behind the bits of `tracked.bin`. */
  track: string[];
  holdout: { protocol: string; users: number } | null;
  models: BundleModel[];
  surfaces: Surfaces;
  /** Precomputed top lists (candidates-users.bin, candidates-items.bin): entries per row and their models (null: none). */
  candidates: { size: number; users: string | null; items: string | null } | null;
  /** Association rules mined from this many orders (null: not mined). */
  rules: { orders: number; rules: number } | null;
  /** The session model and the sessions it indexed (null: none). */
  session: { model: string; sessions: number } | null;
}

/** Progress of a training run: a message and, when known, the share done. */
export type TrainingProgress = (message: string, fraction?: number) => void;

/** The models "auto" fits: cheap ones always; EASE only where its dense items² matrix is affordable. */
export function autoModels(
  items: number,
  interactions: number,
): { id: string; params: Record<string, unknown> }[] {
  const ids = ['popularity', 'trending', 'latest', 'itemknn', 'content'];
  if (interactions >= 1000) ids.push('ials');
  if (items <= 5000) ids.push('ease');
  return ids.map((id) => ({ id, params: {} }));
}

/** Runs the pipeline once and returns the manifest of the version it made current. */
export async function trainBundle(
  store: Store,
  versions: ModelVersions,
  settings: TrainingSettings,
  options: { onProgress?: TrainingProgress; signal?: AbortSignal; clock?: () => number } = {},
): Promise<BundleManifest> {
  const say = options.onProgress ?? (() => {});
  const now = (options.clock ?? Date.now)();
  say('reading the catalog');
  const catalog = await readCatalog(store);
  say('reading events');
  const track = [...new Set([...Object.keys(settings.weights), 'Order Completed', 'Product Removed'])].slice(
    0,
    24,
  );
  // One pass over the events: the event log for the recommenders, sessions (which always include
  // anonymous shoppers) for the session model.
  const sessionBuilder = settings.session
    ? new SessionBuilder({ gapMinutes: settings.session.gapMinutes })
    : null;
  const { users, items, log, read, latest, flags } = await readEventLog(store.scanInteractions(), {
    weights: settings.weights,
    catalog: catalog.map((c) => c.id),
    track,
    keep: settings.includeAnonymous ? undefined : (user) => !user.startsWith('anon:'),
    tap: sessionBuilder ? (b) => sessionBuilder.add(b) : undefined,
  });
  if (log.length === 0 && catalog.length === 0)
    throw new Error('nothing to train on: the store has no product events and no catalog items');
  const byId = new Map(catalog.map((c) => [c.id, c]));
  let interactionCount = 0;
  for (let k = 0; k < log.length; k++) if (log.weight[k]! > 0) interactionCount++;
  const chosen = settings.models === 'auto' ? autoModels(items.size, interactionCount) : settings.models;
  // The run's seed reaches every model that draws random numbers, unless its params name one.
  const models = chosen.map(({ id, params }) =>
    'seed' in createRecommender(id).params && !('seed' in params)
      ? { id, params: { ...params, seed: settings.seed } }
      : { id, params },
  );
  for (const surface of ['personalized', 'similar'] as const) {
    const id = settings[surface];
    if (id !== 'auto' && !models.some((m) => m.id === id))
      throw new Error(`training.${surface}: "${id}" is not among the fitted models`);
  }
  const sessions = sessionBuilder?.build() ?? null;
  const output = await trainInWorker(
    {
      log,
      flags,
      items: items.list().map((id) => toText(byId.get(id))),
      models,
      halfLife: settings.halfLifeDays ? settings.halfLifeDays * 86_400_000 : null,
      holdoutFraction: settings.holdout?.fraction ?? null,
      ks: [10, 20],
      threads: settings.threads,
      surfaces: { personalized: settings.personalized, similar: settings.similar },
      candidates: settings.candidates,
      rules: settings.rules ? { ...settings.rules, orderBit: 1 << track.indexOf('Order Completed') } : null,
      sessions:
        sessions && settings.session
          ? { log: sessions.sessions, model: settings.session.model, params: settings.session.params }
          : null,
    },
    { signal: options.signal, onProgress: say },
  );

  const artifacts: Record<string, Artifact> = {};
  const fitted: BundleModel[] = output.models.map((m) => {
    const file = `${m.id}.bin`;
    artifacts[file] = m.artifact;
    return {
      id: m.id,
      params: { ...m.artifact.params },
      file,
      fitSeconds: m.fitSeconds,
      holdout: m.evaluation
        ? Object.fromEntries(Object.entries(m.evaluation.metrics).map(([k, v]) => [k, v.mean]))
        : null,
    };
  });
  const version = versionName(now, versions.list());
  const manifest: BundleManifest = {
    version,
    createdAt: new Date(now).toISOString(),
    cutoff: latest,
    data: {
      users: users.size,
      items: items.size,
      interactions: output.interactions.indices.length,
      events: read,
    },
    weights: { ...settings.weights },
    halfLifeDays: settings.halfLifeDays,
    track,
    holdout: output.holdout,
    models: fitted,
    surfaces: output.surfaces,
    candidates: output.candidates
      ? {
          size: settings.candidates,
          users: output.candidates.users ? output.surfaces.personalized : null,
          items: output.candidates.items ? output.surfaces.similar : null,
        }
      : null,
    rules: output.rules ? { orders: output.rules.orders, rules: output.rules.rules } : null,
    session:
      output.session && settings.session
        ? { model: settings.session.model, sessions: output.session.sessions }
        : null,
  };
  say(`writing version ${version}`, 1);
  versions.publish(version, {
    manifest,
    artifacts: {
      ...artifacts,
      'interactions.bin': csrArtifact('interactions', output.interactions),
      'tracked.bin': csrArtifact('tracked', output.tracked),
      ...(output.rules ? { 'rules.bin': output.rules.artifact } : {}),
      ...(output.session ? { 'session.bin': output.session.artifact } : {}),
      ...(output.candidates?.users ? { 'candidates-users.bin': output.candidates.users } : {}),
      ...(output.candidates?.items ? { 'candidates-items.bin': output.candidates.items } : {}),
    },
    json: {
      'users.json': users.list(),
      'items.json': items.list(),
      ...(sessions ? { 'session-items.json': sessions.items.list() } : {}),
    },
  });
  versions.prune(settings.keepVersions);
  return manifest;
}

function csrArtifact(name: string, m: Csr): Artifact {
  return {
    name,
    params: {},
    meta: { rows: m.rows, cols: m.cols },
    arrays: { indptr: m.indptr, indices: m.indices, values: m.values },
  };
}

/** `v20261122-173000`, with a suffix when that second is taken. */
function versionName(now: number, taken: readonly string[]): string {
  const base = `v${new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
  let name = base;
  for (let n = 2; taken.includes(name); n++) name = `${base}-${n}`;
  return name;
}
