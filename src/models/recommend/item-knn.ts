import { type Csr, row, transpose } from '../../core/csr.js';
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

/** Hyperparameters of {@link itemKnn}. */
export interface ItemKnnParams {
  /** Neighbors kept per item. */
  k: number;
  /** Added to the cosine denominator: pairs seen together by few users count less. */
  shrink: number;
  /** Reweighting of the user x item matrix before similarities ('bm25' as in implicit, with k1 and b). */
  weighting: 'none' | 'tfidf' | 'bm25';
  k1: number;
  b: number;
}

const DEFAULTS: ItemKnnParams = { k: 100, shrink: 10, weighting: 'none', k1: 100, b: 0.8 };

/**
 * Item-based collaborative filtering: items are similar when the same users interacted with them
 * (cosine with shrinkage, on optionally TF-IDF/BM25-weighted interactions), each item keeps its k
 * nearest neighbors, and a user's score for an item is the sum of its similarities to the items
 * the user interacted with, weighted by how strongly. Users the model never saw are scored the
 * same way from their interactions (no refit needed). The neighbor search runs on all threads.
 */
export function itemKnn(params: Partial<ItemKnnParams> = {}): Estimator<ItemKnnParams> {
  const p = resolveParams('itemknn', DEFAULTS, params);
  if (!(p.k >= 1)) throw new Error('itemknn: k must be at least 1');
  if (!['none', 'tfidf', 'bm25'].includes(p.weighting))
    throw new Error('itemknn: weighting must be none, tfidf or bm25');
  return {
    name: 'itemknn',
    kind: 'implicit',
    params: p,
    async fit(data: TrainingData, options: FitOptions = {}) {
      checkAbort(options.signal);
      const x = data.interactions;
      const weighted = weigh(x, p);
      const byItem = transpose(weighted);
      const norms = new Float32Array(x.cols);
      for (let i = 0; i < x.cols; i++) {
        let s = 0;
        for (let q = byItem.indptr[i]!; q < byItem.indptr[i + 1]!; q++) s += byItem.values[q]! ** 2;
        norms[i] = Math.sqrt(s);
      }
      const shared = (options.parallel?.threads ?? 1) > 1;
      const k = Math.min(p.k, Math.max(1, x.cols - 1));
      const args = {
        itemIndptr: shareable(byItem.indptr, shared),
        itemUsers: shareable(byItem.indices, shared),
        itemValues: shareable(byItem.values, shared),
        userIndptr: shareable(weighted.indptr, shared),
        userItems: shareable(weighted.indices, shared),
        userValues: shareable(weighted.values, shared),
        norms: shareable(norms, shared),
        shrink: p.shrink,
        k,
        neighbors: allocate(Uint32Array, x.cols * k, shared),
        similarities: allocate(Float32Array, x.cols * k, shared),
      };
      args.similarities.fill(Number.NEGATIVE_INFINITY);
      options.onProgress?.({ fraction: 0, message: `similarities of ${x.cols} items` });
      await forRange(options.parallel, 'itemknn.neighbors', x.cols, args, itemNeighbors);
      checkAbort(options.signal);
      options.onProgress?.({ fraction: 1, message: 'done' });
      return new ItemKnnModel(
        p,
        x,
        Uint32Array.from(args.neighbors),
        Float32Array.from(args.similarities),
        k,
      );
    },
  };
}

/** Applies the TF-IDF or BM25 reweighting (items are the documents, users the terms). */
function weigh(x: Csr, p: ItemKnnParams): Csr {
  if (p.weighting === 'none') return x;
  const items = x.cols;
  const perUser = new Float64Array(x.rows);
  for (let u = 0; u < x.rows; u++) perUser[u] = x.indptr[u + 1]! - x.indptr[u]!;
  const itemLength = new Float64Array(items);
  for (let q = 0; q < x.indices.length; q++) itemLength[x.indices[q]!]! += x.values[q]!;
  let mean = 0;
  for (const l of itemLength) mean += l / items;
  const values = new Float32Array(x.values.length);
  for (let u = 0; u < x.rows; u++) {
    const idf = Math.max(0, Math.log(items) - Math.log1p(perUser[u]!));
    for (let q = x.indptr[u]!; q < x.indptr[u + 1]!; q++) {
      const v = x.values[q]!;
      if (p.weighting === 'tfidf') values[q] = Math.sqrt(v) * idf;
      else {
        const norm = 1 - p.b + (p.b * itemLength[x.indices[q]!]!) / (mean || 1);
        values[q] = ((v * (p.k1 + 1)) / (p.k1 * norm + v)) * idf;
      }
    }
  }
  return { ...x, values };
}

/** Kernel: the k nearest neighbors of items [start, end), written into shared arrays. */
export function itemNeighbors(args: Record<string, unknown>, start: number, end: number): void {
  const itemIndptr = args.itemIndptr as Uint32Array;
  const itemUsers = args.itemUsers as Uint32Array;
  const itemValues = args.itemValues as Float32Array;
  const userIndptr = args.userIndptr as Uint32Array;
  const userItems = args.userItems as Uint32Array;
  const userValues = args.userValues as Float32Array;
  const norms = args.norms as Float32Array;
  const shrink = args.shrink as number;
  const k = args.k as number;
  const neighbors = args.neighbors as Uint32Array;
  const similarities = args.similarities as Float32Array;
  const n = norms.length;
  const acc = new Float64Array(n);
  const touched = new Uint32Array(n);
  const heapItems = new Uint32Array(k);
  const heapSims = new Float64Array(k);
  for (let i = start; i < end; i++) {
    let count = 0;
    for (let q = itemIndptr[i]!; q < itemIndptr[i + 1]!; q++) {
      const u = itemUsers[q]!;
      const w = itemValues[q]!;
      for (let r = userIndptr[u]!; r < userIndptr[u + 1]!; r++) {
        const j = userItems[r]!;
        if (j === i) continue;
        if (acc[j] === 0) touched[count++] = j;
        acc[j]! += w * userValues[r]!;
      }
    }
    // Keep the k best in a min-heap (ties: lower index wins).
    let size = 0;
    for (let t = 0; t < count; t++) {
      const j = touched[t]!;
      const s = acc[j]! / (norms[i]! * norms[j]! + shrink);
      acc[j] = 0;
      if (!(s > 0)) continue;
      if (size < k) {
        let c = size++;
        while (c > 0) {
          const parent = (c - 1) >> 1;
          if (heapSims[parent]! < s || (heapSims[parent] === s && heapItems[parent]! > j)) break;
          heapSims[c] = heapSims[parent]!;
          heapItems[c] = heapItems[parent]!;
          c = parent;
        }
        heapSims[c] = s;
        heapItems[c] = j;
      } else if (s > heapSims[0]! || (s === heapSims[0] && j < heapItems[0]!)) {
        let c = 0;
        for (;;) {
          const l = 2 * c + 1;
          if (l >= size) break;
          const r = l + 1;
          const m =
            r < size &&
            (heapSims[r]! < heapSims[l]! || (heapSims[r] === heapSims[l] && heapItems[r]! > heapItems[l]!))
              ? r
              : l;
          if (heapSims[m]! > s || (heapSims[m] === s && heapItems[m]! < j)) break;
          heapSims[c] = heapSims[m]!;
          heapItems[c] = heapItems[m]!;
          c = m;
        }
        heapSims[c] = s;
        heapItems[c] = j;
      }
    }
    for (let t = 0; t < size; t++) {
      neighbors[i * k + t] = heapItems[t]!;
      similarities[i * k + t] = heapSims[t]!;
    }
  }
}

class ItemKnnModel implements Fitted {
  readonly name = 'itemknn';
  readonly items: number;

  constructor(
    readonly params: Readonly<ItemKnnParams>,
    private readonly train: Csr,
    private readonly neighbors: Uint32Array,
    private readonly similarities: Float32Array,
    private readonly k: number,
  ) {
    this.items = train.cols;
  }

  score(user: UserInput, out: Float32Array): void {
    out.fill(0);
    const r = typeof user === 'number' ? row(this.train, user) : user;
    const k = this.k;
    for (let q = 0; q < r.indices.length; q++) {
      const i = r.indices[q]!;
      const w = r.values[q]!;
      for (let t = i * k; t < i * k + k; t++) {
        const s = this.similarities[t]!;
        if (s === Number.NEGATIVE_INFINITY) break;
        out[this.neighbors[t]!]! += w * s;
      }
    }
  }

  similarity(a: number, b: number): number {
    for (let t = a * this.k; t < a * this.k + this.k; t++) {
      const s = this.similarities[t]!;
      if (s === Number.NEGATIVE_INFINITY) break;
      if (this.neighbors[t] === b) return s;
    }
    return 0;
  }

  similarItems(item: number, out: Float32Array): void {
    out.fill(Number.NEGATIVE_INFINITY);
    for (let t = item * this.k; t < item * this.k + this.k; t++) {
      const s = this.similarities[t]!;
      if (s === Number.NEGATIVE_INFINITY) break;
      out[this.neighbors[t]!] = s;
    }
  }

  toArtifact(): Artifact {
    return {
      name: this.name,
      params: { ...this.params },
      meta: { users: this.train.rows, items: this.items, k: this.k },
      arrays: {
        indptr: this.train.indptr,
        indices: this.train.indices,
        values: this.train.values,
        neighbors: this.neighbors,
        similarities: this.similarities,
      },
    };
  }
}

/** Rebuilds an item-kNN model from its artifact. */
export function loadItemKnn(a: Artifact): Fitted {
  const params = resolveParams('itemknn', DEFAULTS, a.params as Partial<ItemKnnParams>);
  const train: Csr = {
    rows: Number(a.meta.users),
    cols: Number(a.meta.items),
    indptr: a.arrays.indptr as Uint32Array,
    indices: a.arrays.indices as Uint32Array,
    values: a.arrays.values as Float32Array,
  };
  return new ItemKnnModel(
    params,
    train,
    a.arrays.neighbors as Uint32Array,
    a.arrays.similarities as Float32Array,
    Number(a.meta.k),
  );
}
