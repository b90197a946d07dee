import { type Ranked, topK } from '../../core/topk.js';
import { type Artifact, resolveParams } from '../recommend/contract.js';
import {
  checkArtifact,
  checkSessionData,
  type FittedSession,
  knownItems,
  type SessionData,
  type SessionEstimator,
} from './contract.js';
import {
  buildSessionIndex,
  indexArrays,
  indexFromArrays,
  NeighborSearch,
  type SessionIndex,
} from './session-index.js';
import { ScoreBuffer } from './sparse-ranking.js';

/** Hyperparameters of {@link sknn}. */
export interface SknnParams {
  /** Neighbors whose items are scored. */
  k: number;
  /** Candidates: the most recent sessions sharing an item with the request (0: all of them). */
  sampleSize: number;
}

/** session-rec's ContextKNN documents k = 100 and sample_size = 500. */
const DEFAULTS: SknnParams = { k: 100, sampleSize: 500 };

/**
 * Session-based kNN (Jannach & Ludewig 2017): the current session and each past session are
 * binary item sets; the candidates are the `sampleSize` most recent past sessions sharing an item
 * with it; the `k` most similar by cosine, |a ∩ b| / sqrt(|a| |b|), are the neighbors; an item
 * scores the summed similarity of the neighbors holding it. Items of the current session are
 * scored like any other (callers exclude them if they wish).
 */
export function sknn(params: Partial<SknnParams> = {}): SessionEstimator<SknnParams> {
  const p = resolveParams('sknn', DEFAULTS, params);
  if (!(Number.isInteger(p.k) && p.k >= 1)) throw new Error('sknn: k must be a whole number >= 1');
  if (!(Number.isInteger(p.sampleSize) && p.sampleSize >= 0))
    throw new Error('sknn: sampleSize must be a whole number >= 0');
  return {
    name: 'sknn',
    params: p,
    fit(data: SessionData) {
      checkSessionData(data);
      return new SknnModel(p, buildSessionIndex(data));
    },
  };
}

class SknnModel implements FittedSession {
  readonly name = 'sknn';
  readonly items: number;
  private readonly search: NeighborSearch;
  private readonly scores: ScoreBuffer;

  constructor(
    readonly params: Readonly<SknnParams>,
    private readonly index: SessionIndex,
  ) {
    this.items = index.itemCount;
    this.search = new NeighborSearch(index);
    this.scores = new ScoreBuffer(index.itemCount);
  }

  recommend(session: ArrayLike<number>, k: number, exclude?: (item: number) => boolean): Ranked {
    const items = [...new Set(knownItems(session, this.items))];
    if (items.length === 0 || k <= 0) return { items: new Uint32Array(0), scores: new Float32Array(0) };
    const ones = new Float64Array(items.length).fill(1);
    const found = this.search.candidates(items, ones, ones, this.params.sampleSize);
    const sims = new Float64Array(found.sessions.length);
    for (let c = 0; c < sims.length; c++) {
      sims[c] = found.shared[c]! / Math.sqrt(items.length * this.search.size(found.sessions[c]!));
    }
    // Candidates come most recent first, so equally similar neighbors go to the more recent.
    const neighbors = topK(sims, this.params.k);
    const { sessionPtr, sessionItems } = this.index;
    for (let n = 0; n < neighbors.items.length; n++) {
      const r = found.sessions[neighbors.items[n]!]!;
      const sim = sims[neighbors.items[n]!]!;
      for (let q = sessionPtr[r]!; q < sessionPtr[r + 1]!; q++) this.scores.add(sessionItems[q]!, sim);
    }
    return this.scores.take(k, exclude);
  }

  toArtifact(): Artifact {
    return {
      name: this.name,
      params: { ...this.params },
      meta: { items: this.items, sessions: this.search.sessions },
      arrays: indexArrays(this.index),
    };
  }
}

/** Rebuilds an SKNN model from its artifact. */
export function loadSknn(artifact: Artifact): FittedSession {
  checkArtifact(artifact, 'sknn');
  const params = resolveParams('sknn', DEFAULTS, artifact.params as Partial<SknnParams>);
  return new SknnModel(params, indexFromArrays(artifact.arrays, Number(artifact.meta.items)));
}
