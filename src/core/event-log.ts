import type { Csr } from './csr.js';

/**
 * Interactions one event at a time, with dense user and item indices: what training data is
 * built from and what evaluation protocols split (by time, by user, by position in a history).
 */
export interface EventLog {
  users: number;
  items: number;
  length: number;
  user: Uint32Array;
  item: Uint32Array;
  /** Interest carried by the event (0 for events that only carry a rating). */
  weight: Float32Array;
  /** ms since epoch, non-decreasing. */
  time: Float64Array;
  /** Explicit rating, NaN when none. */
  rating: Float32Array;
}

/** A users x items matrix with the time of each cell's latest event. */
export interface Aggregated {
  matrix: Csr;
  /** Aligned with `matrix.values`, ms. */
  lastSeen: Float64Array;
}

/** Options of {@link aggregate}. */
export interface AggregateOptions {
  /** Only events whose flag is 1 (default: all). */
  keep?: Uint8Array;
  /** Repeated (user, item) events: add their weights, or keep the strongest. */
  combine?: 'sum' | 'max';
  /** Halve an event's weight every this many ms before `now` (default: no decay). */
  halfLife?: number | null;
  now?: number;
}

/** Folds events into one cell per (user, item), keeping only cells with positive interest. */
export function aggregate(log: EventLog, options: AggregateOptions = {}): Aggregated {
  const { keep, combine = 'sum', halfLife = null, now = 0 } = options;
  return fold(
    log,
    keep,
    (k) =>
      log.weight[k]! === 0
        ? Number.NaN
        : halfLife
          ? log.weight[k]! * 2 ** (-Math.max(0, now - log.time[k]!) / halfLife)
          : log.weight[k]!,
    combine,
  );
}

/** The latest rating per (user, item), users x items. */
export function ratings(log: EventLog, keep?: Uint8Array): Csr {
  return fold(log, keep, (k) => log.rating[k]!, 'last').matrix;
}

/**
 * Groups events by user (counting sort, so input order is kept within a user), combines repeated
 * items, sorts each row. `value(k)` gives event k's contribution; NaN skips the event.
 */
function fold(
  log: EventLog,
  keep: Uint8Array | undefined,
  value: (k: number) => number,
  combine: 'sum' | 'max' | 'last',
): Aggregated {
  const rows = log.users;
  const start = new Uint32Array(rows + 1);
  for (let k = 0; k < log.length; k++) if (!keep || keep[k]) start[log.user[k]! + 1]!++;
  for (let r = 0; r < rows; r++) start[r + 1]! += start[r]!;
  const order = new Uint32Array(start[rows]!);
  const next = start.slice(0, rows);
  for (let k = 0; k < log.length; k++) if (!keep || keep[k]) order[next[log.user[k]!]!++] = k;
  const indptr = new Uint32Array(rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  const times: number[] = [];
  const slot = new Map<number, number>();
  const cells: number[] = [];
  const kept: number[] = [];
  for (let r = 0; r < rows; r++) {
    slot.clear();
    cells.length = 0;
    for (let p = start[r]!; p < start[r + 1]!; p++) {
      const k = order[p]!;
      const v = value(k);
      if (Number.isNaN(v)) continue;
      const col = log.item[k]!;
      const at = slot.get(col);
      if (at === undefined) {
        slot.set(col, cells.length / 3);
        cells.push(col, v, log.time[k]!);
      } else {
        const o = at * 3;
        cells[o + 1] =
          combine === 'sum' ? cells[o + 1]! + v : combine === 'max' ? Math.max(cells[o + 1]!, v) : v;
        cells[o + 2] = Math.max(cells[o + 2]!, log.time[k]!);
      }
    }
    kept.length = 0;
    for (let c = 0; c < cells.length; c += 3) if (cells[c + 1]! > 0) kept.push(c);
    kept.sort((a, b) => cells[a]! - cells[b]!);
    for (const c of kept) {
      indices.push(cells[c]!);
      values.push(cells[c + 1]!);
      times.push(cells[c + 2]!);
    }
    indptr[r + 1] = indices.length;
  }
  return {
    matrix: {
      rows,
      cols: log.items,
      indptr,
      indices: Uint32Array.from(indices),
      values: Float32Array.from(values),
    },
    lastSeen: Float64Array.from(times),
  };
}

/** Repeatedly drops users and items below the support thresholds until none is (the k-core). */
export function kCore(a: Aggregated, minUserItems: number, minItemUsers: number): Aggregated {
  let { matrix, lastSeen } = a;
  for (let round = 0; round < 50; round++) {
    const itemUsers = new Uint32Array(matrix.cols);
    for (const c of matrix.indices) itemUsers[c]!++;
    const keep = new Uint8Array(matrix.indices.length);
    let kept = 0;
    for (let r = 0; r < matrix.rows; r++) {
      let n = 0;
      for (let k = matrix.indptr[r]!; k < matrix.indptr[r + 1]!; k++)
        if (itemUsers[matrix.indices[k]!]! >= minItemUsers) n++;
      if (n < minUserItems) continue;
      for (let k = matrix.indptr[r]!; k < matrix.indptr[r + 1]!; k++) {
        if (itemUsers[matrix.indices[k]!]! >= minItemUsers) {
          keep[k] = 1;
          kept++;
        }
      }
    }
    if (kept === matrix.indices.length) break;
    const indptr = new Uint32Array(matrix.rows + 1);
    const indices = new Uint32Array(kept);
    const values = new Float32Array(kept);
    const times = new Float64Array(kept);
    let o = 0;
    for (let r = 0; r < matrix.rows; r++) {
      for (let k = matrix.indptr[r]!; k < matrix.indptr[r + 1]!; k++) {
        if (!keep[k]) continue;
        indices[o] = matrix.indices[k]!;
        values[o] = matrix.values[k]!;
        times[o] = lastSeen[k]!;
        o++;
      }
      indptr[r + 1] = o;
    }
    matrix = { rows: matrix.rows, cols: matrix.cols, indptr, indices, values };
    lastSeen = times;
  }
  return { matrix, lastSeen };
}
