/**
 * The k best of n scores with a bounded min-heap: O(n log k), no sort of the whole catalog. Ties go
 * to the lower index so results are deterministic.
 */

/** Ranked items with their scores, best first. */
export interface Ranked {
  items: Uint32Array;
  scores: Float32Array;
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
  // Worse = lower score, or equal score and higher index.
  const worse = (sa: number, ia: number, sb: number, ib: number) => sa < sb || (sa === sb && ia > ib);
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
    } else {
      let j = 0;
      for (;;) {
        const l = 2 * j + 1;
        if (l >= size) break;
        const r = l + 1;
        const c = r < size && worse(heapScores[r]!, heapItems[r]!, heapScores[l]!, heapItems[l]!) ? r : l;
        if (!worse(heapScores[c]!, heapItems[c]!, s, i)) break;
        heapScores[j] = heapScores[c]!;
        heapItems[j] = heapItems[c]!;
        j = c;
      }
      heapScores[j] = s;
      heapItems[j] = i;
    }
  }
  const order = Array.from({ length: size }, (_, j) => j).sort((a, b) =>
    worse(heapScores[a]!, heapItems[a]!, heapScores[b]!, heapItems[b]!) ? 1 : -1,
  );
  return {
    items: Uint32Array.from(order, (j) => heapItems[j]!),
    scores: Float32Array.from(order, (j) => heapScores[j]!),
  };
}
