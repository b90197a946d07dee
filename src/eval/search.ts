import { Rng } from '../core/rng.js';
import type { Estimator, FitOptions, TrainingData } from '../models/recommend/contract.js';
import { carveValidation } from '../models/recommend/validation.js';
import { judge } from './evaluate.js';
import type { EvalCase, Split } from './protocols.js';

/**
 * Hyperparameter search: random search with successive halving (Jamieson & Talwalkar 2016). Every
 * candidate is judged on a validation split carved from the training data, never on the test
 * split; the best third (1/eta) survives each round and gets eta times the budget (iterations).
 */

/** How one hyperparameter may vary. */
export type Dimension =
  | { kind: 'choice'; values: readonly (number | string | boolean)[] }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'log'; min: number; max: number };

/** The dimensions searched, by parameter name. */
export type SearchSpace = Readonly<Record<string, Dimension>>;

/** Options of {@link search}. */
export interface SearchOptions extends Pick<FitOptions, 'parallel' | 'signal'> {
  /** Candidates drawn in the first round. */
  trials: number;
  /** Share kept per round is 1/eta. */
  eta?: number;
  /** The iterative parameter the budget scales (e.g. "iterations"), with its full value. */
  budget?: { param: string; max: number };
  /** Metric maximized on validation (default ndcg@20). */
  metric?: string;
  seed: number;
  onProgress?: (message: string) => void;
}

/** One judged candidate. */
export interface Trial {
  params: Record<string, unknown>;
  budget: number | null;
  score: number;
}

/** Searches `space` for `create`; returns the best parameters and every trial. */
export async function search(
  create: (params: Record<string, unknown>) => Estimator,
  space: SearchSpace,
  data: TrainingData,
  options: SearchOptions,
): Promise<{ best: Record<string, unknown>; trials: Trial[] }> {
  const eta = options.eta ?? 3;
  const metric = options.metric ?? 'ndcg@20';
  const k = Number(/@(\d+)$/.exec(metric)?.[1] ?? 20);
  const rng = new Rng(options.seed).fork('search');
  const { train, cases } = carveValidation(data, 0.2, options.seed);
  const split: Split = {
    protocol: 'validation',
    train,
    cases: cases.slice(0, 3000).map(
      (c): EvalCase => ({
        user: c.user,
        relevant: Uint32Array.from(c.relevant).sort(),
        exclude: train.interactions.indices.slice(
          train.interactions.indptr[c.user]!,
          train.interactions.indptr[c.user + 1]!,
        ),
      }),
    ),
  };
  let candidates = Array.from({ length: Math.max(1, options.trials) }, () => sample(space, rng));
  const rounds = options.budget
    ? Math.max(1, Math.floor(Math.log(candidates.length) / Math.log(eta)) + 1)
    : 1;
  const trials: Trial[] = [];
  let best: Trial | null = null;
  for (let round = 0; round < rounds; round++) {
    const budget = options.budget
      ? Math.max(1, Math.round(options.budget.max / eta ** (rounds - 1 - round)))
      : null;
    const judged: Trial[] = [];
    for (const params of candidates) {
      const full = budget === null ? params : { ...params, [options.budget!.param]: budget };
      const model = await create(full).fit(train, { parallel: options.parallel, signal: options.signal });
      const score = judge(model, split, [k]).metrics[metric]?.mean ?? Number.NaN;
      const trial = { params: full, budget, score };
      judged.push(trial);
      trials.push(trial);
      options.onProgress?.(
        `round ${round + 1}/${rounds}: ${metric} ${score.toFixed(4)} with ${JSON.stringify(full)}`,
      );
    }
    judged.sort((a, b) => b.score - a.score);
    if (!best || round === rounds - 1 || judged[0]!.score > best.score) best = judged[0]!;
    candidates = judged
      .slice(0, Math.max(1, Math.floor(judged.length / eta)))
      .map((t) => stripBudget(t.params, options.budget?.param));
  }
  return { best: best!.params, trials };
}

function stripBudget(params: Record<string, unknown>, budget?: string): Record<string, unknown> {
  if (!budget) return params;
  const { [budget]: _, ...rest } = params;
  return rest;
}

/** One random point of the space. */
function sample(space: SearchSpace, rng: Rng): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(space)) {
    if (d.kind === 'choice') out[name] = rng.pick(d.values);
    else if (d.kind === 'int') out[name] = d.min + rng.int(d.max - d.min + 1);
    else out[name] = Number(Math.exp(rng.uniform(Math.log(d.min), Math.log(d.max))).toPrecision(3));
  }
  return out;
}
