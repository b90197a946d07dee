import type { SparseRow } from '../../core/csr.js';
import { dot, gemv } from '../../core/kernels.js';
import { Rng } from '../../core/rng.js';
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
import { allocate, forRange, shareable } from './parallel.js';

/** Hyperparameters of {@link bpr}. */
export interface BprParams {
  factors: number;
  learningRate: number;
  regularization: number;
  /** Passes over all interactions. */
  iterations: number;
  /**
   * Users are cut into this many shards, trained side by side in synchronous mini-batches: each
   * shard updates its own users at once and collects its item updates, which are added in shard
   * order after every step. Threads never write the same factor, so the model does not depend on
   * the thread count.
   */
  shards: number;
  /** Samples each shard draws per step (item updates are applied after each step). */
  batch: number;
  seed: number;
}

const DEFAULTS: BprParams = {
  factors: 64,
  learningRate: 0.05,
  regularization: 0.01,
  iterations: 60,
  shards: 4,
  batch: 256,
  seed: 42,
};

/**
 * Bayesian Personalized Ranking (Rendle et al. 2009): matrix factorization with item biases,
 * trained by SGD on (user, bought item, sampled other item) triples to rank what a user
 * interacted with above what they did not. Negatives are sampled uniformly from the item block
 * of the positive (the price of running blocks in parallel). A new user is folded in as the mean
 * of the factors of the items they interacted with, weighted by strength: an approximation, not
 * a refit.
 */
export function bpr(params: Partial<BprParams> = {}): Estimator<BprParams> {
  const p = resolveParams('bpr', DEFAULTS, params);
  if (!(p.factors >= 1 && Number.isInteger(p.factors)))
    throw new Error('bpr: factors must be a positive integer');
  if (!(p.shards >= 1 && Number.isInteger(p.shards)))
    throw new Error('bpr: shards must be a positive integer');
  if (!(p.batch >= 1 && Number.isInteger(p.batch))) throw new Error('bpr: batch must be a positive integer');
  return {
    name: 'bpr',
    kind: 'implicit',
    params: p,
    async fit(data: TrainingData, options: FitOptions = {}) {
      checkAbort(options.signal);
      const x = data.interactions;
      const f = p.factors;
      const shared = (options.parallel?.threads ?? 1) > 1;
      const rng = new Rng(p.seed);
      const users = allocate(Float32Array, x.rows * f, shared);
      const items = allocate(Float32Array, x.cols * f, shared);
      const bias = allocate(Float32Array, x.cols, shared);
      for (let i = 0; i < users.length; i++) users[i] = rng.normal(0, 0.1);
      for (let i = 0; i < items.length; i++) items[i] = rng.normal(0, 0.1);
      const shards = Math.max(1, Math.min(p.shards, x.rows));
      const args = {
        indptr: shareable(x.indptr, shared),
        indices: shareable(x.indices, shared),
        users,
        items,
        bias,
        f,
        rows: x.rows,
        cols: x.cols,
        shards,
        batch: p.batch,
        learningRate: p.learningRate,
        regularization: p.regularization,
        seed: p.seed,
        step: 0,
        deltas: allocate(Float32Array, shards * x.cols * f, shared),
        biasDeltas: allocate(Float32Array, shards * x.cols, shared),
        touched: allocate(Uint32Array, shards * x.cols, shared),
        touchedCount: allocate(Uint32Array, shards, shared),
        mark: allocate(Uint8Array, shards * x.cols, shared),
      };
      const steps = Math.max(1, Math.ceil(x.indices.length / (shards * p.batch)));
      for (let epoch = 0; epoch < p.iterations; epoch++) {
        checkAbort(options.signal);
        for (let s = 0; s < steps; s++) {
          await forRange(
            options.parallel,
            'bpr.step',
            shards,
            { ...args, step: epoch * steps + s },
            trainShards,
          );
          applyItemUpdates(args);
        }
        options.onProgress?.({
          fraction: (epoch + 1) / p.iterations,
          message: `epoch ${epoch + 1}/${p.iterations}`,
        });
      }
      return new BprModel(
        p,
        Float32Array.from(users),
        Float32Array.from(items),
        Float32Array.from(bias),
        x.rows,
      );
    },
  };
}

const shardStart = (n: number, shards: number, s: number) => Math.floor((n * s) / shards);

/**
 * Kernel: one mini-batch for user shards [start, end). Each shard draws `batch` interactions of
 * its users with its own seeded stream, updates those users at once, and collects the item
 * updates (computed against the item factors as they were when the step began).
 */
export function trainShards(args: Record<string, unknown>, start: number, end: number): void {
  const indptr = args.indptr as Uint32Array;
  const indices = args.indices as Uint32Array;
  const users = args.users as Float32Array;
  const items = args.items as Float32Array;
  const bias = args.bias as Float32Array;
  const f = args.f as number;
  const rows = args.rows as number;
  const cols = args.cols as number;
  const shards = args.shards as number;
  const batch = args.batch as number;
  const lr = args.learningRate as number;
  const reg = args.regularization as number;
  const step = args.step as number;
  const seed = args.seed as number;
  const deltas = args.deltas as Float32Array;
  const biasDeltas = args.biasDeltas as Float32Array;
  const touched = args.touched as Uint32Array;
  const touchedCount = args.touchedCount as Uint32Array;
  const mark = args.mark as Uint8Array;
  const diff = new Float32Array(f);
  for (let s = start; s < end; s++) {
    const u0 = shardStart(rows, shards, s);
    const u1 = shardStart(rows, shards, s + 1);
    const q0 = indptr[u0]!;
    const q1 = indptr[u1]!;
    if (q1 <= q0) continue;
    const rng = new Rng((seed ^ Math.imul(step + 1, 0x9e3779b1) ^ Math.imul(s + 1, 0x85ebca6b)) >>> 0);
    const dOff = s * cols;
    let count = touchedCount[s]!;
    const touch = (i: number) => {
      if (mark[dOff + i] === 0) {
        mark[dOff + i] = 1;
        touched[dOff + count++] = i;
      }
    };
    for (let n = 0; n < batch; n++) {
      const q = q0 + rng.int(q1 - q0);
      let lo = u0;
      let hi = u1 - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (indptr[mid]! <= q) lo = mid;
        else hi = mid - 1;
      }
      const u = lo;
      const i = indices[q]!;
      let j = 0;
      let tries = 0;
      do {
        j = rng.int(cols);
        tries++;
      } while (tries < 10 && contains(indices, indptr[u]!, indptr[u + 1]!, j));
      if (j === i) continue;
      const uo = u * f;
      const io = i * f;
      const jo = j * f;
      for (let k = 0; k < f; k++) diff[k] = items[io + k]! - items[jo + k]!;
      const g = 1 / (1 + Math.exp(dot(users, uo, diff, 0, f) + bias[i]! - bias[j]!));
      touch(i);
      touch(j);
      const di = (dOff + i) * f;
      const dj = (dOff + j) * f;
      for (let k = 0; k < f; k++) {
        const uk = users[uo + k]!;
        users[uo + k] = uk + lr * (g * diff[k]! - reg * uk);
        deltas[di + k] = deltas[di + k]! + lr * (g * uk - reg * items[io + k]!);
        deltas[dj + k] = deltas[dj + k]! + lr * (-g * uk - reg * items[jo + k]!);
      }
      biasDeltas[dOff + i] = biasDeltas[dOff + i]! + lr * (g - reg * bias[i]!);
      biasDeltas[dOff + j] = biasDeltas[dOff + j]! + lr * (-g - reg * bias[j]!);
    }
    touchedCount[s] = count;
  }
}

/** Adds every shard's collected item updates, in shard order, and clears them. */
function applyItemUpdates(args: Record<string, unknown>): void {
  const items = args.items as Float32Array;
  const bias = args.bias as Float32Array;
  const f = args.f as number;
  const cols = args.cols as number;
  const deltas = args.deltas as Float32Array;
  const biasDeltas = args.biasDeltas as Float32Array;
  const touched = args.touched as Uint32Array;
  const touchedCount = args.touchedCount as Uint32Array;
  const mark = args.mark as Uint8Array;
  for (let s = 0; s < touchedCount.length; s++) {
    const dOff = s * cols;
    for (let t = 0; t < touchedCount[s]!; t++) {
      const i = touched[dOff + t]!;
      const d = (dOff + i) * f;
      for (let k = 0; k < f; k++) {
        items[i * f + k] = items[i * f + k]! + deltas[d + k]!;
        deltas[d + k] = 0;
      }
      bias[i] = bias[i]! + biasDeltas[dOff + i]!;
      biasDeltas[dOff + i] = 0;
      mark[dOff + i] = 0;
    }
    touchedCount[s] = 0;
  }
}

/** True when item j is among a user's sorted interactions. */
function contains(indices: Uint32Array, start: number, end: number, j: number): boolean {
  let lo = start;
  let hi = end - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = indices[mid]!;
    if (v === j) return true;
    if (v < j) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

class BprModel implements Fitted {
  readonly name = 'bpr';
  readonly items: number;

  constructor(
    readonly params: Readonly<BprParams>,
    private readonly userFactors: Float32Array,
    private readonly itemFactors: Float32Array,
    private readonly bias: Float32Array,
    private readonly users: number,
  ) {
    this.items = bias.length;
  }

  private norms: Float32Array | null = null;

  score(user: UserInput, out: Float32Array): void {
    const f = this.params.factors;
    const v =
      typeof user !== 'number'
        ? this.foldIn(user)
        : user < this.users
          ? this.userFactors.subarray(user * f, user * f + f)
          : new Float32Array(f);
    gemv(this.itemFactors, this.items, f, v, out);
    for (let i = 0; i < this.items; i++) out[i] = out[i]! + this.bias[i]!;
  }

  similarItems(item: number, out: Float32Array): void {
    const f = this.params.factors;
    const norms = this.itemNorms();
    gemv(this.itemFactors, this.items, f, this.itemFactors.subarray(item * f, item * f + f), out);
    for (let i = 0; i < this.items; i++) out[i] = out[i]! / (norms[i]! * norms[item]!);
  }

  similarity(a: number, b: number): number {
    const f = this.params.factors;
    const norms = this.itemNorms();
    return dot(this.itemFactors, a * f, this.itemFactors, b * f, f) / (norms[a]! * norms[b]!);
  }

  /** Item factor lengths (1 for a zero vector), computed once. */
  private itemNorms(): Float32Array {
    if (!this.norms) {
      const f = this.params.factors;
      this.norms = new Float32Array(this.items);
      for (let i = 0; i < this.items; i++)
        this.norms[i] = Math.sqrt(dot(this.itemFactors, i * f, this.itemFactors, i * f, f)) || 1;
    }
    return this.norms;
  }

  private foldIn(row: SparseRow): Float32Array {
    const f = this.params.factors;
    const v = new Float32Array(f);
    let total = 0;
    for (let q = 0; q < row.indices.length; q++) {
      const w = row.values[q]!;
      total += w;
      const o = row.indices[q]! * f;
      for (let k = 0; k < f; k++) v[k] = v[k]! + w * this.itemFactors[o + k]!;
    }
    if (total > 0) for (let k = 0; k < f; k++) v[k] = v[k]! / total;
    return v;
  }

  toArtifact(): Artifact {
    return {
      name: this.name,
      params: { ...this.params },
      meta: { users: this.users, items: this.items },
      arrays: { userFactors: this.userFactors, itemFactors: this.itemFactors, bias: this.bias },
    };
  }
}

/** Rebuilds a BPR model from its artifact. */
export function loadBpr(a: Artifact): Fitted {
  const params = resolveParams('bpr', DEFAULTS, a.params as Partial<BprParams>);
  return new BprModel(
    params,
    a.arrays.userFactors as Float32Array,
    a.arrays.itemFactors as Float32Array,
    a.arrays.bias as Float32Array,
    Number(a.meta.users),
  );
}
