import { type Csr, columnCounts } from '../../core/csr.js';
import { topK } from '../../core/topk.js';
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
import { carveValidation } from './validation.js';

/** Hyperparameters of {@link hybrid} (the components are given as estimators). */
export interface HybridParams {
  /** Users with fewer interactions than this get the fallback component alone (switching). */
  coldUserItems: number;
  /** Share of each user's items held out of the components' first fit to choose the blend weights. */
  validationFraction: number;
  /** Cut-off of the NDCG that the weights maximize. */
  k: number;
  /** Grid step of the weight search (weights are multiples of it, summing to 1). */
  step: number;
  seed: number;
}

const DEFAULTS: HybridParams = { coldUserItems: 3, validationFraction: 0.2, k: 20, step: 0.1, seed: 42 };

/**
 * A hybrid of several recommenders. Weighted blending: each component's scores are standardized
 * per user (z-scores) and summed with weights chosen on validation data (a share of each user's
 * training items, never the test split) by a grid search maximizing NDCG@k; the components are
 * then refitted on all the training data. Switching: users with too little history get the
 * fallback component alone, and items nobody interacted with are scored by the fallback alone
 * (name it `content` so new items can be recommended). The fallback is the last component.
 */
export function hybrid(
  components: readonly Estimator[],
  params: Partial<HybridParams> = {},
): Estimator<HybridParams> {
  const p = resolveParams('hybrid', DEFAULTS, params);
  if (components.length < 2)
    throw new Error('hybrid: needs at least two components (the last one is the fallback)');
  if (!(p.step > 0 && p.step <= 1)) throw new Error('hybrid: step must be in (0, 1]');
  return {
    name: 'hybrid',
    kind: 'implicit',
    params: p,
    async fit(data: TrainingData, options: FitOptions = {}) {
      checkAbort(options.signal);
      const { train, cases: all } = carveValidation(data, p.validationFraction, p.seed);
      const cases = all.slice(0, 2000);
      options.onProgress?.({ fraction: 0, message: 'fitting components on the validation split' });
      const first: Fitted[] = [];
      for (const c of components) first.push(await c.fit(train, { ...options, onProgress: undefined }));
      const weights = bestWeights(first, cases, train.interactions, p);
      options.onProgress?.({
        fraction: 0.5,
        message: `weights ${weights.map((w) => w.toFixed(2)).join(', ')}; refitting`,
      });
      const fitted: Fitted[] = [];
      for (const c of components) fitted.push(await c.fit(data, { ...options, onProgress: undefined }));
      options.onProgress?.({ fraction: 1, message: 'done' });
      return new HybridModel(p, fitted, weights, data.interactions);
    },
  };
}

/** Standardizes scores in place over the finite ones; non-finite become the minimum. */
function standardize(scores: Float32Array): void {
  let n = 0;
  let sum = 0;
  let ss = 0;
  let min = Number.POSITIVE_INFINITY;
  for (const s of scores) {
    if (!Number.isFinite(s)) continue;
    n++;
    sum += s;
    ss += s * s;
    if (s < min) min = s;
  }
  const mean = n ? sum / n : 0;
  const sd = n ? Math.sqrt(Math.max(0, ss / n - mean * mean)) || 1 : 1;
  const floor = n ? (min - mean) / sd : 0;
  for (let i = 0; i < scores.length; i++)
    scores[i] = Number.isFinite(scores[i]!) ? (scores[i]! - mean) / sd : floor;
}

/** Every weight vector on the grid (multiples of `step` summing to 1). */
function grid(components: number, step: number): number[][] {
  const units = Math.round(1 / step);
  const out: number[][] = [];
  const walk = (prefix: number[], left: number) => {
    if (prefix.length === components - 1) {
      out.push([...prefix, left].map((u) => u / units));
      return;
    }
    for (let u = 0; u <= left; u++) walk([...prefix, u], left - u);
  };
  walk([], units);
  return out;
}

/** The grid weights with the best mean NDCG@k on the validation cases. */
function bestWeights(
  models: Fitted[],
  cases: { user: number; relevant: Set<number> }[],
  train: Csr,
  p: HybridParams,
): number[] {
  const n = train.cols;
  const standardized = models.map(() => cases.map(() => new Float32Array(n)));
  cases.forEach((c, k) => {
    models.forEach((m, j) => {
      m.score(c.user, standardized[j]![k]!);
      standardize(standardized[j]![k]!);
    });
  });
  const blended = new Float32Array(n);
  let best: number[] = models.map((_, j) => (j === 0 ? 1 : 0));
  let bestScore = -1;
  for (const w of grid(models.length, p.step)) {
    let total = 0;
    cases.forEach((c, k) => {
      blended.fill(0);
      w.forEach((wj, j) => {
        if (wj === 0) return;
        const s = standardized[j]![k]!;
        for (let i = 0; i < n; i++) blended[i] = blended[i]! + wj * s[i]!;
      });
      const start = train.indptr[c.user]!;
      const seen = new Set(train.indices.subarray(start, train.indptr[c.user + 1]!));
      const top = topK(blended, p.k, (i) => seen.has(i)).items;
      let dcg = 0;
      let idcg = 0;
      top.forEach((i, r) => {
        if (c.relevant.has(i)) dcg += 1 / Math.log2(r + 2);
      });
      for (let r = 0; r < Math.min(p.k, c.relevant.size); r++) idcg += 1 / Math.log2(r + 2);
      total += idcg ? dcg / idcg : 0;
    });
    if (total > bestScore) {
      bestScore = total;
      best = w;
    }
  }
  return best;
}

class HybridModel implements Fitted {
  readonly name = 'hybrid';
  readonly items: number;
  private readonly cold: Uint8Array;

  constructor(
    readonly params: Readonly<HybridParams>,
    private readonly components: Fitted[],
    private readonly weights: number[],
    private readonly train: Csr,
  ) {
    this.items = train.cols;
    const counts = columnCounts(train);
    this.cold = Uint8Array.from(counts, (c) => (c === 0 ? 1 : 0));
  }

  score(user: UserInput, out: Float32Array): void {
    const history =
      typeof user === 'number'
        ? user < this.train.rows
          ? this.train.indptr[user + 1]! - this.train.indptr[user]!
          : 0
        : user.indices.length;
    const fallback = this.components[this.components.length - 1]!;
    if (history < this.params.coldUserItems) {
      fallback.score(user, out);
      return;
    }
    out.fill(0);
    const buffer = new Float32Array(this.items);
    let fallbackScores: Float32Array | null = null;
    this.components.forEach((m, j) => {
      const w = this.weights[j]!;
      const isFallback = j === this.components.length - 1;
      if (w === 0 && !isFallback) return;
      m.score(user, buffer);
      standardize(buffer);
      if (isFallback) fallbackScores = Float32Array.from(buffer);
      for (let i = 0; i < this.items; i++) out[i] = out[i]! + w * buffer[i]!;
    });
    // Items nobody interacted with: collaborative components know nothing, the fallback decides.
    const fb = fallbackScores as Float32Array | null;
    if (fb) for (let i = 0; i < this.items; i++) if (this.cold[i]) out[i] = fb[i]!;
  }

  similarity(a: number, b: number): number {
    return this.components.find((m) => m.similarity)?.similarity?.(a, b) ?? 0;
  }

  similarItems(item: number, out: Float32Array): void {
    const capable = this.components.find((m) => m.similarItems);
    if (!capable?.similarItems) {
      out.fill(Number.NEGATIVE_INFINITY);
      return;
    }
    capable.similarItems(item, out);
  }

  toArtifact(): Artifact {
    const arrays: Artifact['arrays'] = {
      indptr: this.train.indptr,
      indices: this.train.indices,
      values: this.train.values,
    };
    const meta: Artifact['meta'] = {
      users: this.train.rows,
      items: this.items,
      components: this.components.length,
      weights: JSON.stringify(this.weights),
    };
    this.components.forEach((m, j) => {
      const a = m.toArtifact();
      meta[`c${j}`] = JSON.stringify({ name: a.name, params: a.params, meta: a.meta });
      for (const [k, v] of Object.entries(a.arrays)) arrays[`c${j}.${k}`] = v;
    });
    return { name: this.name, params: { ...this.params }, meta, arrays };
  }

  /** Rebuilds a hybrid, loading each component with `load` (the registry's loader). */
  static load(a: Artifact, load: (a: Artifact) => Fitted): HybridModel {
    const count = Number(a.meta.components);
    const components: Fitted[] = [];
    for (let j = 0; j < count; j++) {
      const head = JSON.parse(String(a.meta[`c${j}`])) as Pick<Artifact, 'name' | 'params' | 'meta'>;
      const arrays: Artifact['arrays'] = {};
      for (const [k, v] of Object.entries(a.arrays))
        if (k.startsWith(`c${j}.`)) arrays[k.slice(`c${j}.`.length)] = v;
      components.push(load({ ...head, arrays }));
    }
    const train: Csr = {
      rows: Number(a.meta.users),
      cols: Number(a.meta.items),
      indptr: a.arrays.indptr as Uint32Array,
      indices: a.arrays.indices as Uint32Array,
      values: a.arrays.values as Float32Array,
    };
    return new HybridModel(
      resolveParams('hybrid', DEFAULTS, a.params as Partial<HybridParams>),
      components,
      JSON.parse(String(a.meta.weights)) as number[],
      train,
    );
  }
}

/** Rebuilds a hybrid from its artifact; `load` rebuilds each component. */
export function loadHybrid(a: Artifact, load: (a: Artifact) => Fitted): Fitted {
  return HybridModel.load(a, load);
}
