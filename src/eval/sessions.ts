import type { FittedSession, SessionData } from '../models/session/contract.js';
import { type Estimate, meanInterval } from './metrics.js';

/**
 * The evaluation protocol of session-rec (Ludewig & Jannach 2018) for next-item prediction, so
 * figures are comparable with that literature:
 *
 * - Filter (`preprocess_diginetica.py`, `filter_data`): drop sessions shorter than
 *   `minSessionLength`, then items viewed fewer than `minItemSupport` times (views counted in the
 *   remaining sessions), then sessions that became too short. Done once, not iterated.
 * - Split (`split_data`): a session belongs to the test set when its last event is later than
 *   `testDays` days before the last event of the data, otherwise to training. Training sessions
 *   shorter than 2 are dropped; test views of items absent from training are removed, then test
 *   sessions shorter than 2 are dropped.
 * - Evaluation (`evaluation.py`, `evaluate_sessions`): every view of a test session after the
 *   first is predicted from the views before it (all prefixes), ranking the whole catalog with
 *   nothing excluded; HR@k is 1 when the view is among the first k, MRR@k is 1 / its rank (0 beyond
 *   k), both averaged over predictions, here with a 95% interval across predictions.
 */

/** Options of {@link filterSessions}. */
export interface SessionFilterOptions {
  /** Items viewed fewer times are removed (default 5). */
  minItemSupport?: number;
  /** Sessions with fewer views are removed (default 2). */
  minSessionLength?: number;
}

/** Options of {@link splitSessions}. */
export interface SessionSplitOptions {
  /** Sessions ending in the last `testDays` days of the data are the test set (default 7). */
  testDays?: number;
}

/** Training and test sessions over the same item indices. */
export interface SessionSplit {
  train: SessionData;
  test: SessionData;
  /** Sessions whose last event is later than this (ms) are test sessions. */
  testFrom: number;
}

/** Keeps the events with keep[e] = 1, then the sessions with at least `minLength` of them, re-sorted by start time. */
function keepEvents(data: SessionData, keep: Uint8Array, minLength: number): SessionData {
  const n = data.indptr.length - 1;
  const kept: number[] = [];
  const length = new Uint32Array(n);
  for (let s = 0; s < n; s++) {
    for (let e = data.indptr[s]!; e < data.indptr[s + 1]!; e++) length[s]! += keep[e]!;
    if (length[s]! >= minLength && length[s]! > 0) kept.push(s);
  }
  const first = (s: number) => {
    for (let e = data.indptr[s]!; e < data.indptr[s + 1]!; e++) if (keep[e]) return data.times[e]!;
    return Number.POSITIVE_INFINITY;
  };
  const start = new Map(kept.map((s) => [s, first(s)]));
  kept.sort((a, b) => start.get(a)! - start.get(b)! || a - b);
  const indptr = new Uint32Array(kept.length + 1);
  kept.forEach((s, j) => {
    indptr[j + 1] = indptr[j]! + length[s]!;
  });
  const items = new Uint32Array(indptr[kept.length]!);
  const times = new Float64Array(items.length);
  let out = 0;
  for (const s of kept) {
    for (let e = data.indptr[s]!; e < data.indptr[s + 1]!; e++) {
      if (!keep[e]) continue;
      items[out] = data.items[e]!;
      times[out++] = data.times[e]!;
    }
  }
  return { indptr, items, times, itemCount: data.itemCount };
}

/** The usual dataset filter of session-based evaluations (see the module comment). */
export function filterSessions(data: SessionData, options: SessionFilterOptions = {}): SessionData {
  const minSupport = options.minItemSupport ?? 5;
  const minLength = options.minSessionLength ?? 2;
  const long = keepEvents(data, new Uint8Array(data.items.length).fill(1), minLength);
  const views = new Uint32Array(long.itemCount);
  for (const item of long.items) views[item]!++;
  return keepEvents(
    long,
    Uint8Array.from(long.items, (item) => (views[item]! >= minSupport ? 1 : 0)),
    minLength,
  );
}

/** session-rec's time split (see the module comment). */
export function splitSessions(data: SessionData, options: SessionSplitOptions = {}): SessionSplit {
  const testDays = options.testDays ?? 7;
  if (!(testDays > 0)) throw new Error('sessions: testDays must be > 0');
  const n = data.indptr.length - 1;
  let last = Number.NEGATIVE_INFINITY;
  for (const t of data.times) if (t > last) last = t;
  const testFrom = last - testDays * 86_400_000;
  const isTest = new Uint8Array(data.items.length);
  for (let s = 0; s < n; s++) {
    let end = Number.NEGATIVE_INFINITY;
    for (let e = data.indptr[s]!; e < data.indptr[s + 1]!; e++) end = Math.max(end, data.times[e]!);
    if (end > testFrom) isTest.fill(1, data.indptr[s]!, data.indptr[s + 1]!);
  }
  const train = keepEvents(
    data,
    isTest.map((x) => 1 - x),
    2,
  );
  const known = new Uint8Array(data.itemCount);
  for (const item of train.items) known[item] = 1;
  const test = keepEvents(
    data,
    isTest.map((x, e) => x & known[data.items[e]!]!),
    2,
  );
  return { train, test, testFrom };
}

/** Filter, then split: the whole preprocessing of the protocol. */
export function sessionProtocol(
  data: SessionData,
  options: SessionFilterOptions & SessionSplitOptions = {},
): SessionSplit {
  return splitSessions(filterSessions(data, options), options);
}

/** Accuracy of next-item predictions over a test set. */
export interface NextItemReport {
  /** Test sessions and predictions made (views after the first of each). */
  sessions: number;
  predictions: number;
  /** `hr@20`, `mrr@20`, ... : mean over predictions with a 95% interval. */
  metrics: Record<string, Estimate>;
}

/** Predicts every next view of every test session from its prefix (see the module comment). */
export function evaluateNextItems(
  model: FittedSession,
  test: SessionData,
  options: { ks?: readonly number[] } = {},
): NextItemReport {
  const ks = options.ks ?? [20, 10];
  if (ks.length === 0 || !ks.every((k) => Number.isInteger(k) && k >= 1))
    throw new Error('sessions: ks must be whole numbers >= 1');
  const maxK = Math.max(...ks);
  const n = test.indptr.length - 1;
  let predictions = 0;
  for (let s = 0; s < n; s++) predictions += Math.max(0, test.indptr[s + 1]! - test.indptr[s]! - 1);
  const ranks = new Float64Array(predictions); // 1-based rank, or Infinity when not in the first maxK
  let p = 0;
  for (let s = 0; s < n; s++) {
    const start = test.indptr[s]!;
    for (let e = start + 1; e < test.indptr[s + 1]!; e++) {
      const ranked = model.recommend(test.items.subarray(start, e), maxK);
      const at = ranked.items.indexOf(test.items[e]!);
      ranks[p++] = at === -1 ? Number.POSITIVE_INFINITY : at + 1;
    }
  }
  const metrics: Record<string, Estimate> = {};
  for (const k of ks) {
    metrics[`hr@${k}`] = meanInterval(ranks.map((r) => (r <= k ? 1 : 0)));
    metrics[`mrr@${k}`] = meanInterval(ranks.map((r) => (r <= k ? 1 / r : 0)));
  }
  return { sessions: n, predictions, metrics };
}
