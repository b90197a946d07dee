import { transpose } from '../core/csr.js';
import { topK } from '../core/topk.js';
import type { Estimator, FitOptions, Fitted } from '../models/recommend/contract.js';
import { type Estimate, intraListDiversity, listStats, meanInterval, rankingMetrics } from './metrics.js';
import type { EvalCase, Split } from './protocols.js';

/**
 * Fits each model on a split's training data and judges it on the split's cases: every ranking
 * metric at every k with its 95% interval across users, beyond-accuracy statistics, fit time and
 * time to recommend for one user.
 */

/** One model's results. */
export interface ModelResult {
  model: string;
  params: Record<string, unknown>;
  metrics: Record<string, Estimate>;
  /** Users judged. */
  users: number;
  fitSeconds: number;
  /** Mean time to score and rank for one user, ms. */
  recommendMs: number;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions extends Pick<FitOptions, 'parallel' | 'signal'> {
  ks: readonly number[];
  onProgress?: (message: string) => void;
  /**
   * Also coverage, novelty, popularity bias and intra-list diversity (default true). Diversity
   * compares item columns pairwise, so on stores with many shoppers it costs far more than ranking.
   */
  beyondAccuracy?: boolean;
}

/** Evaluates `estimators` one after the other on `split`. */
export async function evaluate(
  split: Split,
  estimators: readonly Estimator[],
  options: EvaluateOptions,
): Promise<ModelResult[]> {
  const results: ModelResult[] = [];
  for (const estimator of estimators) {
    options.onProgress?.(`fitting ${estimator.name}`);
    if (estimator.kind === 'explicit' && (split.train.ratings?.indices.length ?? 0) === 0) {
      throw new Error(
        `${estimator.name} learns from ratings, and the training data has none ("Product Reviewed" events)`,
      );
    }
    const t0 = performance.now();
    const model = await estimator.fit(split.train, { parallel: options.parallel, signal: options.signal });
    const fitSeconds = (performance.now() - t0) / 1000;
    options.onProgress?.(`ranking with ${estimator.name}`);
    results.push({
      ...judge(model, split, options.ks, options.beyondAccuracy ?? true),
      model: estimator.name,
      params: { ...estimator.params },
      fitSeconds,
    });
  }
  return results;
}

/** Ranks for every case and aggregates the metrics. */
export function judge(
  model: Fitted,
  split: Split,
  ks: readonly number[],
  beyondAccuracy = true,
): Omit<ModelResult, 'model' | 'params' | 'fitSeconds'> {
  const maxK = Math.max(...ks);
  const perMetric = new Map<string, number[]>();
  const lists: Uint32Array[] = [];
  const scores = new Float32Array(model.items);
  let rankMs = 0;
  for (const c of split.cases) {
    const t0 = performance.now();
    const list = rank(model, c, scores, maxK, split.rankable);
    rankMs += performance.now() - t0;
    lists.push(list);
    const m = rankingMetrics(list, new Set(c.relevant), ks);
    for (const [k, v] of Object.entries(m)) {
      const values = perMetric.get(k) ?? [];
      if (values.length === 0) perMetric.set(k, values);
      values.push(v);
    }
  }
  const metrics: Record<string, Estimate> = {};
  for (const [k, values] of perMetric) metrics[k] = meanInterval(values);
  const result = {
    metrics,
    users: split.cases.length,
    recommendMs: split.cases.length ? rankMs / split.cases.length : 0,
  };
  if (!beyondAccuracy) return result;
  const train = split.train.interactions;
  const byItem = transpose(train);
  let activeUsers = 0;
  for (let u = 0; u < train.rows; u++) if (train.indptr[u + 1]! > train.indptr[u]!) activeUsers++;
  const share = new Float64Array(train.cols);
  for (let i = 0; i < train.cols; i++)
    share[i] = (byItem.indptr[i + 1]! - byItem.indptr[i]!) / Math.max(1, activeUsers);
  for (const k of ks) {
    const s = listStats(lists, k, share, activeUsers);
    metrics[`coverage@${k}`] = { mean: s.coverage, ci: [s.coverage, s.coverage] };
    metrics[`novelty@${k}`] = { mean: s.novelty, ci: [s.novelty, s.novelty] };
    metrics[`popularity@${k}`] = { mean: s.popularity, ci: [s.popularity, s.popularity] };
  }
  // Diversity costs k² per list; it is reported at the smallest k.
  const kd = Math.min(...ks);
  metrics[`diversity@${kd}`] = meanInterval(lists.map((l) => intraListDiversity(l, kd, byItem)));
  return result;
}

/** The top items for one case: all rankable items, or only its candidates, minus exclusions. */
function rank(
  model: Fitted,
  c: EvalCase,
  scores: Float32Array,
  k: number,
  rankable?: Uint8Array,
): Uint32Array {
  model.score(c.user, scores);
  for (const i of c.exclude) scores[i] = Number.NEGATIVE_INFINITY;
  if (c.candidates) {
    const sub = Float32Array.from(c.candidates, (i) => scores[i]!);
    const best = topK(sub, k);
    return Uint32Array.from(best.items, (j) => c.candidates![j]!);
  }
  return topK(scores, k, rankable ? (i) => rankable[i] === 0 : undefined).items;
}
