import { type Csr, row, type SparseRow } from '../../core/csr.js';
import { axpy, dot, gemv } from '../../core/kernels.js';
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
import { foldInFactors, normalFactors, RatingOrder, zeroUnknown } from './svd.js';

/**
 * Surprise's SVD++ (Koren 2008, section 4): r̂ = μ + b_u + b_i + q_iᵀ(p_u + |I_u|^-½ Σ_{j∈I_u} y_j),
 * where I_u, the implicit feedback, is the set of items the user rated. Trained by Surprise's SGD:
 * per rating, err from the current y's; biases; then p_u, q_i (with the old p_u + implicit sum) and
 * every y_j of I_u, y_j += lr(err·q_i/√|I_u| − λy_j), all from values before the step.
 *
 * Same updates, less work: Surprise recomputes Σ y_j and touches every y_j of I_u for every rating
 * (O(|I_u|·f) per rating). All y_j of a user move by the same affine map y ← a·y + c_t
 * (a = 1 − lr·λ, c_t = lr·err_t·q_i/√|I_u|), and their scaled sum by imp ← a·imp + lr·err_t·q_i.
 * Because a user's ratings are visited contiguously ({@link RatingOrder}), we keep the running sum
 * and the composed map over the user's block and apply it to the y_j once at the block's end:
 * identical arithmetic up to rounding, O(f) per rating.
 */

/** Hyperparameters of {@link svdpp}; Surprise's names are n_factors, n_epochs, lr_all, reg_all. */
export interface SvdppParams {
  nFactors: number;
  nEpochs: number;
  initMean: number;
  initStdDev: number;
  lrAll: number;
  regAll: number;
  seed: number;
  /** Draw a new visiting order every epoch (true), or once per fit like Surprise's fixed trainset order. */
  reshuffle: boolean;
}

const DEFAULTS: SvdppParams = {
  nFactors: 20,
  nEpochs: 20,
  initMean: 0,
  initStdDev: 0.1,
  lrAll: 0.007,
  regAll: 0.02,
  seed: 42,
  reshuffle: true,
};

/**
 * SVD with implicit feedback (which items a user chose to rate), as Surprise's SVDpp: the most
 * accurate of Surprise's models on MovieLens. A user the model never saw gets their implicit term
 * from the items they bring and bias and p_u fitted in closed form with the items fixed
 * ({@link foldInFactors}).
 */
export function svdpp(params: Partial<SvdppParams> = {}): Estimator<SvdppParams> {
  const p = resolveParams('svdpp', DEFAULTS, params);
  if (!(Number.isInteger(p.nFactors) && p.nFactors >= 1))
    throw new Error('svdpp: nFactors must be an integer >= 1');
  if (!(Number.isInteger(p.nEpochs) && p.nEpochs >= 0))
    throw new Error('svdpp: nEpochs must be an integer >= 0');
  return {
    name: 'svdpp',
    kind: 'explicit',
    params: p,
    async fit(data: TrainingData, options: FitOptions = {}) {
      checkAbort(options.signal);
      const r = requireRatings('svdpp', data);
      const stats = ratingStats(r);
      const f = p.nFactors;
      const rng = new Rng(p.seed);
      const init = rng.fork('init');
      const pu = normalFactors(r.rows, f, p.initMean, p.initStdDev, init);
      const qi = normalFactors(r.cols, f, p.initMean, p.initStdDev, init);
      const yj = normalFactors(r.cols, f, p.initMean, p.initStdDev, init);
      const bu = new Float64Array(r.rows);
      const bi = new Float64Array(r.cols);
      const order = new RatingOrder(r);
      const orderRng = rng.fork('order');
      const scratch = new Float32Array(2 * f);
      for (let epoch = 0; epoch < p.nEpochs; epoch++) {
        if (epoch === 0 || p.reshuffle) order.shuffle(orderRng);
        svdppEpoch(order, stats.mean, bu, bi, pu, qi, yj, f, p.lrAll, p.regAll, scratch);
        await endEpoch(options, epoch + 1, p.nEpochs, 'svdpp');
      }
      zeroUnknown(pu, stats.userCounts, f);
      zeroUnknown(qi, stats.itemCounts, f);
      zeroUnknown(yj, stats.itemCounts, f);
      return new SvdppModel(p, stats, bu, bi, pu, qi, yj, r);
    },
  };
}

/** One pass of Surprise's SVD++ updates over every rating, user block by user block. */
function svdppEpoch(
  order: RatingOrder,
  mean: number,
  bu: Float64Array,
  bi: Float64Array,
  pu: Float32Array,
  qi: Float32Array,
  yj: Float32Array,
  f: number,
  lr: number,
  reg: number,
  scratch: Float32Array,
): void {
  const { indptr, indices, values } = order.ratings;
  const users = order.users;
  const entries = order.entries;
  // imp: |I_u|^-½ Σ y_j with the y_j as they are now; acc: the offset of the composed affine map.
  const imp = scratch.subarray(0, f);
  const acc = scratch.subarray(f, 2 * f);
  const a = 1 - lr * reg;
  for (let b = 0; b < users.length; b++) {
    const u = users[b]!;
    const start = indptr[u]!;
    const end = indptr[u + 1]!;
    if (end === start) continue;
    const invSqrt = 1 / Math.sqrt(end - start);
    imp.fill(0);
    for (let k = start; k < end; k++) axpy(invSqrt, yj, indices[k]! * f, imp, 0, f);
    acc.fill(0);
    let scale = 1;
    const po = u * f;
    for (let k = start; k < end; k++) {
      const e = entries[k]!;
      const i = indices[e]!;
      const qo = i * f;
      const err = values[e]! - (mean + bu[u]! + bi[i]! + dot(qi, qo, pu, po, f) + dot(qi, qo, imp, 0, f));
      bu[u] = bu[u]! + lr * (err - reg * bu[u]!);
      bi[i] = bi[i]! + lr * (err - reg * bi[i]!);
      const step = lr * err;
      const stepY = step * invSqrt;
      for (let c = 0; c < f; c++) {
        const puf = pu[po + c]!;
        const qif = qi[qo + c]!;
        const impf = imp[c]!;
        pu[po + c] = puf + lr * (err * qif - reg * puf);
        qi[qo + c] = qif + lr * (err * (puf + impf) - reg * qif);
        imp[c] = a * impf + step * qif;
        acc[c] = a * acc[c]! + stepY * qif;
      }
      scale *= a;
    }
    for (let k = start; k < end; k++) {
      const jo = indices[k]! * f;
      for (let c = 0; c < f; c++) yj[jo + c] = scale * yj[jo + c]! + acc[c]!;
    }
  }
}

class SvdppModel implements Fitted {
  readonly name = 'svdpp';
  readonly items: number;
  private readonly f: number;

  constructor(
    readonly params: Readonly<SvdppParams>,
    private readonly stats: RatingStats,
    private readonly bu: Float64Array,
    private readonly bi: Float64Array,
    private readonly pu: Float32Array,
    private readonly qi: Float32Array,
    private readonly yj: Float32Array,
    private readonly train: Csr,
  ) {
    this.items = bi.length;
    this.f = params.nFactors;
  }

  /** p_u + |I|^-½ Σ y_j over the rated items I (training items, or the ones a new user brings). */
  private implicit(rated: SparseRow, into: Float32Array): void {
    const f = this.f;
    let n = 0;
    for (let k = 0; k < rated.indices.length; k++) if (this.known(rated.indices[k]!)) n++;
    if (n === 0) return;
    const w = 1 / Math.sqrt(n);
    for (let k = 0; k < rated.indices.length; k++) {
      const j = rated.indices[k]!;
      if (this.known(j)) axpy(w, this.yj, j * f, into, 0, f);
    }
  }

  private known(item: number): boolean {
    return item >= 0 && item < this.items && this.stats.itemCounts[item]! > 0;
  }

  /** Bias and full user vector (p_u + implicit term), or null factors for a user unknown to the model. */
  private user(user: UserInput): { bias: number; factors: Float32Array | null } {
    const f = this.f;
    if (typeof user === 'number') {
      if (!(user >= 0 && user < this.bu.length) || this.stats.userCounts[user] === 0)
        return { bias: 0, factors: null };
      const v = this.pu.slice(user * f, (user + 1) * f);
      this.implicit(row(this.train, user), v);
      return { bias: this.bu[user]!, factors: v };
    }
    const z = new Float32Array(f);
    this.implicit(user, z);
    const offsets = new Float64Array(user.indices.length);
    for (let k = 0; k < offsets.length; k++) {
      const i = user.indices[k]!;
      if (this.known(i)) offsets[k] = dot(this.qi, i * f, z, 0, f);
    }
    const reg = this.params.regAll;
    const fold = foldInFactors(
      user,
      this.stats.mean,
      this.bi,
      this.qi,
      f,
      this.stats.itemCounts,
      reg,
      reg,
      offsets,
    );
    for (let c = 0; c < f; c++) fold.factors[c] = fold.factors[c]! + z[c]!;
    return fold;
  }

  /** Unclipped predicted ratings; an unknown user or item gets μ plus the biases that are known. */
  score(user: UserInput, out: Float32Array): void {
    const { bias, factors } = this.user(user);
    if (factors) gemv(this.qi, this.items, this.f, factors, out);
    else out.fill(0);
    const base = this.stats.mean + bias;
    for (let i = 0; i < this.items; i++) out[i] = out[i]! + base + this.bi[i]!;
  }

  predict(user: number, item: number): number {
    const { mean, min, max } = this.stats;
    const { bias, factors } = this.user(user);
    let est = mean + bias;
    if (this.known(item)) {
      est += this.bi[item]!;
      if (factors) est += dot(this.qi, item * this.f, factors, 0, this.f);
    }
    return clip(est, min, max);
  }

  toArtifact(): Artifact {
    return {
      name: this.name,
      params: { ...this.params },
      meta: { ...statsMeta(this.stats) },
      arrays: {
        bu: this.bu,
        bi: this.bi,
        pu: this.pu,
        qi: this.qi,
        yj: this.yj,
        indptr: this.train.indptr,
        indices: this.train.indices,
        ...statsArrays(this.stats),
      },
    };
  }
}

/** Rebuilds an SVD++ model from its artifact. */
export function loadSvdpp(a: Artifact): Fitted {
  expectArtifact(a, 'svdpp');
  const params = resolveParams('svdpp', DEFAULTS, a.params as Partial<SvdppParams>);
  const stats = statsFromArtifact(a);
  const indices = a.arrays.indices as Uint32Array;
  const train: Csr = {
    rows: stats.userCounts.length,
    cols: stats.itemCounts.length,
    indptr: a.arrays.indptr as Uint32Array,
    indices,
    // Only which items each user rated matters to SVD++ after training.
    values: new Float32Array(indices.length).fill(1),
  };
  const { bu, bi, pu, qi, yj } = a.arrays;
  return new SvdppModel(
    params,
    stats,
    bu as Float64Array,
    bi as Float64Array,
    pu as Float32Array,
    qi as Float32Array,
    yj as Float32Array,
    train,
  );
}
