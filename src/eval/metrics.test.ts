import { describe, expect, it } from 'vitest';
import { csrFromCoo, transpose } from '../core/csr.js';
import { intraListDiversity, listStats, meanInterval, rankingMetrics, tQuantile975 } from './metrics.js';

describe('rankingMetrics', () => {
  it('computes every metric of a known list (golden values)', () => {
    // Relevant {2, 5, 9}; the list hits at ranks 2 and 4.
    const m = rankingMetrics([7, 2, 8, 5, 1], new Set([2, 5, 9]), [1, 3, 5]);
    expect(m['precision@1']).toBe(0);
    expect(m['precision@3']).toBeCloseTo(1 / 3, 12);
    expect(m['precision@5']).toBeCloseTo(2 / 5, 12);
    expect(m['recall@5']).toBeCloseTo(2 / 3, 12);
    expect(m['nrecall@1']).toBe(0);
    expect(m['nrecall@3']).toBeCloseTo(1 / 3, 12);
    expect(m['hitrate@1']).toBe(0);
    expect(m['hitrate@3']).toBe(1);
    expect(m.mrr).toBeCloseTo(1 / 2, 12);
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(5);
    const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(m['ndcg@5']).toBeCloseTo(dcg / idcg, 12);
    expect(m['map@5']).toBeCloseTo((1 / 2 + 2 / 4) / 3, 12);
  });

  it('normalizes recall by min(k, |relevant|) under its own name', () => {
    const relevant = new Set(Array.from({ length: 50 }, (_, i) => i));
    const m = rankingMetrics(
      Array.from({ length: 10 }, (_, i) => i),
      relevant,
      [10],
    );
    expect(m['recall@10']).toBeCloseTo(10 / 50, 12);
    expect(m['nrecall@10']).toBe(1);
    expect(m['ndcg@10']).toBeCloseTo(1, 12);
  });

  it('handles empty lists and lists shorter than k', () => {
    const m = rankingMetrics([], new Set([1]), [10]);
    expect(m).toMatchObject({ 'precision@10': 0, 'recall@10': 0, 'ndcg@10': 0, mrr: 0 });
    expect(rankingMetrics([1], new Set([1]), [10])['precision@10']).toBeCloseTo(0.1, 12);
  });
});

describe('meanInterval', () => {
  it('gives the mean with a Student-t 95% interval', () => {
    expect(tQuantile975(10)).toBeCloseTo(2.228, 3);
    expect(tQuantile975(30)).toBeCloseTo(2.042, 3);
    expect(tQuantile975(1000)).toBeCloseTo(1.962, 3);
    const e = meanInterval([1, 2, 3, 4, 5]);
    expect(e.mean).toBe(3);
    const half = 2.776 * Math.sqrt(2.5 / 5);
    expect(e.ci[0]).toBeCloseTo(3 - half, 2);
    expect(e.ci[1]).toBeCloseTo(3 + half, 2);
    expect(meanInterval([4]).ci).toEqual([4, 4]);
  });
});

describe('beyond accuracy', () => {
  it('measures coverage, novelty and popularity of the lists', () => {
    const share = Float64Array.of(0.5, 0.25, 0.125, 0);
    const s = listStats(
      [
        [0, 1],
        [0, 2],
      ],
      2,
      share,
      8,
    );
    expect(s.coverage).toBe(3 / 4);
    expect(s.novelty).toBeCloseTo((1 + 2 + 1 + 3) / 4, 12);
    expect(s.popularity).toBeCloseTo((0.5 + 0.25 + 0.5 + 0.125) / 4, 12);
  });

  it('measures intra-list diversity from co-interactions', () => {
    // Items 0 and 1 share all users; item 2 shares none with them.
    const byItem = transpose(csrFromCoo(2, 3, [0, 0, 1, 1], [0, 1, 0, 1], [1, 1, 1, 1]));
    expect(intraListDiversity([0, 1], 10, byItem)).toBeCloseTo(0, 12);
    expect(intraListDiversity([0, 2], 10, byItem)).toBe(1);
    expect(intraListDiversity([0, 1, 2], 10, byItem)).toBeCloseTo(2 / 3, 12);
  });
});
