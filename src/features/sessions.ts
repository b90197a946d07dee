import { IdIndex } from '../core/ids.js';
import type { InteractionBatch } from '../store/store.js';

/**
 * Stored events -> browsing sessions for session-based recommenders: each shopper's view-like
 * events (user ids resolved; anonymous shoppers appear as `anon:<id>`) are split into sessions
 * wherever they paused longer than a gap, short sessions are dropped, and item ids become dense
 * indices. The result is laid out as the CSR session models fit on (models/session/contract.ts,
 * matched by shape: features may not import models).
 */

/** The events that show what a shopper is looking at, as the Segment e-commerce spec names them. */
export const DEFAULT_SESSION_EVENTS: readonly string[] = [
  'Product Viewed',
  'Product Clicked',
  'Product Added',
];

/** Options of {@link buildSessions}. */
export interface SessionOptions {
  /** Event names that make up a session (default {@link DEFAULT_SESSION_EVENTS}). */
  events?: readonly string[];
  /** A pause longer than this many minutes starts a new session (default 30; Infinity: one session per shopper). */
  gapMinutes?: number;
  /** Sessions with fewer events are dropped (default 2: a single view predicts nothing). */
  minLength?: number;
}

/** Sessions as CSR, sorted by start time; session s spans `indptr[s] .. indptr[s + 1])`. */
export interface SessionLog {
  indptr: Uint32Array;
  /** Item indices (into `items` of {@link Sessions}), in the order viewed. */
  items: Uint32Array;
  /** Event times, ms since epoch. */
  times: Float64Array;
  itemCount: number;
}

/** Sessions with the ids behind their item indices. */
export interface Sessions {
  sessions: SessionLog;
  /** Items of the kept sessions, indexed in order of first appearance. */
  items: IdIndex;
  counts: {
    /** Events read from the store, and those of the session event names. */
    read: number;
    events: number;
    /** Shoppers with at least one session event. */
    shoppers: number;
    /** Sessions kept, and dropped for being shorter than `minLength`. */
    sessions: number;
    short: number;
  };
}

/**
 * Reads interaction batches (oldest first, as `Store.scanInteractions` yields them) into sessions.
 * Events of a shopper keep their store order; equal times are not reordered. Memory grows with the
 * session events read.
 */
export async function buildSessions(
  batches: AsyncIterable<InteractionBatch>,
  options: SessionOptions = {},
): Promise<Sessions> {
  const builder = new SessionBuilder(options);
  for await (const b of batches) builder.add(b);
  return builder.build();
}

/**
 * {@link buildSessions} one batch at a time, so a caller that already scans the store (training)
 * can build sessions from the same pass.
 */
export class SessionBuilder {
  private readonly names: Set<string>;
  private readonly gap: number;
  private readonly minLength: number;
  private readonly shoppers = new IdIndex();
  private readonly rawItems = new IdIndex();
  private user = new Uint32Array(1024);
  private item = new Uint32Array(1024);
  private time = new Float64Array(1024);
  private n = 0;
  private read = 0;

  constructor(options: SessionOptions = {}) {
    this.names = new Set(options.events ?? DEFAULT_SESSION_EVENTS);
    this.gap = (options.gapMinutes ?? 30) * 60_000;
    this.minLength = options.minLength ?? 2;
    if (!(this.gap >= 0)) throw new Error('sessions: gapMinutes must be >= 0');
    if (!(Number.isInteger(this.minLength) && this.minLength >= 1))
      throw new Error('sessions: minLength must be a whole number >= 1');
  }

  /** Takes in one batch (batches oldest first). */
  add(b: InteractionBatch): void {
    for (let i = 0; i < b.user.length; i++) {
      this.read++;
      if (!this.names.has(b.event[i]!)) continue;
      if (this.n === this.user.length) {
        this.user = grow(this.user);
        this.item = grow(this.item);
        this.time = grow(this.time);
      }
      this.user[this.n] = this.shoppers.add(b.user[i]!);
      this.item[this.n] = this.rawItems.add(b.item[i]!);
      this.time[this.n] = b.timestamp[i]!;
      this.n++;
    }
  }

  /** The sessions of everything added. */
  build(): Sessions {
    const { shoppers, rawItems, user, item, time, n, read, gap, minLength } = this;
    // Counting sort by shopper keeps each shopper's events in store order (oldest first).
    const start = new Uint32Array(shoppers.size + 1);
    for (let e = 0; e < n; e++) start[user[e]! + 1]!++;
    for (let u = 0; u < shoppers.size; u++) start[u + 1]! += start[u]!;
    const next = start.slice(0, shoppers.size);
    const byShopper = new Uint32Array(n);
    for (let e = 0; e < n; e++) byShopper[next[user[e]!]!++] = e;

    // Sessions as [from, to) ranges of byShopper.
    const from: number[] = [];
    const to: number[] = [];
    let short = 0;
    for (let u = 0; u < shoppers.size; u++) {
      let s = start[u]!;
      for (let k = s + 1; k <= start[u + 1]!; k++) {
        if (k < start[u + 1]! && time[byShopper[k]!]! - time[byShopper[k - 1]!]! <= gap) continue;
        if (k - s >= minLength) {
          from.push(s);
          to.push(k);
        } else short++;
        s = k;
      }
    }

    const order = Array.from(from, (_, j) => j).sort(
      (a, b) => time[byShopper[from[a]!]!]! - time[byShopper[from[b]!]!]! || a - b,
    );
    const items = new IdIndex();
    const indptr = new Uint32Array(order.length + 1);
    const total = order.reduce((sum, j) => sum + to[j]! - from[j]!, 0);
    const sessionItems = new Uint32Array(total);
    const times = new Float64Array(total);
    let out = 0;
    order.forEach((j, s) => {
      for (let k = from[j]!; k < to[j]!; k++) {
        const e = byShopper[k]!;
        sessionItems[out] = items.add(rawItems.id(item[e]!));
        times[out++] = time[e]!;
      }
      indptr[s + 1] = out;
    });
    return {
      sessions: { indptr, items: sessionItems, times, itemCount: items.size },
      items,
      counts: { read, events: n, shoppers: shoppers.size, sessions: order.length, short },
    };
  }
}

function grow<A extends Uint32Array | Float64Array>(a: A): A {
  const b = new (a.constructor as new (length: number) => A)(a.length * 2);
  b.set(a);
  return b;
}
