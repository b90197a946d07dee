import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';
import { topK } from './topk.js';

/** The reference: sort every eligible index by (score desc, index asc) and cut. */
function reference(scores: number[], k: number, skip: (i: number) => boolean): number[] {
  return scores
    .map((s, i) => [s, i] as const)
    .filter(([s, i]) => s > Number.NEGATIVE_INFINITY && !skip(i))
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, Math.max(0, k))
    .map(([, i]) => i);
}

describe('topK', () => {
  it('equals a full sort on random scores with ties, NaN, -Infinity and skips', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 500; trial++) {
      const n = rng.int(60);
      const levels = 1 + rng.int(6); // few levels: many ties
      const scores = Array.from({ length: n }, () => {
        const u = rng.float();
        if (u < 0.05) return Number.NaN;
        if (u < 0.1) return Number.NEGATIVE_INFINITY;
        return Math.fround(rng.int(levels) / levels - 0.3);
      });
      const k = rng.int(n + 3) - 1;
      const dropped = new Set(Array.from({ length: n }, (_, i) => i).filter(() => rng.float() < 0.2));
      const skip = (i: number) => dropped.has(i);
      const got = topK(Float32Array.from(scores), k, skip);
      const want = reference(scores, k, skip);
      expect([...got.items]).toEqual(want);
      expect([...got.scores]).toEqual(want.map((i) => scores[i]));
    }
  });
});
