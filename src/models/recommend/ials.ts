import { type SparseRow, transpose } from '../../core/csr.js';
import { axpy, choleskySolve, dot, gemv, gram } from '../../core/kernels.js';
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

/** Hyperparameters of {@link ials}. */
export interface IalsParams {
  factors: number;
  /** L2 regularization λ. */
  regularization: number;
  /** Confidence of an interaction of strength r: 1 + alpha * r. */
  alpha: number;
  iterations: number;
  /** Conjugate-gradient steps per row and sweep (implicit's default is 3). */
  cgSteps: number;
  seed: number;
}

const DEFAULTS: IalsParams = {
  factors: 64,
  regularization: 0.01,
  alpha: 1,
  iterations: 15,
  cgSteps: 3,
  seed: 42,
};

/**
 * Implicit-feedback ALS (Hu, Koren & Volinsky 2008) solved with a few conjugate-gradient steps per
 * row, warm-started from the previous sweep (Takács et al. 2011; the method of the `implicit`
 * library). Every interaction is a positive preference with confidence 1 + alpha * strength;
 * everything else is a weak zero. Rows are solved in parallel on all threads. A user the model
 * never saw is folded in by solving their factor exactly (Cholesky) against the fixed item factors.
 */
export function ials(params: Partial<IalsParams> = {}): Estimator<IalsParams> {
  const p = resolveParams('ials', DEFAULTS, params);
  if (!(p.factors >= 1 && Number.isInteger(p.factors)))
    throw new Error('ials: factors must be a positive integer');
  if (!(p.iterations >= 1)) throw new Error('ials: iterations must be at least 1');
  return {
    name: 'ials',
    kind: 'implicit',
    params: p,
    async fit(data: TrainingData, options: FitOptions = {}) {
      checkAbort(options.signal);
      const x = data.interactions;
      const xt = transpose(x);
      const f = p.factors;
      const shared = (options.parallel?.threads ?? 1) > 1;
      const users = allocate(Float32Array, x.rows * f, shared);
      const items = allocate(Float32Array, x.cols * f, shared);
      const rng = new Rng(p.seed);
      for (let i = 0; i < users.length; i++) users[i] = rng.normal(0, 0.01);
      for (let i = 0; i < items.length; i++) items[i] = rng.normal(0, 0.01);
      const yty = allocate(Float32Array, f * f, shared);
      const byUser = {
        indptr: shareable(x.indptr, shared),
        indices: shareable(x.indices, shared),
        values: shareable(x.values, shared),
      };
      const byItem = {
        indptr: shareable(xt.indptr, shared),
        indices: shareable(xt.indices, shared),
        values: shareable(xt.values, shared),
      };
      for (let it = 0; it < p.iterations; it++) {
        checkAbort(options.signal);
        gram(items, x.cols, f, p.regularization, yty);
        await forRange(
          options.parallel,
          'ials.solve',
          x.rows,
          { ...byUser, target: users, fixed: items, yty, f, alpha: p.alpha, cgSteps: p.cgSteps },
          solveRows,
        );
        gram(users, x.rows, f, p.regularization, yty);
        await forRange(
          options.parallel,
          'ials.solve',
          x.cols,
          { ...byItem, target: items, fixed: users, yty, f, alpha: p.alpha, cgSteps: p.cgSteps },
          solveRows,
        );
        options.onProgress?.({
          fraction: (it + 1) / p.iterations,
          message: `iteration ${it + 1}/${p.iterations}`,
        });
      }
      // A last user sweep, so users are solved against the final item factors (as a fold-in is).
      gram(items, x.cols, f, p.regularization, yty);
      await forRange(
        options.parallel,
        'ials.solve',
        x.rows,
        { ...byUser, target: users, fixed: items, yty, f, alpha: p.alpha, cgSteps: p.cgSteps },
        solveRows,
      );
      return new IalsModel(p, Float32Array.from(users), Float32Array.from(items), x.rows, x.cols);
    },
  };
}

/**
 * Kernel: updates rows [start, end) of `target` by `cgSteps` conjugate-gradient steps on
 * (YᵀY + λI + Σ (c - 1) y yᵀ) x = Σ c y, where the sums run over the row's interactions.
 */
export function solveRows(args: Record<string, unknown>, start: number, end: number): void {
  const indptr = args.indptr as Uint32Array;
  const indices = args.indices as Uint32Array;
  const values = args.values as Float32Array;
  const target = args.target as Float32Array;
  const fixed = args.fixed as Float32Array;
  const yty = args.yty as Float32Array;
  const f = args.f as number;
  const alpha = args.alpha as number;
  const steps = args.cgSteps as number;
  const x = new Float32Array(f);
  const r = new Float32Array(f);
  const p = new Float32Array(f);
  const ap = new Float32Array(f);
  for (let u = start; u < end; u++) {
    const lo = indptr[u]!;
    const hi = indptr[u + 1]!;
    const o = u * f;
    for (let j = 0; j < f; j++) x[j] = target[o + j]!;
    // r = b - A x
    for (let j = 0; j < f; j++) r[j] = -dot(yty, j * f, x, 0, f);
    for (let q = lo; q < hi; q++) {
      const c = 1 + alpha * values[q]!;
      const io = indices[q]! * f;
      axpy(c - (c - 1) * dot(fixed, io, x, 0, f), fixed, io, r, 0, f);
    }
    p.set(r);
    let rs = dot(r, 0, r, 0, f);
    for (let step = 0; step < steps && rs > 1e-20; step++) {
      for (let j = 0; j < f; j++) ap[j] = dot(yty, j * f, p, 0, f);
      for (let q = lo; q < hi; q++) {
        const io = indices[q]! * f;
        axpy(alpha * values[q]! * dot(fixed, io, p, 0, f), fixed, io, ap, 0, f);
      }
      const a = rs / dot(p, 0, ap, 0, f);
      axpy(a, p, 0, x, 0, f);
      axpy(-a, ap, 0, r, 0, f);
      const next = dot(r, 0, r, 0, f);
      const beta = next / rs;
      for (let j = 0; j < f; j++) p[j] = r[j]! + beta * p[j]!;
      rs = next;
    }
    target.set(x, o);
  }
}

class IalsModel implements Fitted {
  readonly name = 'ials';
  private yty: Float32Array | null = null;
  private norms: Float32Array | null = null;

  constructor(
    readonly params: Readonly<IalsParams>,
    private readonly userFactors: Float32Array,
    private readonly itemFactors: Float32Array,
    private readonly users: number,
    readonly items: number,
  ) {}

  score(user: UserInput, out: Float32Array): void {
    const f = this.params.factors;
    const v = typeof user === 'number' ? this.userVector(user) : this.foldIn(user);
    gemv(this.itemFactors, this.items, f, v, out);
  }

  similarItems(item: number, out: Float32Array): void {
    const f = this.params.factors;
    const norms = this.itemNorms();
    const v = this.itemFactors.subarray(item * f, item * f + f);
    gemv(this.itemFactors, this.items, f, v, out);
    for (let i = 0; i < this.items; i++) out[i] = out[i]! / (norms[i]! * norms[item]! || 1);
  }

  similarity(a: number, b: number): number {
    const f = this.params.factors;
    const norms = this.itemNorms();
    return dot(this.itemFactors, a * f, this.itemFactors, b * f, f) / (norms[a]! * norms[b]! || 1);
  }

  private itemNorms(): Float32Array {
    if (!this.norms) {
      const f = this.params.factors;
      this.norms = new Float32Array(this.items);
      for (let i = 0; i < this.items; i++)
        this.norms[i] = Math.sqrt(dot(this.itemFactors, i * f, this.itemFactors, i * f, f));
    }
    return this.norms;
  }

  private userVector(user: number): Float32Array {
    const f = this.params.factors;
    if (user < this.users) return this.userFactors.subarray(user * f, user * f + f);
    return new Float32Array(f);
  }

  /** The exact least-squares factor of a new user against the fixed item factors. */
  private foldIn(row: SparseRow): Float32Array {
    const f = this.params.factors;
    if (!this.yty) {
      this.yty = new Float32Array(f * f);
      gram(this.itemFactors, this.items, f, this.params.regularization, this.yty);
    }
    const a = Float64Array.from(this.yty);
    const b = new Float64Array(f);
    for (let q = 0; q < row.indices.length; q++) {
      const c = 1 + this.params.alpha * row.values[q]!;
      const io = row.indices[q]! * f;
      for (let j = 0; j < f; j++) {
        const yj = this.itemFactors[io + j]!;
        b[j]! += c * yj;
        for (let l = 0; l < f; l++) a[j * f + l]! += (c - 1) * yj * this.itemFactors[io + l]!;
      }
    }
    if (!choleskySolve(a, b, f)) return new Float32Array(f);
    return Float32Array.from(b);
  }

  toArtifact(): Artifact {
    return {
      name: this.name,
      params: { ...this.params },
      meta: { users: this.users, items: this.items },
      arrays: { userFactors: this.userFactors, itemFactors: this.itemFactors },
    };
  }
}

/** Rebuilds an iALS model from its artifact. */
export function loadIals(a: Artifact): Fitted {
  const params = resolveParams('ials', DEFAULTS, a.params as Partial<IalsParams>);
  return new IalsModel(
    params,
    a.arrays.userFactors as Float32Array,
    a.arrays.itemFactors as Float32Array,
    Number(a.meta.users),
    Number(a.meta.items),
  );
}
