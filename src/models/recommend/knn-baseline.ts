import { type Csr, type SparseRow, transpose } from '../../core/csr.js';
import {
  alsBiases,
  clip,
  expectArtifact,
  foldInUserBias,
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
 * Surprise's KNNBaseline (Koren 2010, eq. 3): r̂_ui = b_ui + Σ_{v∈N^k_i(u)} s(u,v)(r_vi − b_vi) /
 * Σ s(u,v), with b_ui = μ + b_u + b_i from ALS ({@link alsBiases}) and N^k_i(u) the k most similar
 * users who rated i, counting only positive similarities (item-based: the k most similar items the
 * user rated). Fewer than `minK` such neighbours: the baseline alone. Similarities are Surprise's
 * cosine, msd, pearson and pearson_baseline over co-rated items (users when item-based), kept as a
 * dense n x n matrix, as Surprise does.
 */

/** Similarity measures, as Surprise names them. */
export type KnnSimilarity = 'pearson_baseline' | 'msd' | 'cosine' | 'pearson';

/** Hyperparameters of {@link knnBaseline}; Surprise's sim_options and bsl_options, flattened. */
export interface KnnBaselineParams {
  /** Most neighbours aggregated. */
  k: number;
  /** Fewer neighbours (with positive similarity) than this: predict the baseline alone. */
  minK: number;
  similarity: KnnSimilarity;
  /** pearson_baseline only: similarity × (n − 1) / (n − 1 + shrinkage) for n common ratings. */
  shrinkage: number;
  /** Neighbours are users (true) or items (false); item-based models also offer similar items. */
  userBased: boolean;
  /** Pairs with fewer common ratings get similarity 0 (pearson_baseline needs at least 2). */
  minSupport: number;
  /** ALS baselines (Surprise's bsl_options n_epochs, reg_u, reg_i). */
  baselineEpochs: number;
  regU: number;
  regI: number;
}

const DEFAULTS: KnnBaselineParams = {
  k: 40,
  minK: 1,
  similarity: 'msd',
  shrinkage: 100,
  userBased: true,
  minSupport: 1,
  baselineEpochs: 10,
  regU: 15,
  regI: 10,
};

const SIMILARITIES: readonly KnnSimilarity[] = ['pearson_baseline', 'msd', 'cosine', 'pearson'];

/** A dense n x n Float32 similarity matrix beyond this many users (or items) would not fit in memory. */
const MAX_DENSE = 20_000;

/**
 * Neighbourhood model on top of baselines, as Surprise's KNNBaseline: transparent ("because similar
 * shoppers liked it") and strong on MovieLens. A user the model never saw brings their ratings: their
 * bias is folded in ({@link foldInUserBias}), and their ratings are used directly, either to
 * compute their similarity to every training user (user-based) or as the neighbour items (item-based).
 */
export function knnBaseline(params: Partial<KnnBaselineParams> = {}): Estimator<KnnBaselineParams> {
  const p = resolveParams('knnbaseline', DEFAULTS, params);
  if (!SIMILARITIES.includes(p.similarity))
    throw new Error(`knnbaseline: similarity must be one of ${SIMILARITIES.join(', ')}`);
  if (!(Number.isInteger(p.k) && p.k >= 1)) throw new Error('knnbaseline: k must be an integer >= 1');
  if (!(Number.isInteger(p.minK) && p.minK >= 0))
    throw new Error('knnbaseline: minK must be an integer >= 0');
  return {
    name: 'knnbaseline',
    kind: 'explicit',
    params: p,
    async fit(data: TrainingData, options: FitOptions = {}) {
      checkAbort(options.signal);
      const r = requireRatings('knnbaseline', data);
      const n = p.userBased ? r.rows : r.cols;
      if (n > MAX_DENSE)
        throw new Error(
          `knnbaseline: ${n} ${p.userBased ? 'users' : 'items'} would need a ${n} x ${n} similarity matrix; ` +
            `use at most ${MAX_DENSE}, or a factorization model`,
        );
      const stats = ratingStats(r);
      const byItem = transpose(r);
      const bslProgress = {
        signal: options.signal,
        onProgress: (x: { fraction: number }) =>
          options.onProgress?.({ fraction: 0.2 * x.fraction, message: 'knnbaseline: baselines' }),
      };
      const { bu, bi } = alsBiases(r, stats.mean, p.baselineEpochs, p.regU, p.regI, bslProgress, byItem);
      const geometry = new Geometry(p, r, byItem, bu, bi, stats.mean);
      const sim = computeSimilarities(geometry, p, options);
      return createKnnModel(p, stats, r, byItem, bu, bi, sim);
    },
  };
}

/** The neighbour side (x) and the co-rating side (y) of a fit, and their biases. */
class Geometry {
  /** x-major ratings (users when user-based). */
  readonly xr: Csr;
  /** y-major ratings. */
  readonly yr: Csr;
  readonly bx: Float64Array;
  readonly by: Float64Array;

  constructor(
    p: Readonly<KnnBaselineParams>,
    byUser: Csr,
    byItem: Csr,
    bu: Float64Array,
    bi: Float64Array,
    readonly mean: number,
  ) {
    this.xr = p.userBased ? byUser : byItem;
    this.yr = p.userBased ? byItem : byUser;
    this.bx = p.userBased ? bu : bi;
    this.by = p.userBased ? bi : bu;
  }
}

const COSINE = 0;
const MSD = 1;
const PEARSON = 2;
const PEARSON_BASELINE = 3;
const kindOf = (s: KnnSimilarity) =>
  s === 'cosine' ? COSINE : s === 'msd' ? MSD : s === 'pearson' ? PEARSON : PEARSON_BASELINE;

/** Per-row sums over common ratings, reset after each row through the `touched` list. */
class Accumulator {
  readonly freq: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly c: Float64Array;
  readonly d: Float64Array;
  readonly e: Float64Array;
  readonly touched: Uint32Array;
  size = 0;

  constructor(n: number) {
    this.freq = new Float64Array(n);
    this.a = new Float64Array(n);
    this.b = new Float64Array(n);
    this.c = new Float64Array(n);
    this.d = new Float64Array(n);
    this.e = new Float64Array(n);
    this.touched = new Uint32Array(n);
  }

  reset(): void {
    for (let t = 0; t < this.size; t++) {
      const x = this.touched[t]!;
      this.freq[x] = 0;
      this.a[x] = 0;
      this.b[x] = 0;
      this.c[x] = 0;
      this.d[x] = 0;
      this.e[x] = 0;
    }
    this.size = 0;
  }
}

/**
 * Adds the common ratings of one x (its ratings `ys`/`rs`, its bias `bxi`) with every other x that
 * rated the same y, skipping x's at or below `after` (so a symmetric matrix is computed once).
 */
function accumulate(
  ys: Uint32Array,
  rs: Float32Array,
  bxi: number,
  g: Geometry,
  kind: number,
  acc: Accumulator,
  after: number,
): void {
  const { indptr, indices, values } = g.yr;
  const { bx, by, mean } = g;
  const { freq, a, b, c, d, e, touched } = acc;
  let size = acc.size;
  for (let k = 0; k < ys.length; k++) {
    const y = ys[k]!;
    const ri = rs[k]!;
    const partial = mean + by[y]!;
    const di = ri - (partial + bxi);
    const end = indptr[y + 1]!;
    for (let m = indptr[y]!; m < end; m++) {
      const xj = indices[m]!;
      if (xj <= after) continue;
      const rj = values[m]!;
      if (freq[xj] === 0) touched[size++] = xj;
      freq[xj]!++;
      if (kind === MSD) {
        const diff = ri - rj;
        a[xj]! += diff * diff;
      } else if (kind === PEARSON_BASELINE) {
        const dj = rj - (partial + bx[xj]!);
        a[xj]! += di * dj;
        b[xj]! += di * di;
        c[xj]! += dj * dj;
      } else {
        a[xj]! += ri * rj;
        b[xj]! += ri * ri;
        c[xj]! += rj * rj;
        if (kind === PEARSON) {
          d[xj]! += ri;
          e[xj]! += rj;
        }
      }
    }
  }
  acc.size = size;
}

/** Surprise's similarity of one pair from its sums (0 below the minimum support or for a zero denominator). */
function finish(acc: Accumulator, x: number, kind: number, minSupport: number, shrinkage: number): number {
  const n = acc.freq[x]!;
  if (kind === PEARSON_BASELINE) {
    if (n < Math.max(2, minSupport)) return 0;
    const den = Math.sqrt(acc.b[x]! * acc.c[x]!);
    return den === 0 ? 0 : (acc.a[x]! / den) * ((n - 1) / (n - 1 + shrinkage));
  }
  if (n < minSupport) return 0;
  if (kind === MSD) return 1 / (acc.a[x]! / n + 1);
  if (kind === COSINE) {
    const den = Math.sqrt(acc.b[x]! * acc.c[x]!);
    return den === 0 ? 0 : acc.a[x]! / den;
  }
  const si = acc.d[x]!;
  const sj = acc.e[x]!;
  const den = Math.sqrt((n * acc.b[x]! - si * si) * (n * acc.c[x]! - sj * sj));
  return den === 0 ? 0 : (n * acc.a[x]! - si * sj) / den;
}

/** The dense symmetric similarity matrix of all x's (diagonal 1, as Surprise). */
function computeSimilarities(g: Geometry, p: Readonly<KnnBaselineParams>, options: FitOptions): Float32Array {
  const n = g.xr.rows;
  const sim = new Float32Array(n * n);
  const acc = new Accumulator(n);
  const kind = kindOf(p.similarity);
  const { indptr, indices, values } = g.xr;
  for (let x = 0; x < n; x++) {
    if ((x & 255) === 0) {
      checkAbort(options.signal);
      options.onProgress?.({ fraction: 0.2 + (0.8 * x) / n, message: `knnbaseline: similarities ${x}/${n}` });
    }
    sim[x * n + x] = 1;
    const start = indptr[x]!;
    const end = indptr[x + 1]!;
    accumulate(indices.subarray(start, end), values.subarray(start, end), g.bx[x]!, g, kind, acc, x);
    for (let t = 0; t < acc.size; t++) {
      const xj = acc.touched[t]!;
      const s = finish(acc, xj, kind, p.minSupport, p.shrinkage);
      sim[x * n + xj] = s;
      sim[xj * n + x] = s;
    }
    acc.reset();
  }
  options.onProgress?.({ fraction: 1, message: 'knnbaseline: done' });
  return sim;
}

/** The k best (similarity, deviation) pairs seen so far: a min-heap, ties kept by first arrival. */
class Neighbours {
  readonly sims: Float64Array;
  readonly devs: Float64Array;
  readonly order: Float64Array;
  size = 0;

  constructor(readonly k: number) {
    this.sims = new Float64Array(k);
    this.devs = new Float64Array(k);
    this.order = new Float64Array(k);
  }

  /** Worse: lower similarity, or equal similarity and later arrival. */
  private worse(a: number, b: number): boolean {
    return (
      this.sims[a]! < this.sims[b]! || (this.sims[a] === this.sims[b] && this.order[a]! > this.order[b]!)
    );
  }

  private set(at: number, s: number, dev: number, order: number): void {
    this.sims[at] = s;
    this.devs[at] = dev;
    this.order[at] = order;
  }

  /** Offers a neighbour (arrivals must come in increasing `order`). */
  offer(s: number, dev: number, order: number): void {
    if (this.size < this.k) {
      let j = this.size++;
      this.set(j, s, dev, order);
      while (j > 0) {
        const parent = (j - 1) >> 1;
        if (!this.worse(j, parent)) break;
        this.swap(j, parent);
        j = parent;
      }
      return;
    }
    // A later arrival with an equal similarity loses the tie, as in a stable sort.
    if (!(s > this.sims[0]!)) return;
    this.set(0, s, dev, order);
    let j = 0;
    for (;;) {
      const l = 2 * j + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const c = r < this.size && this.worse(r, l) ? r : l;
      if (!this.worse(c, j)) break;
      this.swap(c, j);
      j = c;
    }
  }

  private swap(a: number, b: number): void {
    const s = this.sims[a]!;
    const d = this.devs[a]!;
    const o = this.order[a]!;
    this.set(a, this.sims[b]!, this.devs[b]!, this.order[b]!);
    this.set(b, s, d, o);
  }
}

/**
 * Σ s·(r − b) / Σ s over the k most similar positive neighbours among the ratings
 * `indices[start..end)`/`values` (neighbour x's and their ratings of one y), with similarities read
 * at `sim[simOffset + x]`; 0 when fewer than `minK` qualify.
 */
function neighbourDeviation(
  indices: Uint32Array,
  values: Float32Array,
  start: number,
  end: number,
  sim: Float32Array,
  simOffset: number,
  baseY: number,
  bx: Float64Array,
  heap: Neighbours,
  minK: number,
): number {
  heap.size = 0;
  for (let m = start; m < end; m++) {
    const x2 = indices[m]!;
    const s = sim[simOffset + x2]!;
    if (!(s > 0)) continue;
    heap.offer(s, values[m]! - (baseY + bx[x2]!), m);
  }
  if (heap.size < minK || heap.size === 0) return 0;
  let sumSim = 0;
  let sumDev = 0;
  for (let t = 0; t < heap.size; t++) {
    sumSim += heap.sims[t]!;
    sumDev += heap.sims[t]! * heap.devs[t]!;
  }
  return sumDev / sumSim;
}

function createKnnModel(
  p: Readonly<KnnBaselineParams>,
  stats: RatingStats,
  byUser: Csr,
  byItem: Csr,
  bu: Float64Array,
  bi: Float64Array,
  sim: Float32Array,
): Fitted {
  return p.userBased
    ? new KnnBaselineModel(p, stats, byUser, byItem, bu, bi, sim)
    : new ItemKnnBaselineModel(p, stats, byUser, byItem, bu, bi, sim);
}

class KnnBaselineModel implements Fitted {
  readonly name = 'knnbaseline';
  readonly items: number;
  protected readonly heap: Neighbours;
  protected readonly geometry: Geometry;

  constructor(
    readonly params: Readonly<KnnBaselineParams>,
    protected readonly stats: RatingStats,
    protected readonly byUser: Csr,
    protected readonly byItem: Csr,
    protected readonly bu: Float64Array,
    protected readonly bi: Float64Array,
    protected readonly sim: Float32Array,
  ) {
    this.items = bi.length;
    this.heap = new Neighbours(params.k);
    this.geometry = new Geometry(params, byUser, byItem, bu, bi, stats.mean);
  }

  private knownUser(u: number): boolean {
    return u >= 0 && u < this.bu.length && this.stats.userCounts[u]! > 0;
  }

  /** b_ui plus the neighbours' deviation for a training user (Surprise's `estimate`), unclipped. */
  private estimate(u: number, i: number): number {
    const { mean, itemCounts } = this.stats;
    const userKnown = this.knownUser(u);
    const itemKnown = i >= 0 && i < this.items && itemCounts[i]! > 0;
    const est = mean + (userKnown ? this.bu[u]! : 0) + (itemKnown ? this.bi[i]! : 0);
    if (!userKnown || !itemKnown) return est;
    const { minK, userBased } = this.params;
    if (userBased) {
      const { indptr, indices, values } = this.byItem;
      const n = this.bu.length;
      const baseY = mean + this.bi[i]!;
      return (
        est +
        neighbourDeviation(
          indices,
          values,
          indptr[i]!,
          indptr[i + 1]!,
          this.sim,
          u * n,
          baseY,
          this.bu,
          this.heap,
          minK,
        )
      );
    }
    const { indptr, indices, values } = this.byUser;
    const n = this.items;
    const baseY = mean + this.bu[u]!;
    return (
      est +
      neighbourDeviation(
        indices,
        values,
        indptr[u]!,
        indptr[u + 1]!,
        this.sim,
        i * n,
        baseY,
        this.bi,
        this.heap,
        minK,
      )
    );
  }

  /**
   * A user the model never saw: bias folded in from their ratings; item-based, their ratings are the
   * neighbour items; user-based, their similarity to every training user is computed from the same
   * measure over the items in common, then neighbours are taken as for anyone else.
   */
  private scoreNewUser(row: SparseRow, out: Float32Array): void {
    const { mean, itemCounts } = this.stats;
    const { minK, userBased } = this.params;
    // Only items the model knows take part.
    const keep: number[] = [];
    for (let k = 0; k < row.indices.length; k++) {
      const i = row.indices[k]!;
      if (i < this.items && itemCounts[i]! > 0) keep.push(k);
    }
    const ys = Uint32Array.from(keep, (k) => row.indices[k]!);
    const rs = Float32Array.from(keep, (k) => row.values[k]!);
    const bu = foldInUserBias({ indices: ys, values: rs }, mean, this.bi, this.params.regU);
    if (ys.length === 0) {
      for (let i = 0; i < this.items; i++) out[i] = mean + this.bi[i]!;
      return;
    }
    if (userBased) {
      const users = this.bu.length;
      const acc = new Accumulator(users);
      accumulate(ys, rs, bu, this.geometry, kindOf(this.params.similarity), acc, -1);
      const simRow = new Float32Array(users);
      for (let t = 0; t < acc.size; t++) {
        const v = acc.touched[t]!;
        simRow[v] = finish(
          acc,
          v,
          kindOf(this.params.similarity),
          this.params.minSupport,
          this.params.shrinkage,
        );
      }
      const { indptr, indices, values } = this.byItem;
      for (let i = 0; i < this.items; i++) {
        const baseY = mean + this.bi[i]!;
        const est = baseY + bu;
        out[i] =
          itemCounts[i] === 0
            ? est
            : est +
              neighbourDeviation(
                indices,
                values,
                indptr[i]!,
                indptr[i + 1]!,
                simRow,
                0,
                baseY,
                this.bu,
                this.heap,
                minK,
              );
      }
      return;
    }
    const n = this.items;
    const baseY = mean + bu;
    for (let i = 0; i < n; i++) {
      const est = baseY + this.bi[i]!;
      out[i] =
        itemCounts[i] === 0
          ? est
          : est + neighbourDeviation(ys, rs, 0, ys.length, this.sim, i * n, baseY, this.bi, this.heap, minK);
    }
  }

  /** Unclipped predicted ratings for every item. */
  score(user: UserInput, out: Float32Array): void {
    if (typeof user !== 'number') {
      this.scoreNewUser(user, out);
      return;
    }
    for (let i = 0; i < this.items; i++) out[i] = this.estimate(user, i);
  }

  predict(user: number, item: number): number {
    return clip(this.estimate(user, item), this.stats.min, this.stats.max);
  }

  toArtifact(): Artifact {
    return {
      name: this.name,
      params: { ...this.params },
      meta: statsMeta(this.stats),
      arrays: {
        bu: this.bu,
        bi: this.bi,
        sim: this.sim,
        indptr: this.byUser.indptr,
        indices: this.byUser.indices,
        values: this.byUser.values,
        ...statsArrays(this.stats),
      },
    };
  }
}

/** Item-based variant: the item-item similarities also answer "similar items". */
class ItemKnnBaselineModel extends KnnBaselineModel {
  /** The item's row of the similarity matrix (itself 1). */
  similarItems(item: number, out: Float32Array): void {
    if (!(item >= 0 && item < this.items)) throw new RangeError(`no item ${item} (catalog of ${this.items})`);
    out.set(this.sim.subarray(item * this.items, (item + 1) * this.items));
  }

  similarity(a: number, b: number): number {
    return this.sim[a * this.items + b]!;
  }
}

/** Rebuilds a KNNBaseline model from its artifact. */
export function loadKnnBaseline(a: Artifact): Fitted {
  expectArtifact(a, 'knnbaseline');
  const p = resolveParams('knnbaseline', DEFAULTS, a.params as Partial<KnnBaselineParams>);
  const stats = statsFromArtifact(a);
  const byUser: Csr = {
    rows: stats.userCounts.length,
    cols: stats.itemCounts.length,
    indptr: a.arrays.indptr as Uint32Array,
    indices: a.arrays.indices as Uint32Array,
    values: a.arrays.values as Float32Array,
  };
  return createKnnModel(
    p,
    stats,
    byUser,
    transpose(byUser),
    a.arrays.bu as Float64Array,
    a.arrays.bi as Float64Array,
    a.arrays.sim as Float32Array,
  );
}
