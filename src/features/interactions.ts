import type { Csr } from '../core/csr.js';
import { aggregate, type EventLog, kCore, ratings } from '../core/event-log.js';
import { IdIndex } from '../core/ids.js';
import type { InteractionBatch } from '../store/store.js';

/**
 * Stored events -> what recommenders learn from: an event log with dense indices (what
 * evaluation protocols split), and from it a users x items matrix of weighted, optionally
 * time-decayed, de-duplicated interaction strengths plus a matrix of explicit ratings. String
 * ids are mapped to dense indices here, once.
 */

/** How much each event says about a shopper's interest; events not listed count for nothing. */
export type EventWeights = Readonly<Record<string, number>>;

/** Views < carts < orders; a refund takes back what the order gave. */
export const DEFAULT_WEIGHTS: EventWeights = {
  'Product Viewed': 1,
  'Product Clicked': 1,
  'Product Shared': 2,
  'Product Added to Wishlist': 2,
  'Product Added': 3,
  'Checkout Started': 3,
  'Product Reviewed': 3,
  'Order Completed': 5,
  'Order Refunded': -5,
};

/** An event log with the ids behind its indices. */
export interface IndexedLog {
  users: IdIndex;
  items: IdIndex;
  log: EventLog;
}

/**
 * Reads interaction batches (oldest first) into an event log. Events that carry neither weight nor
 * a rating are left out. Items of `catalog` get indices first, interacted or not. With `track`
 * (at most 24 event names), `flags` lists every (user, item) event among them, its `weight`
 * holding bit b for `track[b]` and `time` its time, whatever its interest weight (serving excludes from these, e.g.
 * items already bought); `csrFromCoo(..., 'or')` folds them into one cell per pair.
 */
export async function readEventLog(
  batches: AsyncIterable<InteractionBatch>,
  options: {
    weights?: EventWeights;
    catalog?: Iterable<string>;
    track?: readonly string[];
    /** Only rows of users it accepts (e.g. identified shoppers only). */
    keep?: (user: string) => boolean;
    /** Sees every batch too, whatever `keep` says (e.g. a session builder reading the same pass). */
    tap?: (batch: InteractionBatch) => void;
  } = {},
): Promise<IndexedLog & { read: number; latest: number; flags: EventLog }> {
  const weights = options.weights ?? DEFAULT_WEIGHTS;
  const track = options.track ?? [];
  if (track.length > 24) throw new Error(`track: at most 24 event names, got ${track.length}`);
  const bits = new Map(track.map((name, b) => [name, 1 << b]));
  const users = new IdIndex();
  const items = IdIndex.from(options.catalog ?? []);
  const cols = new Columns();
  const flags = new Columns();
  let read = 0;
  let latest = 0;
  for await (const b of batches) {
    options.tap?.(b);
    for (let i = 0; i < b.user.length; i++) {
      if (options.keep && !options.keep(b.user[i]!)) continue;
      read++;
      if (b.timestamp[i]! > latest) latest = b.timestamp[i]!;
      const bit = bits.get(b.event[i]!);
      if (bit !== undefined)
        flags.push(users.add(b.user[i]!), items.add(b.item[i]!), bit, b.timestamp[i]!, 0);
      const w = weights[b.event[i]!] ?? 0;
      const rating = b.rating[i]!;
      if (w === 0 && Number.isNaN(rating)) continue;
      cols.push(users.add(b.user[i]!), items.add(b.item[i]!), w, b.timestamp[i]!, rating);
    }
  }
  return {
    users,
    items,
    log: cols.toLog(users.size, items.size),
    read,
    latest,
    flags: flags.toLog(users.size, items.size),
  };
}

/** Options of {@link buildInteractions}. */
export interface InteractionOptions {
  weights?: EventWeights;
  /** Halve an event's weight every this many days before `now` (null: no decay). */
  halfLifeDays?: number | null;
  /** End of the period, ms (default: the latest event read). */
  now?: number;
  /** Repeated (user, item) events: add their weights, or keep the strongest. */
  combine?: 'sum' | 'max';
  /** Drop users with fewer distinct items, and items with fewer distinct users (repeated until stable). */
  minUserItems?: number;
  minItemUsers?: number;
  /** Items known beforehand (the catalog): they get indices even without interactions. */
  catalog?: Iterable<string>;
}

/** Interaction strengths and ratings with their id maps. */
export interface Interactions {
  users: IdIndex;
  items: IdIndex;
  /** users x items; values > 0. */
  matrix: Csr;
  /** Time of the latest event of each stored entry, aligned with `matrix.values`, ms. */
  lastSeen: Float64Array;
  /** Explicit ratings (latest per user and item), users x items over the same indices. */
  ratings: Csr;
  /** The end of the period (the latest event, unless given). */
  now: number;
  counts: { events: number; weighted: number; ratings: number; droppedUsers: number; droppedItems: number };
}

/** Reads batches into matrices. Memory grows with distinct (user, item) pairs and events kept, not with events read. */
export async function buildInteractions(
  batches: AsyncIterable<InteractionBatch>,
  options: InteractionOptions = {},
): Promise<Interactions> {
  const { users, items, log, read, latest } = await readEventLog(batches, options);
  const now = options.now ?? latest;
  const halfLife = options.halfLifeDays ? options.halfLifeDays * 86_400_000 : null;
  let weighted = 0;
  for (let k = 0; k < log.length; k++) if (log.weight[k] !== 0) weighted++;
  const full = aggregate(log, { combine: options.combine, halfLife, now });
  const { matrix, lastSeen } =
    (options.minUserItems ?? 0) > 1 || (options.minItemUsers ?? 0) > 1
      ? kCore(full, options.minUserItems ?? 1, options.minItemUsers ?? 1)
      : full;
  const rated = ratings(log);
  return {
    users,
    items,
    matrix,
    lastSeen,
    ratings: rated,
    now,
    counts: {
      events: read,
      weighted,
      ratings: rated.indices.length,
      droppedUsers: nonEmptyRows(full.matrix) - nonEmptyRows(matrix),
      droppedItems: nonEmptyCols(full.matrix) - nonEmptyCols(matrix),
    },
  };
}

/** Growable event columns. */
class Columns {
  user = new Uint32Array(1024);
  item = new Uint32Array(1024);
  weight = new Float32Array(1024);
  time = new Float64Array(1024);
  rating = new Float32Array(1024);
  length = 0;

  push(u: number, i: number, w: number, t: number, r: number): void {
    if (this.length === this.user.length) {
      const grow = <A extends Uint32Array | Float32Array | Float64Array>(a: A): A => {
        const b = new (a.constructor as new (n: number) => A)(a.length * 2);
        b.set(a);
        return b;
      };
      this.user = grow(this.user);
      this.item = grow(this.item);
      this.weight = grow(this.weight);
      this.time = grow(this.time);
      this.rating = grow(this.rating);
    }
    const k = this.length++;
    this.user[k] = u;
    this.item[k] = i;
    this.weight[k] = w;
    this.time[k] = t;
    this.rating[k] = r;
  }

  toLog(users: number, items: number): EventLog {
    const n = this.length;
    return {
      users,
      items,
      length: n,
      user: this.user.slice(0, n),
      item: this.item.slice(0, n),
      weight: this.weight.slice(0, n),
      time: this.time.slice(0, n),
      rating: this.rating.slice(0, n),
    };
  }
}

function nonEmptyRows(m: Csr): number {
  let n = 0;
  for (let r = 0; r < m.rows; r++) if (m.indptr[r + 1]! > m.indptr[r]!) n++;
  return n;
}

function nonEmptyCols(m: Csr): number {
  const seen = new Uint8Array(m.cols);
  for (const c of m.indices) seen[c] = 1;
  return seen.reduce((a, b) => a + b, 0);
}
