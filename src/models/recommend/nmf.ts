import type { SparseRow } from '../../core/csr.js';
import { dot } from '../../core/kernels.js';
import { Rng } from '../../core/rng.js';
import {
  endEpoch,
  expectArtifact,
  type RatingStats,
  ratingStats,
  requireRatings,
  statsFromArtifact,
} from './baseline.js';
import {
  type Artifact,
  checkAbort,
  type Estimator,
  type FitOptions,
  type Fitted,
  resolveParams,
  type TrainingData,
} from './contract.js';
import { FactorModel, RatingOrder } from './svd.js';

/**
 * Surprise's NMF (Luo et al. 2014): r̂ = q_iᵀp_u with non-negative factors, trained by the
 * regularized multiplicative updates
 *   p_uf ← p_uf · Σ_{i∈I_u} q_if r_ui / (Σ_{i∈I_u} q_if r̂_ui + λ_u |I_u| p_uf)
 *   q_if ← q_if · Σ_{u∈U_i} p_uf r_ui / (Σ_{u∈U_i} p_uf r̂_ui + λ_i |U_i| q_if)
 * with both sums taken in one pass over the ratings with the factors of the previous epoch, users
 * updated first, then items. With `biased`, r̂ = μ + b_u + b_i + q_iᵀp_u and the biases move by SGD
 * during that pass, as in Surprise. Factors start Uniform(initLow, initHigh).
 */

/** Hyperparameters of {@link nmf} (Surprise's names in snake_case: n_factors, reg_pu, init_low, ...). */
export interface NmfParams {
  nFactors: number;
  nEpochs: number;
  biased: boolean;
  regPu: number;
  regQi: number;
  /** Bias penalties and steps: used only when biased. */
  regBu: number;
  regBi: number;
  lrBu: number;
  lrBi: number;
  initLow: number;
  initHigh: number;
  seed: number;
  /** Biased only: draw a new visiting order every epoch (true), or once per fit like Surprise. */
  reshuffle: boolean;
}

const DEFAULTS: NmfParams = {
  nFactors: 15,
  nEpochs: 50,
  biased: false,
  regPu: 0.06,
  regQi: 0.06,
  regBu: 0.02,
  regBi: 0.02,
  lrBu: 0.005,
  lrBi: 0.005,
  initLow: 0,
  initHigh: 1,
  seed: 42,
  reshuffle: true,
};

/**
 * Non-negative matrix factorization of ratings, as Surprise's NMF: parts-based, interpretable
 * factors. A user the model never saw gets p_u by the same multiplicative updates with the item
 * factors fixed, started from the middle of the init range ({@link foldInNmf}).
 */
export function nmf(params: Partial<NmfParams> = {}): Estimator<NmfParams> {
  const p = resolveParams('nmf', DEFAULTS, params);
  if (!(Number.isInteger(p.nFactors) && p.nFactors >= 1))
    throw new Error('nmf: nFactors must be an integer >= 1');
  if (!(Number.isInteger(p.nEpochs) && p.nEpochs >= 0))
    throw new Error('nmf: nEpochs must be an integer >= 0');
  if (!(p.initLow >= 0 && p.initHigh >= p.initLow)) throw new Error('nmf: need 0 <= initLow <= initHigh');
  return {
    name: 'nmf',
    kind: 'explicit',
    params: p,
    async fit(data: TrainingData, options: FitOptions = {}) {
      checkAbort(options.signal);
      const r = requireRatings('nmf', data);
      const stats = ratingStats(r);
      const f = p.nFactors;
      const rng = new Rng(p.seed);
      const init = rng.fork('init');
      const pu = uniformFactors(r.rows, f, p.initLow, p.initHigh, init);
      const qi = uniformFactors(r.cols, f, p.initLow, p.initHigh, init);
      const bu = new Float64Array(r.rows);
      const bi = new Float64Array(r.cols);
      const order = new RatingOrder(r);
      const orderRng = rng.fork('order');
      const work: NmfWork = {
        userNum: new Float64Array(r.rows * f),
        userDen: new Float64Array(r.rows * f),
        itemNum: new Float64Array(r.cols * f),
        itemDen: new Float64Array(r.cols * f),
      };
      for (let epoch = 0; epoch < p.nEpochs; epoch++) {
        if (p.biased && (epoch === 0 || p.reshuffle)) order.shuffle(orderRng);
        nmfEpoch(order, p.biased ? stats.mean : 0, p, bu, bi, pu, qi, work);
        multiply(pu, work.userNum, work.userDen, stats.userCounts, p.regPu, f);
        multiply(qi, work.itemNum, work.itemDen, stats.itemCounts, p.regQi, f);
        await endEpoch(options, epoch + 1, p.nEpochs, 'nmf');
      }
      return new FactorModel('nmf', p, stats, bu, bi, pu, qi, nmfFoldIn(p, stats, bi, qi));
    },
  };
}

interface NmfWork {
  userNum: Float64Array;
  userDen: Float64Array;
  itemNum: Float64Array;
  itemDen: Float64Array;
}

function uniformFactors(rows: number, f: number, lo: number, hi: number, rng: Rng): Float32Array {
  const m = new Float32Array(rows * f);
  for (let k = 0; k < m.length; k++) m[k] = rng.uniform(lo, hi);
  return m;
}

/** The rating pass: bias SGD (biased only) and the numerators and denominators of both updates. */
function nmfEpoch(
  order: RatingOrder,
  mean: number,
  p: Readonly<NmfParams>,
  bu: Float64Array,
  bi: Float64Array,
  pu: Float32Array,
  qi: Float32Array,
  w: NmfWork,
): void {
  const { indptr, indices, values } = order.ratings;
  const { userNum, userDen, itemNum, itemDen } = w;
  userNum.fill(0);
  userDen.fill(0);
  itemNum.fill(0);
  itemDen.fill(0);
  const f = p.nFactors;
  const biased = p.biased;
  const { lrBu, lrBi, regBu, regBi } = p;
  const users = order.users;
  const entries = order.entries;
  for (let a = 0; a < users.length; a++) {
    const u = users[a]!;
    const po = u * f;
    const end = indptr[u + 1]!;
    for (let k = indptr[u]!; k < end; k++) {
      const e = entries[k]!;
      const i = indices[e]!;
      const r = values[e]!;
      const qo = i * f;
      const est = mean + bu[u]! + bi[i]! + dot(qi, qo, pu, po, f);
      if (biased) {
        const err = r - est;
        bu[u] = bu[u]! + lrBu * (err - regBu * bu[u]!);
        bi[i] = bi[i]! + lrBi * (err - regBi * bi[i]!);
      }
      for (let c = 0; c < f; c++) {
        const q = qi[qo + c]!;
        const pf = pu[po + c]!;
        userNum[po + c]! += q * r;
        userDen[po + c]! += q * est;
        itemNum[qo + c]! += pf * r;
        itemDen[qo + c]! += pf * est;
      }
    }
  }
}

/** x_f ← x_f · num / (den + λ n x_f) for every row with ratings (a zero denominator leaves x_f as is). */
function multiply(
  x: Float32Array,
  num: Float64Array,
  den: Float64Array,
  counts: Uint32Array,
  reg: number,
  f: number,
): void {
  for (let row = 0; row < counts.length; row++) {
    const n = counts[row]!;
    if (n === 0) continue;
    const o = row * f;
    for (let c = 0; c < f; c++) {
      const d = den[o + c]! + n * reg * x[o + c]!;
      if (d > 0) x[o + c] = x[o + c]! * (num[o + c]! / d);
    }
  }
}

/**
 * p_u (and b_u when biased) of a user the model never saw: `epochs` multiplicative updates with the
 * item factors fixed, from p = (initLow + initHigh) / 2 (deterministic, so the same ratings always
 * give the same scores); b_u is the fixed point of its SGD update, Σ(r − μ − b_i − q·p)/(n(1 + λ)).
 * Items outside the catalog or without training ratings are skipped.
 */
export function foldInNmf(
  row: SparseRow,
  model: { mean: number; bi: Float64Array; qi: Float32Array; itemCounts: Uint32Array },
  p: Readonly<NmfParams>,
): { bias: number; factors: Float32Array } {
  const f = p.nFactors;
  const { bi, qi, itemCounts } = model;
  const mean = p.biased ? model.mean : 0;
  const factors = new Float32Array(f).fill((p.initLow + p.initHigh) / 2);
  const num = new Float64Array(f);
  const den = new Float64Array(f);
  let bias = 0;
  let n = 0;
  for (let k = 0; k < row.indices.length; k++) {
    const i = row.indices[k]!;
    if (i < itemCounts.length && itemCounts[i]! > 0) n++;
  }
  if (n === 0) return { bias: 0, factors: new Float32Array(f) };
  for (let epoch = 0; epoch < p.nEpochs; epoch++) {
    num.fill(0);
    den.fill(0);
    let residual = 0;
    for (let k = 0; k < row.indices.length; k++) {
      const i = row.indices[k]!;
      if (i >= itemCounts.length || itemCounts[i] === 0) continue;
      const r = row.values[k]!;
      const qp = dot(qi, i * f, factors, 0, f);
      const est = mean + bias + (p.biased ? bi[i]! : 0) + qp;
      residual += r - mean - (p.biased ? bi[i]! : 0) - qp;
      for (let c = 0; c < f; c++) {
        num[c]! += qi[i * f + c]! * r;
        den[c]! += qi[i * f + c]! * est;
      }
    }
    if (p.biased) bias = residual / (n * (1 + p.regBu));
    for (let c = 0; c < f; c++) {
      const d = den[c]! + n * p.regPu * factors[c]!;
      if (d > 0) factors[c] = factors[c]! * (num[c]! / d);
    }
  }
  return { bias, factors };
}

/** NMF's fold-in: multiplicative updates with the item factors fixed. */
function nmfFoldIn(p: Readonly<NmfParams>, stats: RatingStats, bi: Float64Array, qi: Float32Array) {
  return (row: SparseRow) => foldInNmf(row, { mean: stats.mean, bi, qi, itemCounts: stats.itemCounts }, p);
}

/** Rebuilds an NMF model from its artifact. */
export function loadNmf(a: Artifact): Fitted {
  expectArtifact(a, 'nmf');
  const params = resolveParams('nmf', DEFAULTS, a.params as Partial<NmfParams>);
  const stats = statsFromArtifact(a);
  const bi = a.arrays.bi as Float64Array;
  const qi = a.arrays.qi as Float32Array;
  return new FactorModel(
    'nmf',
    params,
    stats,
    a.arrays.bu as Float64Array,
    bi,
    a.arrays.pu as Float32Array,
    qi,
    nmfFoldIn(params, stats, bi, qi),
  );
}
