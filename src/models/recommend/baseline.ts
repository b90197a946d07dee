import { type Csr, type SparseRow, transpose } from '../../core/csr.js';
import {
  type Artifact,
  checkAbort,
  type Estimator,
  type FitOptions,
  type Fitted,
  resolveParams,
  type TrainingData,
  type UserInput,
} from './contract.js';

/**
 * Surprise's BaselineOnly with `bsl_options = {method: 'als'}`: r̂ = μ + b_u + b_i, the biases
 * fitted by alternating closed-form ridge updates (items first, then users, `nEpochs` times).
 * Also home of what every explicit-rating model shares: the ratings' summary statistics and the
 * ALS biases that KNNBaseline reuses.
 */

/** Hyperparameters of {@link baseline} (Surprise's `bsl_options` names: n_epochs, reg_u, reg_i). */
export interface BaselineParams {
  /** Alternations of the item and user updates. */
  nEpochs: number;
  /** Ridge on the user biases (Surprise's reg_u). */
  regU: number;
  /** Ridge on the item biases (Surprise's reg_i). */
  regI: number;
}

const DEFAULTS: BaselineParams = { nEpochs: 10, regU: 15, regI: 10 };

/** What every rating model keeps about its training ratings, so predictions can fall back and clip. */
export interface RatingStats {
  /** Mean of all training ratings (Surprise's trainset.global_mean). */
  mean: number;
  /** Lowest and highest rating seen: predictions are clipped to [min, max]. */
  min: number;
  max: number;
  /** Training ratings per user and per item; 0 means unknown to the model, as in Surprise. */
  userCounts: Uint32Array;
  itemCounts: Uint32Array;
}

/** The explicit ratings a rating model learns from, or a clear error when the caller only has implicit data. */
export function requireRatings(model: string, data: TrainingData): Csr {
  const r = data.ratings;
  if (!r) throw new Error(`${model}: needs explicit ratings (data.ratings)`);
  if (r.indices.length === 0) throw new Error(`${model}: data.ratings holds no ratings`);
  return r;
}

/** Mean, scale and supports of a ratings matrix: the fallbacks and bounds every rating model needs. */
export function ratingStats(r: Csr): RatingStats {
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const itemCounts = new Uint32Array(r.cols);
  for (let k = 0; k < r.values.length; k++) {
    const v = r.values[k]!;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    itemCounts[r.indices[k]!]!++;
  }
  const userCounts = new Uint32Array(r.rows);
  for (let u = 0; u < r.rows; u++) userCounts[u] = r.indptr[u + 1]! - r.indptr[u]!;
  return { mean: sum / r.values.length, min, max, userCounts, itemCounts };
}

/**
 * The boundary between two epochs: reports progress, lets pending events run (so an abort sent
 * while fitting is seen), then stops if the fit was cancelled.
 */
export async function endEpoch(
  options: FitOptions,
  done: number,
  total: number,
  model: string,
): Promise<void> {
  options.onProgress?.({ fraction: done / total, message: `${model} epoch ${done}/${total}` });
  if (options.signal) await new Promise<void>((resolve) => setImmediate(resolve));
  checkAbort(options.signal);
}

/** Clips a prediction to the rating scale, as Surprise's `predict` does. */
export function clip(x: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, x));
}

/**
 * Surprise's `baseline_als`: b_i = Σ_u (r_ui − μ − b_u) / (reg_i + |U_i|), then
 * b_u = Σ_i (r_ui − μ − b_i) / (reg_u + |I_u|), repeated `epochs` times from zero. Users and items
 * without ratings keep a zero bias. Shared by {@link baseline} and KNNBaseline.
 */
export function alsBiases(
  r: Csr,
  mean: number,
  epochs: number,
  regU: number,
  regI: number,
  options: FitOptions = {},
  byItem: Csr = transpose(r),
): { bu: Float64Array; bi: Float64Array } {
  const bu = new Float64Array(r.rows);
  const bi = new Float64Array(r.cols);
  for (let epoch = 0; epoch < epochs; epoch++) {
    checkAbort(options.signal);
    halfStep(byItem, bu, bi, mean, regI);
    halfStep(r, bi, bu, mean, regU);
    options.onProgress?.({
      fraction: (epoch + 1) / epochs,
      message: `baseline epoch ${epoch + 1}/${epochs}`,
    });
  }
  return { bu, bi };
}

/** One ALS half step: every row's bias from the other side's fixed biases. */
function halfStep(m: Csr, other: Float64Array, out: Float64Array, mean: number, reg: number): void {
  const { indptr, indices, values } = m;
  for (let x = 0; x < m.rows; x++) {
    const start = indptr[x]!;
    const end = indptr[x + 1]!;
    let dev = 0;
    for (let k = start; k < end; k++) dev += values[k]! - mean - other[indices[k]!]!;
    out[x] = dev / (reg + (end - start));
  }
}

/**
 * The bias of a user the model never saw, from the ratings they bring: the ALS user update with the
 * item biases fixed, b_u = Σ (r − μ − b_i) / (reg_u + n). Items outside the catalog are ignored.
 * For a training user's own row this reproduces their fitted bias exactly (ALS ends on users).
 */
export function foldInUserBias(row: SparseRow, mean: number, bi: Float64Array, regU: number): number {
  let dev = 0;
  let n = 0;
  for (let k = 0; k < row.indices.length; k++) {
    const i = row.indices[k]!;
    if (i >= bi.length) continue;
    dev += row.values[k]! - mean - bi[i]!;
    n++;
  }
  return n === 0 ? 0 : dev / (regU + n);
}

/**
 * Global mean plus user and item biases: the yardstick every rating model must beat (Surprise's
 * BaselineOnly, ALS method). A user it never saw gets a bias folded in from the ratings they bring
 * ({@link foldInUserBias}); with none, the item biases alone rank the catalog.
 */
export function baseline(params: Partial<BaselineParams> = {}): Estimator<BaselineParams> {
  const p = resolveParams('baseline', DEFAULTS, params);
  if (!(p.nEpochs >= 0 && Number.isInteger(p.nEpochs)))
    throw new Error('baseline: nEpochs must be an integer >= 0');
  if (!(p.regU >= 0 && p.regI >= 0)) throw new Error('baseline: regU and regI must be >= 0');
  return {
    name: 'baseline',
    kind: 'explicit',
    params: p,
    async fit(data: TrainingData, options: FitOptions = {}) {
      checkAbort(options.signal);
      const r = requireRatings('baseline', data);
      const stats = ratingStats(r);
      const { bu, bi } = alsBiases(r, stats.mean, p.nEpochs, p.regU, p.regI, options);
      return new BaselineModel(p, stats, bu, bi);
    },
  };
}

class BaselineModel implements Fitted {
  readonly name = 'baseline';
  readonly items: number;

  constructor(
    readonly params: Readonly<BaselineParams>,
    private readonly stats: RatingStats,
    private readonly bu: Float64Array,
    private readonly bi: Float64Array,
  ) {
    this.items = bi.length;
  }

  private userBias(user: UserInput): number {
    if (typeof user !== 'number') return foldInUserBias(user, this.stats.mean, this.bi, this.params.regU);
    return user >= 0 && user < this.bu.length ? this.bu[user]! : 0;
  }

  /** Unclipped μ + b_u + b_i for every item, so ranking keeps the order above the scale's top. */
  score(user: UserInput, out: Float32Array): void {
    const base = this.stats.mean + this.userBias(user);
    for (let i = 0; i < this.bi.length; i++) out[i] = base + this.bi[i]!;
  }

  predict(user: number, item: number): number {
    const bi = item >= 0 && item < this.bi.length ? this.bi[item]! : 0;
    return clip(this.stats.mean + this.userBias(user) + bi, this.stats.min, this.stats.max);
  }

  toArtifact(): Artifact {
    return {
      name: this.name,
      params: { ...this.params },
      meta: statsMeta(this.stats),
      arrays: { bu: this.bu, bi: this.bi, ...statsArrays(this.stats) },
    };
  }
}

/** The scalar part of {@link RatingStats} for an artifact's `meta`. */
export function statsMeta(s: RatingStats): Record<string, number> {
  return { mean: s.mean, min: s.min, max: s.max, users: s.userCounts.length, items: s.itemCounts.length };
}

/** The arrays of {@link RatingStats} for an artifact's `arrays`. */
export function statsArrays(s: RatingStats): { userCounts: Uint32Array; itemCounts: Uint32Array } {
  return { userCounts: s.userCounts, itemCounts: s.itemCounts };
}

/** Rebuilds {@link RatingStats} from an artifact written with {@link statsMeta} and {@link statsArrays}. */
export function statsFromArtifact(a: Artifact): RatingStats {
  return {
    mean: Number(a.meta.mean),
    min: Number(a.meta.min),
    max: Number(a.meta.max),
    userCounts: a.arrays.userCounts as Uint32Array,
    itemCounts: a.arrays.itemCounts as Uint32Array,
  };
}

/** Throws unless the artifact was written by the model `name` expects. */
export function expectArtifact(a: Artifact, name: string): void {
  if (a.name !== name) throw new Error(`expected a ${name} artifact, got ${a.name}`);
}

/** Rebuilds a baseline model from its artifact. */
export function loadBaseline(a: Artifact): Fitted {
  expectArtifact(a, 'baseline');
  const params = resolveParams('baseline', DEFAULTS, a.params as Partial<BaselineParams>);
  return new BaselineModel(
    params,
    statsFromArtifact(a),
    a.arrays.bu as Float64Array,
    a.arrays.bi as Float64Array,
  );
}
