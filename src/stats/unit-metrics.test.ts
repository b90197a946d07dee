import { describe, expect, it } from 'vitest';
import { meanArms, proportionArms, quantile, ratioArms, winsorize } from './unit-metrics.js';

describe('unit metrics', () => {
  it('takes quantiles as numpy does (linear)', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 0, 5], 1)).toBe(10);
    expect(quantile([3, 1, 2, 4, 100], 0.9)).toBeCloseTo(61.6, 10); // 4 + 0.6 * 96
  });

  it('caps every arm at the same pooled thresholds', () => {
    // The outlier sits in arm 1, yet the cap comes from all units together.
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1000];
    const arm = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    const capped = winsorize(values, { upper: 0.9, lower: null });
    expect(capped.upper).toBeCloseTo(9 + 0.1 * 991, 10);
    const arms = meanArms(arm, 2, values, { upper: 0.9, lower: null });
    expect(arms[0]).toEqual({ n: 5, sum: 15, sumSquares: 55 });
    expect(arms[1]!.sum).toBeCloseTo(6 + 7 + 8 + 9 + capped.upper!, 10);
    // A lower cap lifts refunds (negative revenue) to the pooled lower quantile.
    expect(winsorize([-500, 0, 0, 10], { upper: null, lower: 0.25 }).values).toEqual([-125, 0, 0, 10]);
  });

  it('builds proportion, CUPED and ratio arms', () => {
    const arm = [0, 1, 1, 0];
    expect(proportionArms(arm, 2, [true, false, true, false])).toEqual([
      { n: 2, sum: 1 },
      { n: 2, sum: 1 },
    ]);
    expect(meanArms(arm, 2, [1, 2, 3, 4], null, [1, 0, 1, 2])[1]).toEqual({
      n: 2,
      sum: 5,
      sumSquares: 13,
      pre: { sum: 1, sumSquares: 1 },
      sumProductPre: 3,
    });
    expect(ratioArms(arm, 2, [10, 20, 30, 0], [1, 2, 2, 0])[0]).toEqual({
      n: 2,
      numerator: { sum: 10, sumSquares: 100 },
      denominator: { sum: 1, sumSquares: 1 },
      sumProduct: 10,
    });
    // Empty arms stay in place with n = 0.
    expect(proportionArms([0, 0], 3, [true, false])[2]).toEqual({ n: 0, sum: 0 });
  });
});
