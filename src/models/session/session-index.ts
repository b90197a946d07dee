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
 * Finds candidate neighbors by merging the request items' posting lists. The lists are sorted most
 * recent first, so the merge meets sessions in recency order and stops after `sampleSize` of them;
 * it reads the postings sequentially and keeps no per-session scratch (random writes into arrays
 * sized by millions of sessions cost a cache miss each).
 */
export class NeighborSearch {
  constructor(readonly index: SessionIndex) {}

  /** Number of training sessions. */
  get sessions(): number {
    return this.index.sessionPtr.length - 1;
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
    const d = items.length;
    const at = new Uint32Array(d);
    const end = new Uint32Array(d);
    let total = 0;
    for (let j = 0; j < d; j++) {
      const item = items[j]!;
      at[j] = postingPtr[item]!;
      end[j] = sampleSize > 0 ? Math.min(postingPtr[item + 1]!, at[j]! + sampleSize) : postingPtr[item + 1]!;
      total += end[j]! - at[j]!;
    }
    const cap = sampleSize > 0 ? Math.min(sampleSize, total) : total;
    const sessions = new Uint32Array(cap);
    const shared = new Float64Array(cap);
    const latest = new Float64Array(cap);
    let count = 0;
    while (count < cap) {
      let s = Number.POSITIVE_INFINITY;
      for (let j = 0; j < d; j++) if (at[j]! < end[j]! && postings[at[j]!]! < s) s = postings[at[j]!]!;
      if (s === Number.POSITIVE_INFINITY) break;
      let sum = 0;
      let last = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < d; j++) {
        if (at[j]! >= end[j]! || postings[at[j]!] !== s) continue;
        sum += weights[j]!;
        if (positions[j]! > last) last = positions[j]!;
        at[j]!++;
      }
      sessions[count] = s;
      shared[count] = sum;
      latest[count] = last;
      count++;
    }
    return {
      sessions: sessions.subarray(0, count),
      shared: shared.subarray(0, count),
      latest: latest.subarray(0, count),
    };
  }

  /** Number of distinct items of session `r`. */
  size(r: number): number {
    return this.index.sessionPtr[r + 1]! - this.index.sessionPtr[r]!;
  }
}
