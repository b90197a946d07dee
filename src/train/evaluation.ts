import type { EventLog } from '../core/event-log.js';
import { type EvaluateOptions, evaluate, type ModelResult } from '../eval/evaluate.js';
import type { Estimate } from '../eval/metrics.js';
import { meanInterval } from '../eval/metrics.js';
import { holdout, leaveLastOut, type Split, strongGeneralization, temporal } from '../eval/protocols.js';
import { kfold, mae, predictRatings, type RatingTriplets, rmse } from '../eval/ratings.js';
import { search } from '../eval/search.js';
import { type EventWeights, readEventLog } from '../features/interactions.js';
import type { ItemText } from '../models/recommend/contract.js';
import { createRecommender, RECOMMENDERS } from '../models/recommend/registry.js';
import type { Item } from '../store/records.js';
import type { Store } from '../store/store.js';
import { WorkerPool } from './worker-pool.js';

/**
 * `cartwise evaluate`: reads the store's interactions, splits them by a protocol, fits the named
 * models (on all cores) and judges them. Rating models under `kfold` are scored by RMSE and MAE.
 */

/** The evaluation protocols. */
export const PROTOCOLS = ['kfold', 'holdout', 'temporal', 'leave-last-out', 'strong-generalization'] as const;

/** What to evaluate. */
export interface EvaluationRequest {
  protocol: (typeof PROTOCOLS)[number];
  models: string[];
  ks: number[];
  seed: number;
  /** Hyperparameters per model id. */
  params?: Record<string, Record<string, unknown>>;
  folds?: number;
  testFraction?: number;
  cutoff?: number;
  negatives?: number;
  heldoutUsers?: number;
  includeAnonymous?: boolean;
  weights?: EventWeights;
  /** Drop users with fewer items / items with fewer users before splitting. */
  minUserItems?: number;
  minItemUsers?: number;
  threads?: number;
  /** Hyperparameter search: candidates per model (0: use the given or default parameters). */
  tune?: number;
}

/** What `--json` prints. */
export interface EvaluationReport {
  protocol: string;
  data: { users: number; items: number; events: number; cases: number };
  results: (Omit<ModelResult, 'metrics'> & { metrics: Record<string, Estimate> })[];
}

/** Runs one evaluation against a store. */
export async function runEvaluation(
  store: Store,
  request: EvaluationRequest,
  onProgress?: (message: string) => void,
  signal?: AbortSignal,
): Promise<EvaluationReport> {
  if (!PROTOCOLS.includes(request.protocol)) {
    throw new Error(`--protocol: "${request.protocol}" is not one of ${PROTOCOLS.join(', ')}`);
  }
  let estimators = request.models.map((m) => createRecommender(m, request.params?.[m] ?? {}));
  onProgress?.('reading the catalog');
  const catalog = await readCatalog(store);
  onProgress?.('reading interactions');
  const { log: full, items } = await readEventLog(
    store.scanInteractions({ includeAnonymous: request.includeAnonymous ?? false }),
    {
      weights: request.weights,
      catalog: catalog.map((c) => c.id),
    },
  );
  const log = supportFilter(full, request.minUserItems ?? 1, request.minItemUsers ?? 1);
  const byId = new Map(catalog.map((c) => [c.id, c]));
  const texts: ItemText[] = items.list().map((id) => toText(byId.get(id)));
  const pool = WorkerPool.create(request.threads);
  try {
    if (request.protocol === 'kfold')
      return await ratingFolds(log, request, estimators, pool, signal, onProgress);
    const split = splitFor(log, request, texts);
    if (split.cases.length === 0)
      throw new Error(`${request.protocol}: no user to evaluate (too little data for this protocol)`);
    if (request.tune) estimators = await tuned(request, split.train, pool, signal, onProgress);
    const options: EvaluateOptions = { ks: request.ks, parallel: pool, signal, onProgress };
    const results = await evaluate(split, estimators, options);
    return {
      protocol: split.protocol,
      data: { users: log.users, items: log.items, events: log.length, cases: split.cases.length },
      results,
    };
  } finally {
    await pool.close();
  }
}

/** Each model with a search space gets the parameters random search with successive halving found on validation data. */
async function tuned(
  request: EvaluationRequest,
  train: Split['train'],
  pool: WorkerPool,
  signal: AbortSignal | undefined,
  onProgress?: (message: string) => void,
): Promise<ReturnType<typeof createRecommender>[]> {
  const out = [];
  for (const id of request.models) {
    const entry = RECOMMENDERS[id]!;
    const fixed = request.params?.[id] ?? {};
    if (!entry.space) {
      out.push(entry.create(fixed));
      continue;
    }
    onProgress?.(`tuning ${id} (${request.tune} candidates)`);
    const { best } = await search((p) => entry.create({ ...p, ...fixed }), entry.space, train, {
      trials: request.tune!,
      budget: entry.budget,
      metric: `ndcg@${Math.min(...request.ks)}`,
      seed: request.seed,
      parallel: pool,
      signal,
      onProgress,
    });
    out.push(entry.create({ ...best, ...fixed }));
  }
  return out;
}

function splitFor(log: EventLog, r: EvaluationRequest, items: ItemText[]): Split {
  const extras = { items };
  switch (r.protocol) {
    case 'holdout':
      return holdout(log, { testFraction: r.testFraction, seed: r.seed }, extras);
    case 'temporal':
      return temporal(log, { cutoff: r.cutoff, testFraction: r.testFraction }, extras);
    case 'leave-last-out':
      return leaveLastOut(log, { negatives: r.negatives, seed: r.seed }, extras);
    default:
      return strongGeneralization(log, { heldoutUsers: r.heldoutUsers, seed: r.seed }, extras);
  }
}

/** Surprise-style K-fold cross-validation of rating models: RMSE and MAE, mean and interval across folds. */
async function ratingFolds(
  log: EventLog,
  r: EvaluationRequest,
  estimators: ReturnType<typeof createRecommender>[],
  pool: WorkerPool,
  signal: AbortSignal | undefined,
  onProgress?: (message: string) => void,
): Promise<EvaluationReport> {
  if (r.tune)
    throw new Error('--tune: kfold scores ratings; tuning ranks on validation, so use a ranking protocol');
  const ratings = ratingTriplets(log);
  if (ratings.rating.length < (r.folds ?? 5))
    throw new Error('kfold: the store holds too few ratings ("Product Reviewed" events)');
  const results: EvaluationReport['results'] = [];
  for (const estimator of estimators) {
    if (estimator.kind !== 'explicit')
      throw new Error(`kfold scores rating predictions; ${estimator.name} does not predict ratings`);
    const errors = { rmse: [] as number[], mae: [] as number[] };
    let fitSeconds = 0;
    let predictMs = 0;
    let fold = 0;
    for (const { train, test } of kfold(ratings, r.folds ?? 5, r.seed)) {
      onProgress?.(`${estimator.name}: fold ${++fold}/${r.folds ?? 5}`);
      const t0 = performance.now();
      const model = await estimator.fit({ interactions: train, ratings: train }, { parallel: pool, signal });
      fitSeconds += (performance.now() - t0) / 1000;
      const t1 = performance.now();
      const predicted = predictRatings(model, test);
      predictMs += (performance.now() - t1) / test.rating.length;
      errors.rmse.push(rmse(predicted, test.rating));
      errors.mae.push(mae(predicted, test.rating));
    }
    results.push({
      model: estimator.name,
      params: { ...estimator.params },
      metrics: { rmse: meanInterval(errors.rmse), mae: meanInterval(errors.mae) },
      users: ratings.rating.length,
      fitSeconds,
      recommendMs: predictMs / fold,
    });
  }
  return {
    protocol: `kfold (${r.folds ?? 5} folds)`,
    data: { users: log.users, items: log.items, events: log.length, cases: ratings.rating.length },
    results,
  };
}

/** The latest rating of each (user, item) pair. */
function ratingTriplets(log: EventLog): RatingTriplets {
  const last = new Map<number, number>();
  for (let k = 0; k < log.length; k++)
    if (!Number.isNaN(log.rating[k]!)) last.set(log.user[k]! * log.items + log.item[k]!, k);
  const at = [...last.values()].sort((a, b) => a - b);
  return {
    user: Uint32Array.from(at, (k) => log.user[k]!),
    item: Uint32Array.from(at, (k) => log.item[k]!),
    rating: Float32Array.from(at, (k) => log.rating[k]!),
    users: log.users,
    items: log.items,
  };
}

/** Events of users and items that meet the support thresholds (repeated until stable). */
function supportFilter(log: EventLog, minUserItems: number, minItemUsers: number): EventLog {
  if (minUserItems <= 1 && minItemUsers <= 1) return log;
  const userAlive = new Uint8Array(log.users).fill(1);
  const itemAlive = new Uint8Array(log.items).fill(1);
  for (let round = 0; round < 50; round++) {
    const pairs = new Set<number>();
    for (let k = 0; k < log.length; k++) {
      if (log.weight[k]! > 0 && userAlive[log.user[k]!] && itemAlive[log.item[k]!])
        pairs.add(log.user[k]! * log.items + log.item[k]!);
    }
    const userItems = new Uint32Array(log.users);
    const itemUsers = new Uint32Array(log.items);
    for (const p of pairs) {
      userItems[Math.floor(p / log.items)]!++;
      itemUsers[p % log.items]!++;
    }
    let changed = false;
    for (let u = 0; u < log.users; u++) {
      if (userAlive[u] && userItems[u]! < minUserItems) {
        userAlive[u] = 0;
        changed = true;
      }
    }
    for (let i = 0; i < log.items; i++) {
      if (itemAlive[i] && itemUsers[i]! < minItemUsers) {
        itemAlive[i] = 0;
        changed = true;
      }
    }
    if (!changed) break;
  }
  const keep: number[] = [];
  for (let k = 0; k < log.length; k++) if (userAlive[log.user[k]!] && itemAlive[log.item[k]!]) keep.push(k);
  return {
    ...log,
    length: keep.length,
    user: Uint32Array.from(keep, (k) => log.user[k]!),
    item: Uint32Array.from(keep, (k) => log.item[k]!),
    weight: Float32Array.from(keep, (k) => log.weight[k]!),
    time: Float64Array.from(keep, (k) => log.time[k]!),
    rating: Float32Array.from(keep, (k) => log.rating[k]!),
  };
}

/** The whole catalog, page by page. */
export async function readCatalog(store: Store): Promise<Item[]> {
  const all: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listItems({ limit: 1000, cursor });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

/** What content models read of a catalog item. */
export function toText(item: Item | undefined): ItemText {
  if (!item) return {};
  return {
    title: item.title,
    description: item.description,
    category: item.category,
    brand: item.brand,
    attributes: item.attributes,
    tags: item.tags,
    createdAt: item.createdAt,
  };
}
