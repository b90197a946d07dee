import { type Ranked, topK } from '../../core/topk.js';
import { type Artifact, resolveParams } from '../recommend/contract.js';
import {
  checkArtifact,
  checkSessionData,
  type FittedSession,
  knownItems,
  type SessionData,
  type SessionEstimator,
  sessionCount,
} from './contract.js';
import {
  buildSessionIndex,
  indexArrays,
  indexFromArrays,
  NeighborSearch,
  type SessionIndex,
} from './session-index.js';
import { ScoreBuffer } from './sparse-ranking.js';

/** Weight of position i (1 = first) of a session of length n; later views weigh more. */
const POSITION = {
  /** i / n: session-rec's `div`, the linear decay of the paper. */
  linear: (i: number, n: number) => i / n,
  log: (i: number, n: number) => 1 / Math.log10(n - i + 1.7),
  quadratic: (i: number, n: number) => (i / n) ** 2,
  same: () => 1,
} as const;

/** Factor of a neighbor's scores when its most recent shared item is `step` views back (1 = the last). */
const STEP = {
  div: (step: number) => 1 / step,
  log: (step: number) => 1 / Math.log10(step + 1.7),
  quadratic: (step: number) => 1 / (step * step),
  same: () => 1,
} as const;

/** Hyperparameters of {@link vsknn}. */
export interface VsknnParams {
  /** Neighbors whose items are scored. */
  k: number;
  /** Candidates: the most recent sessions sharing an item with the request (0: all of them). */
  sampleSize: number;
  /** Position decay of the current session's items in the similarity. */
  weighting: keyof typeof POSITION;
  /** Decay of a neighbor's contribution by how far back its most recent shared item lies. */
  scoreWeighting: keyof typeof STEP;
  /** Scores an item `sim * (1 + idf * idfWeighting)`, favoring rare items (0: off). */
  idfWeighting: number;
  /** Weighs the current session's items by their IDF instead of their position. */
  idfSession: boolean;
}

/**
 * session-rec's `vsknn.py` (VMContextKNN): sample_size=1000, sampling='recent', weighting='div',
 * weighting_score='div', idf_weighting=False, idf_weighting_session=False; k (no default there)
 * is documented as 100.
 */
const DEFAULTS: VsknnParams = {
  k: 100,
  sampleSize: 1000,
  weighting: 'linear',
  scoreWeighting: 'div',
  idfWeighting: 0,
  idfSession: false,
};

/**
 * V-SKNN (Ludewig & Jannach 2018), following session-rec's `vsknn.py`: the current session is a
 * vector whose item at position i of n weighs `weighting(i, n)` (its last occurrence counts); a
 * candidate's similarity is the sum of the weights of the items it shares, divided by the number
 * of distinct items of the current session; each of the `k` most similar neighbors adds
 * `sim * scoreWeighting(step)` (times `1 + idf * idfWeighting`) to each of its items, where `step`
 * is how many views back the most recent item it shares lies. IDF is ln(sessions / views of the
 * item) over the training data, as session-rec computes it. Unlike session-rec, a request's item
 * unknown to the model is dropped before positions are counted.
 */
export function vsknn(params: Partial<VsknnParams> = {}): SessionEstimator<VsknnParams> {
  const p = resolveParams('vsknn', DEFAULTS, params);
  if (!(Number.isInteger(p.k) && p.k >= 1)) throw new Error('vsknn: k must be a whole number >= 1');
  if (!(Number.isInteger(p.sampleSize) && p.sampleSize >= 0))
    throw new Error('vsknn: sampleSize must be a whole number >= 0');
  if (!Object.hasOwn(POSITION, p.weighting))
    throw new Error(`vsknn: weighting must be one of ${Object.keys(POSITION).join(', ')}`);
  if (!Object.hasOwn(STEP, p.scoreWeighting))
    throw new Error(`vsknn: scoreWeighting must be one of ${Object.keys(STEP).join(', ')}`);
  if (!(p.idfWeighting >= 0)) throw new Error('vsknn: idfWeighting must be >= 0');
  return {
    name: 'vsknn',
    params: p,
    fit(data: SessionData) {
      checkSessionData(data);
      const views = new Float64Array(data.itemCount);
      for (const item of data.items) views[item]!++;
      const sessions = sessionCount(data);
      const idf = views.map((v) => (v > 0 ? Math.log(sessions / v) : 0));
      return new VsknnModel(p, buildSessionIndex(data), idf);
    },
  };
}

class VsknnModel implements FittedSession {
  readonly name = 'vsknn';
  readonly items: number;
  private readonly search: NeighborSearch;
  private readonly scores: ScoreBuffer;

  constructor(
    readonly params: Readonly<VsknnParams>,
    private readonly index: SessionIndex,
    private readonly idf: Float64Array,
  ) {
    this.items = index.itemCount;
    this.search = new NeighborSearch(index);
    this.scores = new ScoreBuffer(index.itemCount);
  }

  recommend(session: ArrayLike<number>, k: number, exclude?: (item: number) => boolean): Ranked {
    const seq = knownItems(session, this.items);
    const n = seq.length;
    if (n === 0 || k <= 0) return { items: new Uint32Array(0), scores: new Float32Array(0) };
    const { weighting, scoreWeighting, idfSession, idfWeighting, sampleSize } = this.params;
    const slot = new Map<number, number>();
    const distinct: number[] = [];
    const weights: number[] = [];
    const positions: number[] = [];
    for (let i = 1; i <= n; i++) {
      const item = seq[i - 1]!;
      let j = slot.get(item);
      if (j === undefined) {
        j = distinct.length;
        slot.set(item, j);
        distinct.push(item);
      }
      weights[j] = idfSession ? this.idf[item]! : POSITION[weighting](i, n);
      positions[j] = i;
    }
    const found = this.search.candidates(distinct, weights, positions, sampleSize);
    const sims = new Float64Array(found.sessions.length);
    for (let c = 0; c < sims.length; c++) {
      const sim = found.shared[c]! / distinct.length;
      sims[c] = sim > 0 ? sim : -Infinity;
    }
    // Candidates come most recent first, so equally similar neighbors go to the more recent.
    const neighbors = topK(sims, this.params.k);
    const { sessionPtr, sessionItems } = this.index;
    for (let m = 0; m < neighbors.items.length; m++) {
      const c = neighbors.items[m]!;
      const r = found.sessions[c]!;
      const base = sims[c]! * STEP[scoreWeighting](n - found.latest[c]! + 1);
      for (let q = sessionPtr[r]!; q < sessionPtr[r + 1]!; q++) {
        const item = sessionItems[q]!;
        this.scores.add(item, idfWeighting > 0 ? base * (1 + this.idf[item]! * idfWeighting) : base);
      }
    }
    return this.scores.take(k, exclude);
  }

  toArtifact(): Artifact {
    return {
      name: this.name,
      params: { ...this.params },
      meta: { items: this.items, sessions: this.search.sessions },
      arrays: { ...indexArrays(this.index), idf: this.idf },
    };
  }
}

/** Rebuilds a V-SKNN model from its artifact. */
export function loadVsknn(artifact: Artifact): FittedSession {
  checkArtifact(artifact, 'vsknn');
  const params = resolveParams('vsknn', DEFAULTS, artifact.params as Partial<VsknnParams>);
  const items = Number(artifact.meta.items);
  const idf = artifact.arrays.idf;
  if (!(idf instanceof Float64Array) || idf.length !== items) throw new Error('vsknn: artifact lacks idf');
  return new VsknnModel(params, indexFromArrays(artifact.arrays, items), idf);
}
