import { parentPort, workerData } from 'node:worker_threads';
import { csrFromCoo } from '../core/csr.js';
import { aggregate, type EventLog } from '../core/event-log.js';
import { evaluate } from '../eval/evaluate.js';
import { temporal } from '../eval/protocols.js';
import type { TrainingData } from '../models/recommend/contract.js';
import { createRecommender, loadRecommender } from '../models/recommend/registry.js';
import { TopLists } from '../models/recommend/top-lists.js';
import { fitBasketRules } from '../models/rules/association-rules.js';
import { transactionsFrom } from '../models/rules/fp-growth.js';
import { createSessionModel } from '../models/session/registry.js';
import { chooseSurfaces } from './surfaces.js';
import type { TrainedModel, TrainJob, TrainOutput } from './train-job.js';
import { WorkerPool } from './worker-pool.js';

/** Each order as its distinct items: the flagged (user, item) events of one user at one time. */
function ordersOf(flags: EventLog, bit: number): Uint32Array[] {
  const byOrder = new Map<string, Set<number>>();
  for (let k = 0; k < flags.length; k++) {
    if ((flags.weight[k]! & bit) === 0) continue;
    const key = `${flags.user[k]}:${flags.time[k]}`;
    let set = byOrder.get(key);
    if (!set) {
      set = new Set();
      byOrder.set(key, set);
    }
    set.add(flags.item[k]!);
  }
  return [...byOrder.values()].map((s) => Uint32Array.from(s).sort());
}

/** Most shoppers x items for which top lists are precomputed (beyond, serving scores live). */
const MAX_LIST_WORK = 2e10;

/**
 * A training run's thread (see trainInWorker): everything CPU-heavy of a run happens here, so the
 * thread that owns the store and answers requests never waits on it.
 */
const { job, cancel } = workerData as { job: TrainJob; cancel: SharedArrayBuffer };
const flag = new Int32Array(cancel);
const signal = {
  get aborted() {
    return Atomics.load(flag, 0) === 1;
  },
  reason: new Error('training cancelled'),
} as AbortSignal;
const say = (message: string, fraction: number) =>
  parentPort!.postMessage({ type: 'progress', message, fraction });

const pool = job.threads > 1 ? WorkerPool.create(job.threads) : undefined;
try {
  const { log } = job;
  const latest = log.length > 0 ? log.time[log.length - 1]! : 0;
  const full = aggregate(log, { halfLife: job.halfLife, now: latest });
  const data: TrainingData = {
    interactions: full.matrix,
    lastSeen: full.lastSeen,
    items: job.items,
    now: latest,
  };
  const f = job.flags;
  const tracked = csrFromCoo(log.users, log.items, f.user, f.item, f.weight, 'or');
  const split = job.holdoutFraction
    ? temporal(log, { testFraction: job.holdoutFraction }, { items: job.items })
    : null;
  const holdout = split && split.cases.length > 0 ? split : null;
  const models: TrainedModel[] = [];
  for (const [m, { id, params }] of job.models.entries()) {
    const share = (x: number) => (m + x) / job.models.length;
    let evaluation = null;
    if (holdout) {
      say(`${id}: judging on the holdout`, share(0));
      [evaluation] = await evaluate(holdout, [createRecommender(id, params)], {
        ks: job.ks,
        parallel: pool,
        signal,
        beyondAccuracy: false,
      });
    }
    say(`${id}: fitting`, share(0.5));
    const started = performance.now();
    const model = await createRecommender(id, params).fit(data, {
      signal,
      parallel: pool,
      onProgress: (p) => say(`${id}: ${p.message}`, share(0.5 + p.fraction / 2)),
    });
    models.push({
      id,
      artifact: model.toArtifact(),
      fitSeconds: (performance.now() - started) / 1000,
      evaluation: evaluation ?? null,
    });
  }
  let rules: TrainOutput['rules'] = null;
  if (job.rules) {
    say('mining rules from orders', 1);
    const baskets = ordersOf(job.flags, job.rules.orderBit);
    const data = transactionsFrom(baskets, log.items);
    const mined = fitBasketRules(data, {
      minSupport: Math.max(job.rules.minSupport, 2 / Math.max(1, baskets.length)),
      minConfidence: job.rules.minConfidence,
      minLen: 2,
      maxLen: job.rules.maxLen,
    });
    rules = { artifact: mined.toArtifact(), orders: baskets.length, rules: mined.size };
  }
  let session: TrainOutput['session'] = null;
  if (job.sessions) {
    say(`${job.sessions.model}: indexing sessions`, 1);
    const s = job.sessions.log;
    const fitted = createSessionModel(job.sessions.model, job.sessions.params).fit(s);
    session = { artifact: fitted.toArtifact(), sessions: s.indptr.length - 1 };
  }
  const surfaces = chooseSurfaces(
    models.map((m) => ({ id: m.id, ndcg: m.evaluation?.metrics['ndcg@10']?.mean ?? null })),
    job.surfaces,
  );
  let candidates: TrainOutput['candidates'] = null;
  if (job.candidates > 0 && full.matrix.rows * full.matrix.cols > MAX_LIST_WORK)
    say(
      `top lists skipped: ${full.matrix.rows} shoppers x ${full.matrix.cols} items is too many to score`,
      1,
    );
  else if (job.candidates > 0) {
    // From the models as serving loads them, so a list and a live answer agree to the last bit.
    const served = (id: string | null) => {
      const m = models.find((x) => x.id === id);
      return m ? loadRecommender(m.artifact) : null;
    };
    say('precomputing top lists per shopper and item', 1);
    const personal = served(surfaces.personalized);
    const similar = served(surfaces.similar);
    candidates = {
      users: personal
        ? TopLists.forUsers(personal, full.matrix.rows, job.candidates).toArtifact('users')
        : null,
      items: similar ? (TopLists.forItems(similar, job.candidates)?.toArtifact('items') ?? null) : null,
    };
  }
  const output: TrainOutput = {
    models,
    interactions: full.matrix,
    tracked,
    holdout: holdout ? { protocol: holdout.protocol, users: holdout.cases.length } : null,
    rules,
    session,
    surfaces,
    candidates,
  };
  // Hand the arrays over instead of copying them (shared memory cannot be, and need not be).
  const buffers = new Set<ArrayBuffer>();
  for (const a of [output.interactions, output.tracked])
    for (const x of [a.indptr, a.indices, a.values])
      if (x.buffer instanceof ArrayBuffer) buffers.add(x.buffer);
  const artifacts = [
    ...models.map((m) => m.artifact),
    rules?.artifact,
    session?.artifact,
    candidates?.users,
    candidates?.items,
  ];
  for (const a of artifacts)
    for (const x of Object.values(a?.arrays ?? {}))
      if (x.buffer instanceof ArrayBuffer) buffers.add(x.buffer);
  parentPort!.postMessage({ type: 'done', output }, [...buffers]);
} catch (error) {
  parentPort!.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
} finally {
  await pool?.close();
}
