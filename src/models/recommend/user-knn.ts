import { type Csr, row, transpose } from '../../core/csr.js';
import { topK } from '../../core/topk.js';
import {
  type Artifact,
  checkAbort,
  type Estimator,
  type Fitted,
  resolveParams,
  type TrainingData,
  type UserInput,
} from './contract.js';

/** Hyperparameters of {@link userKnn}. */
export interface UserKnnParams {
  /** Neighbors whose items are summed. */
  k: number;
  /** Added to the cosine denominator: users with little overlap count less. */
  shrink: number;
}

const DEFAULTS: UserKnnParams = { k: 50, shrink: 10 };

/**
 * User-based collaborative filtering: the k users most similar to a user (cosine with shrinkage
 * over their interactions, found through the item -> users index) vote for their items, weighted
 * by similarity. Nothing is precomputed beyond the index, so a new user is scored exactly like a
 * known one, from their interactions.
 */
export function userKnn(params: Partial<UserKnnParams> = {}): Estimator<UserKnnParams> {
  const p = resolveParams('userknn', DEFAULTS, params);
  if (!(p.k >= 1)) throw new Error('userknn: k must be at least 1');
  return {
    name: 'userknn',
    kind: 'implicit',
    params: p,
    async fit(data: TrainingData, options = {}) {
      checkAbort(options.signal);
      return new UserKnnModel(p, data.interactions);
    },
  };
}

class UserKnnModel implements Fitted {
  readonly name = 'userknn';
  readonly items: number;
  private readonly byItem: Csr;
  private readonly norms: Float32Array;
  private readonly overlap: Float64Array;

  constructor(
    readonly params: Readonly<UserKnnParams>,
    private readonly train: Csr,
  ) {
    this.items = train.cols;
    this.byItem = transpose(train);
    this.norms = new Float32Array(train.rows);
    for (let u = 0; u < train.rows; u++) {
      let s = 0;
      for (let q = train.indptr[u]!; q < train.indptr[u + 1]!; q++) s += train.values[q]! ** 2;
      this.norms[u] = Math.sqrt(s);
    }
    this.overlap = new Float64Array(train.rows);
  }

  score(user: UserInput, out: Float32Array): void {
    out.fill(0);
    const self = typeof user === 'number' ? user : -1;
    const r = typeof user !== 'number' ? user : row(this.train, user);
    let norm = 0;
    for (const v of r.values) norm += v * v;
    norm = Math.sqrt(norm);
    const overlap = this.overlap;
    for (let q = 0; q < r.indices.length; q++) {
      const i = r.indices[q]!;
      const w = r.values[q]!;
      for (let t = this.byItem.indptr[i]!; t < this.byItem.indptr[i + 1]!; t++) {
        overlap[this.byItem.indices[t]!]! += w * this.byItem.values[t]!;
      }
    }
    const sims = new Float32Array(this.train.rows);
    for (let v = 0; v < this.train.rows; v++) {
      if (overlap[v] === 0 || v === self) {
        sims[v] = Number.NEGATIVE_INFINITY;
        overlap[v] = 0;
        continue;
      }
      sims[v] = overlap[v]! / (norm * this.norms[v]! + this.params.shrink);
      overlap[v] = 0;
    }
    const neighbors = topK(sims, this.params.k);
    for (let n = 0; n < neighbors.items.length; n++) {
      const v = neighbors.items[n]!;
      const s = neighbors.scores[n]!;
      for (let q = this.train.indptr[v]!; q < this.train.indptr[v + 1]!; q++) {
        out[this.train.indices[q]!]! += s * this.train.values[q]!;
      }
    }
  }

  toArtifact(): Artifact {
    return {
      name: this.name,
      params: { ...this.params },
      meta: { users: this.train.rows, items: this.items },
      arrays: { indptr: this.train.indptr, indices: this.train.indices, values: this.train.values },
    };
  }
}

/** Rebuilds a user-kNN model from its artifact. */
export function loadUserKnn(a: Artifact): Fitted {
  const params = resolveParams('userknn', DEFAULTS, a.params as Partial<UserKnnParams>);
  return new UserKnnModel(params, {
    rows: Number(a.meta.users),
    cols: Number(a.meta.items),
    indptr: a.arrays.indptr as Uint32Array,
    indices: a.arrays.indices as Uint32Array,
    values: a.arrays.values as Float32Array,
  });
}
