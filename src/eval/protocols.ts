import type { Csr } from '../core/csr.js';
import { type Aggregated, aggregate, type EventLog, ratings } from '../core/event-log.js';
import { Rng } from '../core/rng.js';
import type { ItemText, TrainingData, UserInput } from '../models/recommend/contract.js';

/**
 * Evaluation protocols: each turns an event log into training data the models fit on and the
 * cases they are judged by. Test information never reaches training data, and every random
 * choice comes from the seed.
 */

/** One user to rank for. */
export interface EvalCase {
  /** A training user's index, or the interactions of a user held out of training. */
  user: UserInput;
  /** Items the user chose in the test part: the relevant ones. */
  relevant: Uint32Array;
  /** Items never to rank for this user (training or fold-in items), sorted. */
  exclude: Uint32Array;
  /** When set, only these items are ranked (sampled negatives). */
  candidates?: Uint32Array;
}

/** Training data plus the cases to judge. */
export interface Split {
  protocol: string;
  train: TrainingData;
  cases: EvalCase[];
  /** Items the ranking may return (1) when not the whole catalog. */
  rankable?: Uint8Array;
}

/** Catalog text for content models, by item index. */
export interface Extras {
  items?: readonly ItemText[];
}

/** Builds a CSR (and its times) from per-row cell lists. */
function fromCells(
  rows: number,
  cols: number,
  cells: { col: number; value: number; time: number }[][],
): Aggregated {
  const indptr = new Uint32Array(rows + 1);
  for (let r = 0; r < rows; r++) indptr[r + 1] = indptr[r]! + (cells[r]?.length ?? 0);
  const indices = new Uint32Array(indptr[rows]!);
  const values = new Float32Array(indptr[rows]!);
  const lastSeen = new Float64Array(indptr[rows]!);
  for (let r = 0; r < rows; r++) {
    const list = (cells[r] ?? []).slice().sort((a, b) => a.col - b.col);
    list.forEach((c, k) => {
      indices[indptr[r]! + k] = c.col;
      values[indptr[r]! + k] = c.value;
      lastSeen[indptr[r]! + k] = c.time;
    });
  }
  return { matrix: { rows, cols, indptr, indices, values }, lastSeen };
}

function cellsOf(a: Aggregated, r: number): { col: number; value: number; time: number }[] {
  const out = [];
  for (let k = a.matrix.indptr[r]!; k < a.matrix.indptr[r + 1]!; k++) {
    out.push({ col: a.matrix.indices[k]!, value: a.matrix.values[k]!, time: a.lastSeen[k]! });
  }
  return out;
}

/** Ratings of the training cells only. */
function trainRatings(log: EventLog, train: Csr, keep?: Uint8Array): Csr {
  const all = ratings(log, keep);
  const cells: { col: number; value: number; time: number }[][] = [];
  for (let r = 0; r < all.rows; r++) {
    const allowed = new Set(train.indices.subarray(train.indptr[r]!, train.indptr[r + 1]!));
    cells[r] = [];
    for (let k = all.indptr[r]!; k < all.indptr[r + 1]!; k++) {
      if (allowed.has(all.indices[k]!))
        cells[r]!.push({ col: all.indices[k]!, value: all.values[k]!, time: 0 });
    }
  }
  return fromCells(all.rows, all.cols, cells).matrix;
}

function trainingData(log: EventLog, train: Aggregated, extras: Extras, keep?: Uint8Array): TrainingData {
  let now = 0;
  for (const t of train.lastSeen) now = Math.max(now, t);
  return {
    interactions: train.matrix,
    lastSeen: train.lastSeen,
    ratings: trainRatings(log, train.matrix, keep),
    items: extras.items,
    now,
  };
}

const sorted = (xs: Iterable<number>) => Uint32Array.from(xs).sort();

/** `holdout`: a random share of each user's items (users with at least 2) is held out. */
export function holdout(
  log: EventLog,
  options: { testFraction?: number; seed?: number } = {},
  extras: Extras = {},
): Split {
  const fraction = options.testFraction ?? 0.2;
  if (!(fraction > 0 && fraction < 1)) throw new Error('holdout: testFraction must be between 0 and 1');
  const rng = new Rng(options.seed ?? 42).fork('holdout');
  const full = aggregate(log);
  const train: ReturnType<typeof cellsOf>[] = [];
  const cases: EvalCase[] = [];
  for (let u = 0; u < log.users; u++) {
    const cells = cellsOf(full, u);
    if (cells.length < 2) {
      train[u] = cells;
      continue;
    }
    rng.shuffle(cells);
    const m = Math.max(1, Math.round(fraction * cells.length));
    train[u] = cells.slice(m);
    cases.push({
      user: u,
      relevant: sorted(cells.slice(0, m).map((c) => c.col)),
      exclude: sorted(train[u]!.map((c) => c.col)),
    });
  }
  const t = fromCells(log.users, log.items, train);
  return { protocol: 'holdout', train: trainingData(log, t, extras), cases };
}

/**
 * `temporal`: everything before a global cut-off trains; what users (already seen in training)
 * chose after it, and had not chosen before, is to be predicted. The default cut-off leaves the
 * last 20% of events for testing.
 */
export function temporal(
  log: EventLog,
  options: { cutoff?: number; testFraction?: number } = {},
  extras: Extras = {},
): Split {
  const cutoff =
    options.cutoff ??
    log.time[Math.min(log.length - 1, Math.floor(log.length * (1 - (options.testFraction ?? 0.2))))] ??
    0;
  const keep = new Uint8Array(log.length);
  for (let k = 0; k < log.length; k++) keep[k] = log.time[k]! < cutoff ? 1 : 0;
  const train = aggregate(log, { keep });
  const after = aggregate(log, { keep: keep.map((x) => 1 - x) });
  const cases: EvalCase[] = [];
  for (let u = 0; u < log.users; u++) {
    const have = train.matrix.indices.subarray(train.matrix.indptr[u]!, train.matrix.indptr[u + 1]!);
    if (have.length === 0) continue;
    const known = new Set(have);
    const fresh = [
      ...after.matrix.indices.subarray(after.matrix.indptr[u]!, after.matrix.indptr[u + 1]!),
    ].filter((i) => !known.has(i));
    if (fresh.length === 0) continue;
    cases.push({ user: u, relevant: sorted(fresh), exclude: Uint32Array.from(have) });
  }
  return {
    protocol: `temporal (cut-off ${new Date(cutoff).toISOString()})`,
    train: trainingData(log, train, extras, keep),
    cases,
  };
}

/**
 * `leave-last-out` (NCF-style): each user's latest item (users with at least 2) is held out and
 * ranked among `negatives` items the user never interacted with, sampled uniformly.
 */
export function leaveLastOut(
  log: EventLog,
  options: { negatives?: number; seed?: number } = {},
  extras: Extras = {},
): Split {
  const negatives = options.negatives ?? 100;
  const rng = new Rng(options.seed ?? 42).fork('leave-last-out');
  const full = aggregate(log);
  const train: ReturnType<typeof cellsOf>[] = [];
  const cases: EvalCase[] = [];
  for (let u = 0; u < log.users; u++) {
    const cells = cellsOf(full, u);
    if (cells.length < 2 || cells.length + negatives >= log.items) {
      train[u] = cells;
      continue;
    }
    let last = 0;
    for (let c = 1; c < cells.length; c++) if (cells[c]!.time > cells[last]!.time) last = c;
    const held = cells[last]!.col;
    train[u] = cells.filter((_, c) => c !== last);
    const touched = new Set(cells.map((c) => c.col));
    const candidates = new Set([held]);
    while (candidates.size < negatives + 1) {
      const j = rng.int(log.items);
      if (!touched.has(j)) candidates.add(j);
    }
    cases.push({
      user: u,
      relevant: Uint32Array.of(held),
      exclude: sorted(train[u]!.map((c) => c.col)),
      candidates: sorted(candidates),
    });
  }
  return {
    protocol: `leave-last-out (${negatives} sampled negatives)`,
    train: trainingData(log, fromCells(log.users, log.items, train), extras),
    cases,
  };
}

/**
 * `strong-generalization` (Liang et al. 2018): `heldoutUsers` users (among those with at least
 * `minItems` items) are removed from training; each folds in a random share of their items and the
 * rest is predicted, ranking over items seen in training with the fold-in items excluded.
 */
export function strongGeneralization(
  log: EventLog,
  options: { heldoutUsers?: number; foldIn?: number; minItems?: number; seed?: number } = {},
  extras: Extras = {},
): Split {
  const foldIn = options.foldIn ?? 0.8;
  const minItems = options.minItems ?? 5;
  const rng = new Rng(options.seed ?? 42).fork('strong');
  const full = aggregate(log);
  const eligible: number[] = [];
  for (let u = 0; u < log.users; u++)
    if (full.matrix.indptr[u + 1]! - full.matrix.indptr[u]! >= minItems) eligible.push(u);
  const count = Math.min(options.heldoutUsers ?? Math.round(eligible.length * 0.1), eligible.length);
  if (count === 0) throw new Error(`strong-generalization: no user has at least ${minItems} items`);
  const held = new Set(rng.shuffle(eligible).slice(0, count));
  const train: ReturnType<typeof cellsOf>[] = [];
  for (let u = 0; u < log.users; u++) train[u] = held.has(u) ? [] : cellsOf(full, u);
  const t = fromCells(log.users, log.items, train);
  const rankable = new Uint8Array(log.items);
  for (const i of t.matrix.indices) rankable[i] = 1;
  const cases: EvalCase[] = [];
  for (const u of [...held].sort((a, b) => a - b)) {
    const cells = rng.shuffle(cellsOf(full, u));
    const n = Math.max(1, Math.min(cells.length - 1, Math.round(foldIn * cells.length)));
    const input = cells.slice(0, n).sort((a, b) => a.col - b.col);
    const relevant = cells
      .slice(n)
      .map((c) => c.col)
      .filter((i) => rankable[i]);
    if (relevant.length === 0) continue;
    cases.push({
      user: {
        indices: Uint32Array.from(input, (c) => c.col),
        values: Float32Array.from(input, (c) => c.value),
      },
      relevant: sorted(relevant),
      exclude: Uint32Array.from(input, (c) => c.col),
    });
  }
  return {
    protocol: `strong-generalization (${count} held-out users)`,
    train: trainingData(log, t, extras),
    cases,
    rankable,
  };
}
