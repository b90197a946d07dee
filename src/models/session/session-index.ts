import type { Artifact } from '../recommend/contract.js';
import { type SessionData, sessionCount } from './contract.js';

/**
 * The neighbor index of the session kNN models: each training session's distinct items, and for
 * each item the sessions holding it (an inverted index), both on typed arrays and built at fit
 * time, so a request reads only the postings of its own items.
 *
 * Sessions are renumbered by recency (0 = the session whose last event is the latest; ties go to
 * the later-starting one), so every posting list is sorted most recent first and "the most recent
 * `sampleSize` sessions sharing an item with the request" is a prefix of each list.
 */
export interface SessionIndex {
  readonly itemCount: number;
  /** Session r (by recency) holds the distinct items `sessionItems[sessionPtr[r] .. sessionPtr[r + 1])`, ascending. */
  readonly sessionPtr: Uint32Array;
  readonly sessionItems: Uint32Array;
  /** Item i is held by sessions `postings[postingPtr[i] .. postingPtr[i + 1])`, most recent first. */
  readonly postingPtr: Uint32Array;
  readonly postings: Uint32Array;
}

/** Builds the index of `data` in O(events log events). */
export function buildSessionIndex(data: SessionData): SessionIndex {
  const n = sessionCount(data);
  const { indptr, items, times, itemCount } = data;
  const end = new Float64Array(n);
  for (let s = 0; s < n; s++) end[s] = indptr[s + 1]! > indptr[s]! ? times[indptr[s + 1]! - 1]! : -Infinity;
  const order = Uint32Array.from({ length: n }, (_, s) => s).sort((a, b) => end[b]! - end[a]! || b - a);

  const stamp = new Int32Array(itemCount).fill(-1);
  const sessionPtr = new Uint32Array(n + 1);
  const distinct = new Uint32Array(items.length);
  let filled = 0;
  for (let r = 0; r < n; r++) {
    const s = order[r]!;
    const start = filled;
    for (let e = indptr[s]!; e < indptr[s + 1]!; e++) {
      const item = items[e]!;
      if (stamp[item] === r) continue;
      stamp[item] = r;
      distinct[filled++] = item;
    }
    distinct.subarray(start, filled).sort();
    sessionPtr[r + 1] = filled;
  }
  const sessionItems = distinct.slice(0, filled);

  const postingPtr = new Uint32Array(itemCount + 1);
  for (const item of sessionItems) postingPtr[item + 1]!++;
  for (let i = 0; i < itemCount; i++) postingPtr[i + 1]! += postingPtr[i]!;
  const next = postingPtr.slice(0, itemCount);
  const postings = new Uint32Array(filled);
  for (let r = 0; r < n; r++) {
    for (let p = sessionPtr[r]!; p < sessionPtr[r + 1]!; p++) postings[next[sessionItems[p]!]!++] = r;
  }
  return { itemCount, sessionPtr, sessionItems, postingPtr, postings };
}

/** The arrays of an index, for an artifact. */
export function indexArrays(index: SessionIndex): Artifact['arrays'] {
  const { sessionPtr, sessionItems, postingPtr, postings } = index;
  return { sessionPtr, sessionItems, postingPtr, postings };
}

/** The index stored by {@link indexArrays}, checked for consistent sizes. */
export function indexFromArrays(arrays: Artifact['arrays'], itemCount: number): SessionIndex {
  const get = (name: string) => {
    const a = arrays[name];
    if (!(a instanceof Uint32Array)) throw new Error(`session index: artifact lacks Uint32Array "${name}"`);
    return a;
  };
  const index = {
    itemCount,
    sessionPtr: get('sessionPtr'),
    sessionItems: get('sessionItems'),
    postingPtr: get('postingPtr'),
    postings: get('postings'),
  };
  if (
    index.postingPtr.length !== itemCount + 1 ||
    index.sessionPtr[index.sessionPtr.length - 1] !== index.sessionItems.length ||
    index.postings.length !== index.sessionItems.length
  )
    throw new Error('session index: artifact arrays have inconsistent sizes');
  return index;
}

/** Candidate neighbor sessions of one request, most recent first. */
export interface Candidates {
  /** Session numbers (by recency, ascending = most recent first). */
  sessions: Uint32Array;
  /** Sum of the request's weights of the items each candidate shares with it. */
  shared: Float64Array;
  /** Latest request position (as given) among the items each candidate shares. */
  latest: Float64Array;
}

/**
 * Finds candidate neighbors through the postings, reusing scratch buffers sized by the number of
 * sessions (a request allocates only its result).
 */
export class NeighborSearch {
  private readonly shared: Float64Array;
  private readonly latest: Float64Array;
  private readonly seen: Uint8Array;
  private readonly touched: Uint32Array;

  constructor(readonly index: SessionIndex) {
    const n = index.sessionPtr.length - 1;
    this.shared = new Float64Array(n);
    this.latest = new Float64Array(n);
    this.seen = new Uint8Array(n);
    this.touched = new Uint32Array(n);
  }

  /** Number of training sessions. */
  get sessions(): number {
    return this.seen.length;
  }

  /**
   * The `sampleSize` most recent sessions (0: all) holding at least one of `items` (distinct), with
   * the summed `weights` and the latest `positions` of the items they share. A session outside the
   * first `sampleSize` entries of a posting list has `sampleSize` more recent candidates before it,
   * so reading only those prefixes is exact.
   */
  candidates(
    items: ArrayLike<number>,
    weights: ArrayLike<number>,
    positions: ArrayLike<number>,
    sampleSize: number,
  ): Candidates {
    const { postingPtr, postings } = this.index;
    let count = 0;
    for (let j = 0; j < items.length; j++) {
      const item = items[j]!;
      const w = weights[j]!;
      const pos = positions[j]!;
      const from = postingPtr[item]!;
      const to = sampleSize > 0 ? Math.min(postingPtr[item + 1]!, from + sampleSize) : postingPtr[item + 1]!;
      for (let p = from; p < to; p++) {
        const s = postings[p]!;
        if (this.seen[s] === 0) {
          this.seen[s] = 1;
          this.shared[s] = 0;
          this.latest[s] = -Infinity;
          this.touched[count++] = s;
        }
        this.shared[s]! += w;
        if (pos > this.latest[s]!) this.latest[s] = pos;
      }
    }
    const all = this.touched.slice(0, count).sort();
    for (const s of all) this.seen[s] = 0;
    const sessions = sampleSize > 0 && count > sampleSize ? all.subarray(0, sampleSize) : all;
    return {
      sessions,
      shared: Float64Array.from(sessions, (s) => this.shared[s]!),
      latest: Float64Array.from(sessions, (s) => this.latest[s]!),
    };
  }

  /** Number of distinct items of session `r`. */
  size(r: number): number {
    return this.index.sessionPtr[r + 1]! - this.index.sessionPtr[r]!;
  }
}
