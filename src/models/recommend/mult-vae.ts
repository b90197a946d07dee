import type { Csr } from '../../core/csr.js';
import { axpy, dot, type Gemm, gemmAcc, gemv } from '../../core/kernels.js';
import { Rng } from '../../core/rng.js';
import { wasmGemm } from '../../core/wasm-gemm.js';
import {
  type Artifact,
  checkAbort,
  type Estimator,
  type Fitted,
  resolveParams,
  type TrainingData,
  type UserInput,
} from './contract.js';

/**
 * Mult-VAE (Liang, Krishnan, Hoffman, Jebara, "Variational Autoencoders for Collaborative
 * Filtering", WWW 2018), trained in-process.
 *
 * A user's binarized, L2-normalized interaction row (with dropout while training) goes through an
 * encoder [items -> hidden (tanh) -> 2 x latent] giving the mean and log-variance of a Gaussian;
 * a sample z = mu + eps * sigma goes through a decoder [latent -> hidden (tanh) -> items] whose
 * logits, under a log-softmax over the whole catalog, give a multinomial likelihood of the row.
 * The loss is the negative log-likelihood plus beta times the KL divergence to N(0, I), beta
 * rising linearly with the updates up to `betaMax` (the paper's KL annealing); Adam on
 * mini-batches. Scoring runs the encoder on a row and decodes its mean (no sampling, no dropout),
 * so a user the model never saw is folded in exactly like a training user (the paper's strong
 * generalization).
 *
 * Every weight matrix is row-major [in x out] inside one Float32Array. The first layer reads the
 * sparse input (costs nnz x hidden, not items x hidden); while training, the dense products run
 * through the WebAssembly SIMD kernel ({@link wasmGemm}, about 5x the TypeScript one), the rest
 * in TypeScript. Everything is single-threaded and summed in a fixed order, so the same seed gives
 * the same model byte for byte.
 */

/** Hyperparameters of {@link multVae}; defaults follow the paper, except 50 epochs instead of 200. */
export interface MultVaeParams {
  /** Width of the single hidden layer of the encoder and of the decoder. */
  hidden: number;
  /** Dimension of the latent Gaussian. */
  latent: number;
  /** Passes over the training users. */
  epochs: number;
  /** Users per Adam update. */
  batchSize: number;
  /** Adam learning rate. */
  lr: number;
  /** Probability of dropping each input interaction while training. */
  dropout: number;
  /** Cap of the KL weight beta. */
  betaMax: number;
  /**
   * The paper's total_anneal_steps: beta = min(betaMax, updates / annealSteps), so it reaches
   * `betaMax` after betaMax x annealSteps updates. 0 (the default) anneals over the whole fit:
   * `betaMax` is reached at the last update, as the paper's 200,000 did on ML-20M, whatever the
   * data size (a fixed 200,000 would keep beta near 0 on a small store).
   */
  annealSteps: number;
  /** Weight decay: `l2 * sum(W^2)` over the weight matrices (not the biases) is added to the loss. */
  l2: number;
  seed: number;
}

const DEFAULTS: MultVaeParams = {
  hidden: 600,
  latent: 200,
  epochs: 50,
  batchSize: 500,
  lr: 1e-3,
  dropout: 0.5,
  betaMax: 0.2,
  annealSteps: 0,
  l2: 0,
  seed: 42,
};

/** Network sizes; the parameters live in one Float32Array laid out by {@link multVaeLayout}. */
export interface MultVaeShape {
  items: number;
  hidden: number;
  latent: number;
}

/** Where each tensor starts in the flat parameter array, and its total length. */
export interface MultVaeLayout {
  w1: number;
  b1: number;
  w2: number;
  b2: number;
  w3: number;
  b3: number;
  w4: number;
  b4: number;
  size: number;
}

/**
 * Offsets of the tensors in the flat parameter array: w1 [items x hidden], b1, w2 [hidden x
 * 2 latent] (columns: mu then log-variance), b2, w3 [latent x hidden], b3, w4 [hidden x items], b4.
 * Exported so tests can address single weights (the gradient check).
 */
export function multVaeLayout(s: MultVaeShape): MultVaeLayout {
  const { items: n, hidden: h, latent: z } = s;
  const w1 = 0;
  const b1 = w1 + n * h;
  const w2 = b1 + h;
  const b2 = w2 + h * 2 * z;
  const w3 = b2 + 2 * z;
  const b3 = w3 + z * h;
  const w4 = b3 + h;
  const b4 = w4 + h * n;
  return { w1, b1, w2, b2, w3, b3, w4, b4, size: b4 + n };
}

interface Views {
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
  w3: Float32Array;
  b3: Float32Array;
  w4: Float32Array;
  b4: Float32Array;
}

function views(flat: Float32Array, s: MultVaeShape): Views {
  const l = multVaeLayout(s);
  const v = (from: number, to: number) => flat.subarray(from, to);
  return {
    w1: v(l.w1, l.b1),
    b1: v(l.b1, l.w2),
    w2: v(l.w2, l.b2),
    b2: v(l.b2, l.w3),
    w3: v(l.w3, l.b3),
    b3: v(l.b3, l.w4),
    w4: v(l.w4, l.b4),
    b4: v(l.b4, l.size),
  };
}

/**
 * Fresh parameters as `fit` starts from them (Xavier-uniform weights, biases ~ N(0, 0.001²)
 * truncated at two deviations, as the paper's code); exported for the gradient check.
 */
export function multVaeInit(s: MultVaeShape, seed: number): Float32Array {
  const l = multVaeLayout(s);
  const flat = new Float32Array(l.size);
  const v = views(flat, s);
  const rng = new Rng(seed).fork('init');
  const xavier = (w: Float32Array, fanIn: number, fanOut: number) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-limit, limit);
  };
  const bias = (b: Float32Array) => {
    for (let i = 0; i < b.length; i++) {
      let x = rng.normal();
      while (Math.abs(x) > 2) x = rng.normal();
      b[i] = 0.001 * x;
    }
  };
  xavier(v.w1, s.items, s.hidden);
  bias(v.b1);
  xavier(v.w2, s.hidden, 2 * s.latent);
  bias(v.b2);
  xavier(v.w3, s.latent, s.hidden);
  bias(v.b3);
  xavier(v.w4, s.hidden, s.items);
  bias(v.b4);
  return flat;
}

/** out [cols x rows] = the transpose of m [rows x cols], in 32 x 32 tiles to stay in cache. */
function transposeInto(m: Float32Array, rows: number, cols: number, out: Float32Array): void {
  const T = 32;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = Math.min(rows, r0 + T);
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = Math.min(cols, c0 + T);
      for (let r = r0; r < r1; r++) {
        const o = r * cols;
        for (let c = c0; c < c1; c++) out[c * rows + r] = m[o + c]!;
      }
    }
  }
}

/** Rows of `m` [rows x n] filled with the vector `v` [n] (a bias before the products add to it). */
function fillRows(m: Float32Array, v: Float32Array, rows: number, n: number): void {
  for (let r = 0; r < rows; r++) m.set(v, r * n);
}

/** g[j] += sum over rows of m[r, j] (the gradient of a bias). */
function sumRowsInto(m: Float32Array, rows: number, n: number, g: Float32Array): void {
  for (let r = 0; r < rows; r++) axpy(1, m, r * n, g, 0, n);
}

/** Scratch buffers of one mini-batch, allocated once per fit. */
class Workspace {
  readonly h1: Float32Array;
  readonly a2: Float32Array;
  readonly eps: Float32Array;
  readonly z: Float32Array;
  readonly h3: Float32Array;
  readonly logits: Float32Array;
  readonly dh3: Float32Array;
  readonly dz: Float32Array;
  readonly da2: Float32Array;
  readonly dh1: Float32Array;
  readonly transposed: Float32Array;
  readonly rowStart: Uint32Array;
  readonly positives: Float64Array;
  item = new Uint32Array(1024);
  coef = new Float32Array(1024);

  constructor(s: MultVaeShape, batch: number) {
    const { items: n, hidden: h, latent: z } = s;
    this.h1 = new Float32Array(batch * h);
    this.a2 = new Float32Array(batch * 2 * z);
    this.eps = new Float32Array(batch * z);
    this.z = new Float32Array(batch * z);
    this.h3 = new Float32Array(batch * h);
    this.logits = new Float32Array(batch * n);
    this.dh3 = new Float32Array(batch * h);
    this.dz = new Float32Array(batch * z);
    this.da2 = new Float32Array(batch * 2 * z);
    this.dh1 = new Float32Array(batch * h);
    this.transposed = new Float32Array(Math.max(n * h, 2 * z * h));
    this.rowStart = new Uint32Array(batch + 1);
    this.positives = new Float64Array(batch);
  }

  reserve(nnz: number): void {
    if (nnz <= this.item.length) return;
    const size = Math.max(nnz, this.item.length * 2);
    this.item = new Uint32Array(size);
    this.coef = new Float32Array(size);
  }
}

/** How one mini-batch is weighted and perturbed. */
export interface BatchSettings {
  /** Current KL weight. */
  beta: number;
  /** Input dropout probability. */
  dropout: number;
  /** Weight decay, as in {@link MultVaeParams.l2}. */
  l2: number;
}

/**
 * Forward and backward pass over `users[from, to)` of the binarized matrix `x`: writes the
 * gradient of the mean negative ELBO (plus weight decay) into `grad` (overwritten) and returns
 * the loss. Dropout masks and noise are drawn from `rng` in a value-independent order.
 */
function batchStep(
  s: MultVaeShape,
  p: Views,
  g: Views,
  gradFlat: Float32Array,
  x: Csr,
  users: Uint32Array,
  from: number,
  to: number,
  rng: Rng,
  set: BatchSettings,
  ws: Workspace,
  gemm: Gemm,
): number {
  const { items: n, hidden: h, latent: zd } = s;
  const z2 = 2 * zd;
  const bs = to - from;
  const { h1, a2, eps, z, h3, logits, dh3, dz, da2, dh1, transposed, rowStart, positives } = ws;

  // Sparse input: L2-normalized binary rows, dropout with inverted scaling.
  let nnz = 0;
  for (let b = 0; b < bs; b++) {
    const u = users[from + b]!;
    nnz += x.indptr[u + 1]! - x.indptr[u]!;
  }
  ws.reserve(nnz);
  const { item, coef } = ws;
  const keep = 1 - set.dropout;
  let at = 0;
  for (let b = 0; b < bs; b++) {
    const u = users[from + b]!;
    const start = x.indptr[u]!;
    const end = x.indptr[u + 1]!;
    rowStart[b] = at;
    positives[b] = end - start;
    const scale = end > start ? 1 / Math.sqrt(end - start) / keep : 0;
    for (let k = start; k < end; k++) {
      if (set.dropout > 0 && !(rng.float() < keep)) continue;
      item[at] = x.indices[k]!;
      coef[at] = scale;
      at++;
    }
  }
  rowStart[bs] = at;

  // Encoder.
  fillRows(h1, p.b1, bs, h);
  for (let b = 0; b < bs; b++)
    for (let k = rowStart[b]!; k < rowStart[b + 1]!; k++) axpy(coef[k]!, p.w1, item[k]! * h, h1, b * h, h);
  for (let i = 0; i < bs * h; i++) h1[i] = Math.tanh(h1[i]!);
  fillRows(a2, p.b2, bs, z2);
  gemm(h1, false, p.w2, a2, bs, h, z2);

  // Reparameterization and KL.
  let kl = 0;
  for (let b = 0; b < bs; b++) {
    for (let k = 0; k < zd; k++) {
      const mu = a2[b * z2 + k]!;
      const logvar = a2[b * z2 + zd + k]!;
      const e = rng.normal();
      eps[b * zd + k] = e;
      z[b * zd + k] = mu + e * Math.exp(0.5 * logvar);
      kl += 0.5 * (-logvar + Math.exp(logvar) + mu * mu - 1);
    }
  }

  // Decoder.
  fillRows(h3, p.b3, bs, h);
  gemm(z, false, p.w3, h3, bs, zd, h);
  for (let i = 0; i < bs * h; i++) h3[i] = Math.tanh(h3[i]!);
  fillRows(logits, p.b4, bs, n);
  gemm(h3, false, p.w4, logits, bs, h, n);

  // Multinomial log-likelihood; logits become d loss / d logits.
  let nll = 0;
  for (let b = 0; b < bs; b++) {
    const o = b * n;
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) max = Math.max(max, logits[o + j]!);
    const u = users[from + b]!;
    const count = positives[b]!;
    let picked = 0;
    for (let k = x.indptr[u]!; k < x.indptr[u + 1]!; k++) picked += logits[o + x.indices[k]!]!;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(logits[o + j]! - max);
      logits[o + j] = e;
      sum += e;
    }
    nll += count * (max + Math.log(sum)) - picked;
    const f = count / bs / sum;
    for (let j = 0; j < n; j++) logits[o + j] = f * logits[o + j]!;
    for (let k = x.indptr[u]!; k < x.indptr[u + 1]!; k++) {
      const j = o + x.indices[k]!;
      logits[j] = logits[j]! - 1 / bs;
    }
  }
  const dlogits = logits;

  // Backward through the decoder.
  gradFlat.fill(0);
  sumRowsInto(dlogits, bs, n, g.b4);
  gemm(h3, true, dlogits, g.w4, h, bs, n);
  transposeInto(p.w4, h, n, transposed);
  dh3.fill(0, 0, bs * h);
  gemm(dlogits, false, transposed, dh3, bs, n, h);
  for (let i = 0; i < bs * h; i++) dh3[i] = dh3[i]! * (1 - h3[i]! * h3[i]!);
  sumRowsInto(dh3, bs, h, g.b3);
  gemm(z, true, dh3, g.w3, zd, bs, h);
  transposeInto(p.w3, zd, h, transposed);
  dz.fill(0, 0, bs * zd);
  gemm(dh3, false, transposed, dz, bs, h, zd);

  // Through the reparameterization and the KL term.
  const wk = set.beta / bs;
  for (let b = 0; b < bs; b++) {
    for (let k = 0; k < zd; k++) {
      const mu = a2[b * z2 + k]!;
      const logvar = a2[b * z2 + zd + k]!;
      const d = dz[b * zd + k]!;
      const ev = Math.exp(logvar);
      da2[b * z2 + k] = d + wk * mu;
      da2[b * z2 + zd + k] = d * eps[b * zd + k]! * 0.5 * Math.exp(0.5 * logvar) + wk * 0.5 * (ev - 1);
    }
  }

  // Backward through the encoder.
  sumRowsInto(da2, bs, z2, g.b2);
  gemm(h1, true, da2, g.w2, h, bs, z2);
  transposeInto(p.w2, h, z2, transposed);
  dh1.fill(0, 0, bs * h);
  gemm(da2, false, transposed, dh1, bs, z2, h);
  for (let i = 0; i < bs * h; i++) dh1[i] = dh1[i]! * (1 - h1[i]! * h1[i]!);
  sumRowsInto(dh1, bs, h, g.b1);
  for (let b = 0; b < bs; b++)
    for (let k = rowStart[b]!; k < rowStart[b + 1]!; k++) axpy(coef[k]!, dh1, b * h, g.w1, item[k]! * h, h);

  // Weight decay on the weight matrices.
  let decay = 0;
  if (set.l2 > 0) {
    for (const [w, gw] of [
      [p.w1, g.w1],
      [p.w2, g.w2],
      [p.w3, g.w3],
      [p.w4, g.w4],
    ] as const) {
      let sq = 0;
      for (let i = 0; i < w.length; i++) sq += w[i]! * w[i]!;
      decay += set.l2 * sq;
      axpy(2 * set.l2, w, 0, gw, 0, w.length);
    }
  }
  return (nll + set.beta * kl) / bs + decay;
}

/**
 * The loss of one mini-batch (mean negative ELBO plus weight decay) and its gradient, written into
 * `grad`: what `fit` follows, exported so a test can check the backward pass against finite
 * differences. `x` must be binary (every stored entry an interaction); the batch is `users`.
 */
export function multVaeLoss(
  s: MultVaeShape,
  params: Float32Array,
  x: Csr,
  users: Uint32Array,
  seed: number,
  settings: BatchSettings,
  grad: Float32Array,
  gemm: Gemm = gemmAcc,
): number {
  const ws = new Workspace(s, users.length);
  return batchStep(
    s,
    views(params, s),
    views(grad, s),
    grad,
    x,
    users,
    0,
    users.length,
    new Rng(seed),
    settings,
    ws,
    gemm,
  );
}

/** One Adam update (bias-corrected step size as in TensorFlow's AdamOptimizer). */
function adam(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  lr: number,
  step: number,
): void {
  const b1 = 0.9;
  const b2 = 0.999;
  const rate = (lr * Math.sqrt(1 - b2 ** step)) / (1 - b1 ** step);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]!;
    const mi = b1 * m[i]! + (1 - b1) * gi;
    const vi = b2 * v[i]! + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] = w[i]! - (rate * mi) / (Math.sqrt(vi) + 1e-8);
  }
}

/** The interactions as a binary pattern: entries with a positive value, as sorted column indices. */
function binarize(m: Csr): Csr {
  const indptr = new Uint32Array(m.rows + 1);
  let count = 0;
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) if (m.values[k]! > 0) count++;
    indptr[r + 1] = count;
  }
  const indices = new Uint32Array(count);
  let at = 0;
  for (let k = 0; k < m.indices.length; k++) if (m.values[k]! > 0) indices[at++] = m.indices[k]!;
  return { rows: m.rows, cols: m.cols, indptr, indices, values: new Float32Array(count).fill(1) };
}

const int = (x: number) => Number.isInteger(x) && x > 0;

/**
 * The neural recommender of the leaderboard: Mult-VAE, a variational autoencoder over whole
 * interaction rows, strong on sparse implicit data and able to fold in any new user's history
 * without retraining.
 */
export function multVae(params: Partial<MultVaeParams> = {}): Estimator<MultVaeParams> {
  const p = resolveParams('multvae', DEFAULTS, params);
  for (const key of ['hidden', 'latent', 'epochs', 'batchSize'] as const)
    if (!int(p[key])) throw new Error(`multvae: ${key} must be a positive integer, got ${p[key]}`);
  if (!(p.lr > 0)) throw new Error(`multvae: lr must be positive, got ${p.lr}`);
  if (!(p.dropout >= 0 && p.dropout < 1))
    throw new Error(`multvae: dropout must be in [0, 1), got ${p.dropout}`);
  if (!(p.betaMax >= 0)) throw new Error(`multvae: betaMax must be >= 0, got ${p.betaMax}`);
  if (!(p.annealSteps >= 0)) throw new Error(`multvae: annealSteps must be >= 0, got ${p.annealSteps}`);
  if (!(p.l2 >= 0)) throw new Error(`multvae: l2 must be >= 0, got ${p.l2}`);
  if (!Number.isInteger(p.seed)) throw new Error(`multvae: seed must be an integer, got ${p.seed}`);
  return {
    name: 'multvae',
    kind: 'implicit',
    params: p,
    async fit(data: TrainingData, options = {}) {
      checkAbort(options.signal);
      const x = binarize(data.interactions);
      const gemm = await wasmGemm();
      const shape: MultVaeShape = { items: x.cols, hidden: p.hidden, latent: p.latent };
      const weights = multVaeInit(shape, p.seed);
      const grad = new Float32Array(weights.length);
      const m = new Float32Array(weights.length);
      const v = new Float32Array(weights.length);
      const pv = views(weights, shape);
      const gv = views(grad, shape);
      const active: number[] = [];
      for (let u = 0; u < x.rows; u++) if (x.indptr[u + 1]! > x.indptr[u]!) active.push(u);
      const order = new Uint32Array(active.length);
      const rng = new Rng(p.seed).fork('train');
      const ws = new Workspace(shape, Math.min(p.batchSize, Math.max(1, active.length)));
      let step = 0;
      let loss = Number.NaN;
      const updates = p.epochs * Math.ceil(active.length / p.batchSize);
      const anneal = p.annealSteps > 0 ? p.annealSteps : updates / Math.max(p.betaMax, 1e-9);
      for (let epoch = 0; epoch < p.epochs && active.length > 0; epoch++) {
        checkAbort(options.signal);
        order.set(rng.shuffle(active));
        let total = 0;
        for (let from = 0; from < order.length; from += p.batchSize) {
          const to = Math.min(order.length, from + p.batchSize);
          const beta = Math.min(p.betaMax, step / anneal);
          const settings = { beta, dropout: p.dropout, l2: p.l2 };
          total += batchStep(shape, pv, gv, grad, x, order, from, to, rng, settings, ws, gemm) * (to - from);
          step++;
          adam(weights, grad, m, v, p.lr, step);
        }
        loss = total / order.length;
        options.onProgress?.({
          fraction: (epoch + 1) / p.epochs,
          message: `epoch ${epoch + 1}/${p.epochs}, loss ${loss.toFixed(4)}`,
        });
        // Lets a cancellation arrive when the fit runs on the thread that owns the signal.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      checkAbort(options.signal);
      return new MultVaeModel(p, shape, weights, x.rows, x.indptr, x.indices, { updates: step, loss });
    },
  };
}

class MultVaeModel implements Fitted {
  readonly name = 'multvae';
  readonly items: number;
  private readonly v: Views;
  private readonly hidden1: Float32Array;
  private readonly mu: Float32Array;
  private readonly hidden2: Float32Array;
  private itemVectors: Float32Array | null = null;

  constructor(
    readonly params: Readonly<MultVaeParams>,
    private readonly shape: MultVaeShape,
    private readonly weights: Float32Array,
    private readonly users: number,
    private readonly indptr: Uint32Array,
    private readonly indices: Uint32Array,
    private readonly fitted: { updates: number; loss: number },
  ) {
    this.items = shape.items;
    this.v = views(weights, shape);
    this.hidden1 = new Float32Array(shape.hidden);
    this.mu = new Float32Array(shape.latent);
    this.hidden2 = new Float32Array(shape.hidden);
  }

  /** Encodes the row to its mean and decodes it: logits of the multinomial over items. */
  score(user: UserInput, out: Float32Array): void {
    const { items: n, hidden: h, latent: zd } = this.shape;
    const { w1, b1, w2, b2, w3, b3, w4, b4 } = this.v;
    const { hidden1: h1, mu, hidden2: h3 } = this;
    h1.set(b1);
    if (typeof user === 'number') {
      if (Number.isInteger(user) && user >= 0 && user < this.users) {
        const start = this.indptr[user]!;
        const end = this.indptr[user + 1]!;
        const scale = end > start ? 1 / Math.sqrt(end - start) : 0;
        for (let k = start; k < end; k++) axpy(scale, w1, this.indices[k]! * h, h1, 0, h);
      }
    } else {
      let count = 0;
      for (let k = 0; k < user.indices.length; k++) if (user.values[k]! > 0 && user.indices[k]! < n) count++;
      const scale = count > 0 ? 1 / Math.sqrt(count) : 0;
      for (let k = 0; k < user.indices.length; k++)
        if (user.values[k]! > 0 && user.indices[k]! < n) axpy(scale, w1, user.indices[k]! * h, h1, 0, h);
    }
    for (let i = 0; i < h; i++) h1[i] = Math.tanh(h1[i]!);
    mu.set(b2.subarray(0, zd));
    for (let i = 0; i < h; i++) axpy(h1[i]!, w2, i * 2 * zd, mu, 0, zd);
    h3.set(b3);
    for (let k = 0; k < zd; k++) axpy(mu[k]!, w3, k * h, h3, 0, h);
    for (let i = 0; i < h; i++) h3[i] = Math.tanh(h3[i]!);
    out.set(b4);
    for (let i = 0; i < h; i++) axpy(h3[i]!, w4, i * n, out, 0, n);
  }

  /**
   * Cosine similarity of the items' output vectors in the decoder (the columns of its last weight
   * matrix): items the decoder raises together from the same hidden state are similar.
   */
  similarItems(item: number, out: Float32Array): void {
    const { items: n, hidden: h } = this.shape;
    const vecs = this.decoderVectors();
    gemv(vecs, n, h, vecs.subarray(item * h, (item + 1) * h), out);
  }

  similarity(a: number, b: number): number {
    const h = this.shape.hidden;
    const vecs = this.decoderVectors();
    return dot(vecs, a * h, vecs, b * h, h);
  }

  /** The decoder's item columns, L2-normalized, computed once. */
  private decoderVectors(): Float32Array {
    const { items: n, hidden: h } = this.shape;
    if (!this.itemVectors) {
      const vecs = new Float32Array(n * h);
      transposeInto(this.v.w4, h, n, vecs);
      for (let j = 0; j < n; j++) {
        let sq = 0;
        for (let i = 0; i < h; i++) sq += vecs[j * h + i]! * vecs[j * h + i]!;
        const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
        for (let i = 0; i < h; i++) vecs[j * h + i] = vecs[j * h + i]! * inv;
      }
      this.itemVectors = vecs;
    }
    return this.itemVectors;
  }

  toArtifact(): Artifact {
    return {
      name: this.name,
      params: { ...this.params },
      meta: {
        users: this.users,
        items: this.shape.items,
        updates: this.fitted.updates,
        loss: this.fitted.loss,
      },
      arrays: { weights: this.weights, indptr: this.indptr, indices: this.indices },
    };
  }

  /** Rebuilds the model from {@link toArtifact}'s output. */
  static load(a: Artifact): MultVaeModel {
    if (a.name !== 'multvae') throw new Error(`multvae: cannot load an artifact of ${a.name}`);
    const params = resolveParams('multvae', DEFAULTS, a.params as Partial<MultVaeParams>);
    const shape = { items: Number(a.meta.items), hidden: params.hidden, latent: params.latent };
    const weights = a.arrays.weights as Float32Array;
    const indptr = a.arrays.indptr as Uint32Array;
    const users = Number(a.meta.users);
    if (weights.length !== multVaeLayout(shape).size || indptr.length !== users + 1)
      throw new Error('multvae: artifact arrays do not match its shape');
    return new MultVaeModel(params, shape, weights, users, indptr, a.arrays.indices as Uint32Array, {
      updates: Number(a.meta.updates),
      loss: Number(a.meta.loss),
    });
  }
}

/** Rebuilds a Mult-VAE model from its artifact. */
export const loadMultVae = (a: Artifact): Fitted => MultVaeModel.load(a);
