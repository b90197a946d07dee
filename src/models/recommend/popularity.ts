import { type Csr, row } from '../../core/csr.js';
import {
  type Artifact,
  checkAbort,
  type Estimator,
  type Fitted,
  resolveParams,
  type TrainingData,
  type UserInput,
} from './contract.js';

/** Hyperparameters of {@link popularity}. */
export interface PopularityParams {
  /** 'users': how many users interacted; 'weight': the summed interaction strength. */
  measure: 'users' | 'weight';
  /**
   * 'global': one list for everyone. 'category': items of the top-level categories a user
   * interacts with most come first, each category ordered by popularity.
   */
  scope: 'global' | 'category';
}

const DEFAULTS: PopularityParams = { measure: 'users', scope: 'global' };

/**
 * The most popular items: the baseline every personalized model must beat, and the fallback for
 * users without history. Unknown users get the global list (or, with scope 'category', the
 * categories of the interactions they bring).
 */
export function popularity(params: Partial<PopularityParams> = {}): Estimator<PopularityParams> {
  const p = resolveParams('popularity', DEFAULTS, params);
  if (!['users', 'weight'].includes(p.measure))
    throw new Error(`popularity: measure must be users or weight`);
  if (!['global', 'category'].includes(p.scope))
    throw new Error(`popularity: scope must be global or category`);
  return {
    name: 'popularity',
    kind: 'implicit',
    params: p,
    async fit(data: TrainingData, options = {}) {
      checkAbort(options.signal);
      const m = data.interactions;
      const counts = new Float32Array(m.cols);
      for (let k = 0; k < m.indices.length; k++)
        counts[m.indices[k]!]! += p.measure === 'users' ? 1 : m.values[k]!;
      const category = new Int32Array(m.cols).fill(-1);
      if (p.scope === 'category') {
        const names = new Map<string, number>();
        data.items?.forEach((item, i) => {
          const top = item.category?.split('>')[0]?.trim().toLowerCase();
          if (top) {
            if (!names.has(top)) names.set(top, names.size);
            category[i] = names.get(top)!;
          }
        });
      }
      return new PopularityModel(p, normalize(counts), category, p.scope === 'category' ? m : null);
    },
  };
}

/** Scales to [0, 1) so it can be added to integer category counts without reordering them. */
function normalize(counts: Float32Array): Float32Array {
  let max = 0;
  for (const c of counts) max = Math.max(max, c);
  return counts.map((c) => c / (max + 1));
}

class PopularityModel implements Fitted {
  readonly name = 'popularity';
  readonly items: number;

  constructor(
    readonly params: Readonly<PopularityParams>,
    private readonly popularity: Float32Array,
    private readonly category: Int32Array,
    private readonly train: Csr | null,
  ) {
    this.items = popularity.length;
  }

  score(user: UserInput, out: Float32Array): void {
    out.set(this.popularity);
    if (this.params.scope !== 'category') return;
    const r =
      typeof user === 'number' ? (this.train && user < this.train.rows ? row(this.train, user) : null) : user;
    if (!r) return;
    const affinity = new Map<number, number>();
    for (const i of r.indices) {
      const c = this.category[i]!;
      if (c >= 0) affinity.set(c, (affinity.get(c) ?? 0) + 1);
    }
    for (let i = 0; i < out.length; i++) out[i]! += affinity.get(this.category[i]!) ?? 0;
  }

  toArtifact(): Artifact {
    const arrays: Artifact['arrays'] = { popularity: this.popularity, category: this.category };
    if (this.train) Object.assign(arrays, { indptr: this.train.indptr, indices: this.train.indices });
    return { name: this.name, params: { ...this.params }, meta: { users: this.train?.rows ?? 0 }, arrays };
  }

  /** Rebuilds the model from {@link toArtifact}'s output. */
  static load(a: Artifact): PopularityModel {
    const params = resolveParams('popularity', DEFAULTS, a.params as Partial<PopularityParams>);
    const indptr = a.arrays.indptr as Uint32Array | undefined;
    const train = indptr
      ? {
          rows: Number(a.meta.users),
          cols: a.arrays.popularity!.length,
          indptr,
          indices: a.arrays.indices as Uint32Array,
          values: new Float32Array((a.arrays.indices as Uint32Array).length).fill(1),
        }
      : null;
    return new PopularityModel(
      params,
      a.arrays.popularity as Float32Array,
      a.arrays.category as Int32Array,
      train,
    );
  }
}

/** Rebuilds a popularity model from its artifact. */
export const loadPopularity = (a: Artifact): Fitted => PopularityModel.load(a);
