import type { Csr, SparseRow } from '../../core/csr.js';
import { choleskySolve, dot, gemv } from '../../core/kernels.js';
import { Rng } from '../../core/rng.js';
import {
  clip,
  endEpoch,
  expectArtifact,
  type RatingStats,
  ratingStats,
  requireRatings,
  statsArrays,
  statsFromArtifact,
  statsMeta,
} from './baseline.js';
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
 * Surprise's SVD: biased matrix factorization r̂ = μ + b_u + b_i + q_iᵀp_u trained by plain SGD
 * (Koren 2009, eq. 5). Per rating: err = r − r̂; b_u += lr(err − λb_u); b_i += lr(err − λb_i);
 * then p_u and q_i move together, each update using the other's value from before the step.
 *
 * Traversal: Surprise walks `trainset.all_ratings()`, i.e. user by user, each user's ratings
 * contiguous, users and ratings in the (shuffled-by-KFold) order they appeared, the same order every
 * epoch. We walk user by user too ({@link RatingOrder}), with users and each user's ratings in a
 * seeded random order, drawn anew every epoch (`reshuffle`, default) or once per fit (Surprise's
 * fixed order).
 */

/** Hyperparameters of {@link svd}; Surprise's names are n_factors, n_epochs, lr_all, reg_all, init_std_dev. */
export interface SvdParams {
  nFactors: number;
  nEpochs: number;
  /** With false, r̂ = q_iᵀp_u (probabilistic MF), as Surprise's biased=False. */
  biased: boolean;
  /** Factors start as Normal(initMean, initStdDev). */
  initMean: number;
  initStdDev: number;
  /** SGD step for every parameter. */
  lrAll: number;
  /** L2 penalty for every parameter. */
  regAll: number;
  seed: number;
  /** Draw a new visiting order every epoch (true), or once per fit like Surprise's fixed trainset order. */
  reshuffle: boolean;
}

const DEFAULTS: SvdParams = {
  nFactors: 100,
  nEpochs: 20,
  biased: true,
  initMean: 0,
  initStdDev: 0.1,
  lrAll: 0.005,
  regAll: 0.02,
  seed: 42,
  reshuffle: true,
};

/**
 * The order SGD visits the ratings of a users x items matrix: user by user (each user's ratings
 * contiguous, as Surprise's trainset yields them), users and ratings within a user shuffled by a
 * seeded generator. Allocation-free after construction.
 */
export class RatingOrder {
  /** Users in visiting order. */
  readonly users: Uint32Array;
  /** entries[indptr[u] .. indptr[u+1]) are the positions of user u's ratings, in visiting order. */
  readonly entries: Uint32Array;

  constructor(readonly ratings: Csr) {
    this.users = new Uint32Array(ratings.rows);
    for (let u = 0; u < ratings.rows; u++) this.users[u] = u;
    this.entries = new Uint32Array(ratings.indices.length);
    for (let k = 0; k < this.entries.length; k++) this.entries[k] = k;
  }

  /** Re-draws both levels of the order (Fisher-Yates). */
  shuffle(rng: Rng): void {
    shuffleRange(this.users, 0, this.users.length, rng);
    const indptr = this.ratings.indptr;
    for (let u = 0; u < this.ratings.rows; u++) shuffleRange(this.entries, indptr[u]!, indptr[u + 1]!, rng);
  }
}

function shuffleRange(a: Uint32Array, start: number, end: number, rng: Rng): void {
  for (let i = end - 1; i > start; i--) {
    const j = start + rng.int(i - start + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/** Fills a factor matrix from Normal(mean, sd), row after row (Surprise draws p then q the same way). */
export function normalFactors(rows: number, f: number, mean: number, sd: number, rng: Rng): Float32Array {
  const m = new Float32Array(rows * f);
  for (let k = 0; k < m.length; k++) m[k] = rng.normal(mean, sd);
  return m;
}

/** Zeroes the factor rows of users or items without training ratings, so they add nothing (Surprise skips them). */
export function zeroUnknown(factors: Float32Array, counts: Uint32Array, f: number): void {
  for (let x = 0; x < counts.length; x++) if (counts[x] === 0) factors.fill(0, x * f, (x + 1) * f);
}

/**
 * A user the model never saw, fitted from the ratings they bring with the item side fixed: the
 * ridge regression of r − μ − b_i − offset on [1, q_i] (bias column only when `biased`), solved in
 * closed form. The penalty is λ·n, the objective SGD minimises when it applies λ once per rating.
 * `offsets` (aligned with the row) carries the part of r̂ that is already known (SVD++'s implicit
 * term). Items outside the catalog or without training ratings are skipped.
 */
export function foldInFactors(
  row: SparseRow,
  mean: number,
  bi: Float64Array | null,
  qi: Float32Array,
  f: number,
  itemCounts: Uint32Array,
  regBias: number,
  regFactors: number,
  offsets: Float64Array | null = null,
): { bias: number; factors: Float32Array } {
  const o = bi ? 1 : 0;
  const d = f + o;
  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  let n = 0;
  for (let k = 0; k < row.indices.length; k++) {
    const i = row.indices[k]!;
    if (i >= itemCounts.length || itemCounts[i] === 0) continue;
    n++;
    const y = row.values[k]! - mean - (bi ? bi[i]! : 0) - (offsets ? offsets[k]! : 0);
    const q = i * f;
    if (bi) {
      a[0]! += 1;
      b[0]! += y;
      for (let c = 0; c < f; c++) a[o + c]! += qi[q + c]!;
    }
    for (let c1 = 0; c1 < f; c1++) {
      const q1 = qi[q + c1]!;
      b[o + c1]! += q1 * y;
      const rowAt = (o + c1) * d + o;
      for (let c2 = c1; c2 < f; c2++) a[rowAt + c2]! += q1 * qi[q + c2]!;
    }
  }
  const factors = new Float32Array(f);
  if (n === 0) return { bias: 0, factors };
  for (let r = 0; r < d; r++) for (let c = 0; c < r; c++) a[r * d + c] = a[c * d + r]!;
  // A tiny floor keeps the system solvable when the penalties are zero and n < f.
  if (bi) a[0]! += Math.max(regBias * n, 1e-9);
  for (let c = 0; c < f; c++) a[(o + c) * d + o + c]! += Math.max(regFactors * n, 1e-9);
  if (!choleskySolve(a, b, d)) return { bias: 0, factors };
  for (let c = 0; c < f; c++) factors[c] = b[o + c]!;
  return { bias: bi ? b[0]! : 0, factors };
}

/**
 * Biased matrix factorization by SGD, as Surprise's SVD (the Netflix-prize "Funk SVD"): the most
 * accurate plain rating predictor for its cost. A user the model never saw is folded in by
 * {@link foldInFactors}: bias and factors fitted in closed form to their ratings, items fixed.
 */
export function svd(params: Partial<SvdParams> = {}): Estimator<SvdParams> {
  const p = resolveParams('svd', DEFAULTS, params);
  if (!(Number.isInteger(p.nFactors) && p.nFactors >= 1))
    throw new Error('svd: nFactors must be an integer >= 1');
  if (!(Number.isInteger(p.nEpochs) && p.nEpochs >= 0))
    throw new Error('svd: nEpochs must be an integer >= 0');
  return {
    name: 'svd',
    kind: 'explicit',
    params: p,
    async fit(data: TrainingData, options: FitOptions = {}) {
      checkAbort(options.signal);
      const r = requireRatings('svd', data);
      const stats = ratingStats(r);
      const f = p.nFactors;
      const rng = new Rng(p.seed);
      const init = rng.fork('init');
      const pu = normalFactors(r.rows, f, p.initMean, p.initStdDev, init);
      const qi = normalFactors(r.cols, f, p.initMean, p.initStdDev, init);
      const bu = new Float64Array(r.rows);
      const bi = new Float64Array(r.cols);
      const order = new RatingOrder(r);
      const orderRng = rng.fork('order');
      const mean = p.biased ? stats.mean : 0;
      for (let epoch = 0; epoch < p.nEpochs; epoch++) {
        if (epoch === 0 || p.reshuffle) order.shuffle(orderRng);
        svdEpoch(order, mean, p.biased, bu, bi, pu, qi, f, p.lrAll, p.regAll);
        await endEpoch(options, epoch + 1, p.nEpochs, 'svd');
      }
      zeroUnknown(pu, stats.userCounts, f);
      zeroUnknown(qi, stats.itemCounts, f);
      return new FactorModel('svd', p, stats, bu, bi, pu, qi, svdFoldIn(p, stats, bi, qi));
    },
  };
}

/** One pass of Surprise's SVD updates over every rating. */
function svdEpoch(
  order: RatingOrder,
  mean: number,
  biased: boolean,
  bu: Float64Array,
  bi: Float64Array,
  pu: Float32Array,
  qi: Float32Array,
  f: number,
  lr: number,
  reg: number,
): void {
  const { indptr, indices, values } = order.ratings;
  const users = order.users;
  const entries = order.entries;
  for (let a = 0; a < users.length; a++) {
    const u = users[a]!;
    const po = u * f;
    const end = indptr[u + 1]!;
    for (let k = indptr[u]!; k < end; k++) {
      const e = entries[k]!;
      const i = indices[e]!;
      const qo = i * f;
      const err = values[e]! - (mean + bu[u]! + bi[i]! + dot(qi, qo, pu, po, f));
      if (biased) {
        bu[u] = bu[u]! + lr * (err - reg * bu[u]!);
        bi[i] = bi[i]! + lr * (err - reg * bi[i]!);
      }
      for (let c = 0; c < f; c++) {
        const puf = pu[po + c]!;
        const qif = qi[qo + c]!;
        pu[po + c] = puf + lr * (err * qif - reg * puf);
        qi[qo + c] = qif + lr * (err * puf - reg * qif);
      }
    }
  }
}

/**
 * A fitted rating factorization: μ + b_u + b_i + q_i·p_u (biases optional). SVD and NMF share it;
 * they differ in how they fit and in how they fold in a user they never saw (`foldIn`).
 */
export class FactorModel implements Fitted {
  readonly items: number;
  private readonly f: number;

  constructor(
    readonly name: string,
    readonly params: Readonly<{ nFactors: number; biased: boolean }>,
    private readonly stats: RatingStats,
    private readonly bu: Float64Array,
    private readonly bi: Float64Array,
    private readonly pu: Float32Array,
    private readonly qi: Float32Array,
    private readonly foldIn: (row: SparseRow) => { bias: number; factors: Float32Array | null },
  ) {
    this.items = bi.length;
    this.f = params.nFactors;
  }

  /** Bias and factors of a user; null factors for a user unknown to the model. */
  private user(user: UserInput): { bias: number; factors: Float32Array | null } {
    const f = this.f;
    if (typeof user !== 'number') return this.foldIn(user);
    if (!(user >= 0 && user < this.bu.length) || this.stats.userCounts[user] === 0)
      return { bias: 0, factors: null };
    return { bias: this.bu[user]!, factors: this.pu.subarray(user * f, (user + 1) * f) };
  }

  private known(item: number): boolean {
    return item >= 0 && item < this.items && this.stats.itemCounts[item]! > 0;
  }

  /**
   * Unclipped predicted ratings (so the order above the scale's top survives). Unknown user or item:
   * μ plus the known biases when biased; μ alone when not (Surprise's "prediction impossible").
   */
  score(user: UserInput, out: Float32Array): void {
    const { bias, factors } = this.user(user);
    const mean = this.stats.mean;
    if (factors) gemv(this.qi, this.items, this.f, factors, out);
    for (let i = 0; i < this.items; i++) {
      const known = factors !== null && this.known(i);
      if (this.params.biased) out[i] = mean + bias + (known ? this.bi[i]! + out[i]! : this.bi[i]!);
      else out[i] = known ? out[i]! : mean;
    }
  }

  predict(user: number, item: number): number {
    const { mean, min, max } = this.stats;
    const { bias, factors } = this.user(user);
    const known = this.known(item);
    if (!this.params.biased) {
      return clip(factors && known ? dot(this.qi, item * this.f, factors, 0, this.f) : mean, min, max);
    }
    let est = mean + bias;
    if (known) est += this.bi[item]!;
    if (known && factors) est += dot(this.qi, item * this.f, factors, 0, this.f);
    return clip(est, min, max);
  }

  toArtifact(): Artifact {
    return {
      name: this.name,
      params: { ...this.params },
      meta: statsMeta(this.stats),
      arrays: { bu: this.bu, bi: this.bi, pu: this.pu, qi: this.qi, ...statsArrays(this.stats) },
    };
  }
}

/** SVD's fold-in: bias and factors solved in one step with the item factors fixed. */
function svdFoldIn(p: Readonly<SvdParams>, stats: RatingStats, bi: Float64Array, qi: Float32Array) {
  return (row: SparseRow) =>
    foldInFactors(
      row,
      p.biased ? stats.mean : 0,
      p.biased ? bi : null,
      qi,
      p.nFactors,
      stats.itemCounts,
      p.regAll,
      p.regAll,
    );
}

/** Rebuilds an SVD model from its artifact. */
export function loadSvd(a: Artifact): Fitted {
  expectArtifact(a, 'svd');
  const params = resolveParams('svd', DEFAULTS, a.params as Partial<SvdParams>);
  const stats = statsFromArtifact(a);
  const bi = a.arrays.bi as Float64Array;
  const qi = a.arrays.qi as Float32Array;
  return new FactorModel(
    'svd',
    params,
    stats,
    a.arrays.bu as Float64Array,
    bi,
    a.arrays.pu as Float32Array,
    qi,
    svdFoldIn(params, stats, bi, qi),
  );
}
