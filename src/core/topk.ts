/**
 * The k best of n scores with a bounded min-heap: O(n log k), no sort of the whole catalog. Ties go
 * to the lower index so results are deterministic.
 */

/** Ranked items with their scores, best first. */
export interface Ranked {
  items: Uint32Array;
  scores: Float32Array;
}

/** Worse = lower score, or equal score and higher index (a strict total order). */
const worse = (sa: number, ia: number, sb: number, ib: number) => sa < sb || (sa === sb && ia > ib);

/** Puts (s, i) at the root of the heap's first `size` entries and sifts it down to its place. */
function siftDown(scores: Float64Array, items: Uint32Array, size: number, s: number, i: number): void {
  let j = 0;
  for (;;) {
    const l = 2 * j + 1;
    if (l >= size) break;
    const r = l + 1;
    const c = r < size && worse(scores[r]!, items[r]!, scores[l]!, items[l]!) ? r : l;
    if (!worse(scores[c]!, items[c]!, s, i)) break;
    scores[j] = scores[c]!;
    items[j] = items[c]!;
    j = c;
  }
  scores[j] = s;
  items[j] = i;
}

/**
 * The indices of the `k` highest finite scores, best first. `skip(i)` excludes an index (already
 * bought, excluded by the caller); -Infinity and NaN scores are never returned.
 */
export function topK(scores: ArrayLike<number>, k: number, skip?: (index: number) => boolean): Ranked {
  const n = scores.length;
  const cap = Math.max(0, Math.min(k, n));
  const heapItems = new Uint32Array(cap);
  const heapScores = new Float64Array(cap);
  let size = 0;
  for (let i = 0; i < n && cap > 0; i++) {
    const s = scores[i]!;
    if (!(s > Number.NEGATIVE_INFINITY)) continue;
    // A full heap rejects most items on score alone; ask `skip` only about the ones that would enter.
    if (size === cap && !worse(heapScores[0]!, heapItems[0]!, s, i)) continue;
    if (skip?.(i)) continue;
    if (size < cap) {
      let j = size++;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (!worse(s, i, heapScores[p]!, heapItems[p]!)) break;
        heapScores[j] = heapScores[p]!;
        heapItems[j] = heapItems[p]!;
        j = p;
      }
      heapScores[j] = s;
      heapItems[j] = i;
    } else siftDown(heapScores, heapItems, size, s, i);
  }
  // Pop the worst to the back until the heap is empty: best first, no sort and no closures.
  const items = new Uint32Array(size);
  const out = new Float32Array(size);
  for (let end = size - 1; end >= 0; end--) {
    items[end] = heapItems[0]!;
    out[end] = heapScores[0]!;
    if (end > 0) siftDown(heapScores, heapItems, end, heapScores[end]!, heapItems[end]!);
  }
  return { items, scores: out };
}
