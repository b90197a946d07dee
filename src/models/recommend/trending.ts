import {
  type Artifact,
  checkAbort,
  type Estimator,
  type Fitted,
  resolveParams,
  type TrainingData,
  type UserInput,
} from './contract.js';

/** Hyperparameters of {@link trending}. */
export interface TrendingParams {
  /** An interaction counts half as much every this many days before the end of the period. */
  halfLifeDays: number;
  /** Interactions older than this many days are ignored. */
  windowDays: number;
}

const DEFAULTS: TrendingParams = { halfLifeDays: 7, windowDays: 30 };
const DAY = 86_400_000;

/**
 * What is popular now: interaction strengths decayed by age from the end of the training period
 * (`data.now`) with a half-life, within a window. The same list for every user, new or not.
 * Needs `data.lastSeen` (the time of each interaction).
 */
export function trending(params: Partial<TrendingParams> = {}): Estimator<TrendingParams> {
  const p = resolveParams('trending', DEFAULTS, params);
  if (!(p.halfLifeDays > 0) || !(p.windowDays > 0))
    throw new Error('trending: halfLifeDays and windowDays must be positive');
  return {
    name: 'trending',
    kind: 'implicit',
    params: p,
    async fit(data: TrainingData, options = {}) {
      checkAbort(options.signal);
      const x = data.interactions;
      if (!data.lastSeen) throw new Error('trending: needs the time of each interaction (data.lastSeen)');
      let now = data.now ?? Number.NEGATIVE_INFINITY;
      if (!Number.isFinite(now)) for (const t of data.lastSeen) now = Math.max(now, t);
      const scores = new Float32Array(x.cols);
      for (let q = 0; q < x.indices.length; q++) {
        const age = Math.max(0, now - data.lastSeen[q]!) / DAY;
        if (age > p.windowDays) continue;
        scores[x.indices[q]!]! += x.values[q]! * 2 ** (-age / p.halfLifeDays);
      }
      return new FixedList('trending', p, scores);
    },
  };
}

/**
 * The newest items of the catalog first (by `createdAt`), so new arrivals can be shown before
 * anyone has interacted with them. Items without a creation time are never recommended.
 */
export function latest(): Estimator<Record<string, never>> {
  const p = Object.freeze({});
  return {
    name: 'latest',
    kind: 'implicit',
    params: p,
    async fit(data: TrainingData, options = {}) {
      checkAbort(options.signal);
      const n = data.interactions.cols;
      const scores = new Float32Array(n).fill(Number.NEGATIVE_INFINITY);
      let newest = Number.NEGATIVE_INFINITY;
      for (const item of data.items ?? [])
        if (item.createdAt !== undefined) newest = Math.max(newest, item.createdAt);
      // Days before the newest item: float32 keeps that exact enough to order items.
      data.items?.forEach((item, i) => {
        if (item.createdAt !== undefined && i < n) scores[i] = -(newest - item.createdAt) / DAY;
      });
      return new FixedList('latest', p, scores);
    },
  };
}

/** A model that gives every user the same scores. */
class FixedList implements Fitted {
  readonly items: number;

  constructor(
    readonly name: string,
    readonly params: Readonly<Record<string, unknown>>,
    private readonly scores: Float32Array,
  ) {
    this.items = scores.length;
  }

  score(_user: UserInput, out: Float32Array): void {
    out.set(this.scores);
  }

  toArtifact(): Artifact {
    return { name: this.name, params: { ...this.params }, meta: {}, arrays: { scores: this.scores } };
  }
}

/** Rebuilds a trending or latest model from its artifact. */
export function loadFixedList(a: Artifact): Fitted {
  return new FixedList(a.name, a.params, a.arrays.scores as Float32Array);
}
