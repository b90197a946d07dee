import { describe, expect, it } from 'vitest';
import type { AdjustedRatioStatistic } from './cuped.js';
import { type ArmStatistic, effectMoments } from './effect.js';
import { type Alternative, tTest } from './frequentist.js';
import type { Variable } from './moments.js';
import { sequentialTest } from './sequential.js';

/**
 * Expectations ported from GrowthBook's packages/stats/tests/frequentist/test_tests.py (commit
 * 78e2595), which rounds to 5 decimals: TestTwoSidedTTest, TestOneSidedGreaterTTest,
 * TestOneSidedLesserTTest and TestSequentialTTest.test_sequential_test_runs_ratio_ra (the other
 * sequential cases are in sequential.test.ts).
 */

const mean = (n: number, sum: number, sumSquares: number): Variable => ({ kind: 'mean', n, sum, sumSquares });

function run(a: ArmStatistic, b: ArmStatistic, relative: boolean, alternative: Alternative = 'two-sided') {
  const m = effectMoments(a, b, relative);
  if (!m.ok) throw new Error(m.error);
  return { ...m, ...tTest(m, 0.05, alternative) };
}

const A = mean(3407, 1396.87, 52377.9767);
const B = mean(3461, 2422.7, 134698.29);

/** The RegressionAdjustedRatioStatistic pair of the two *_ratio_ra tests. */
const RATIO_RA: [AdjustedRatioStatistic, AdjustedRatioStatistic] = [
  {
    kind: 'adjustedRatio',
    n: 100,
    numerator: mean(100, 485.112236689623, 2715.484666118136),
    denominator: mean(100, 679.9093275844917, 4939.424001640236),
    preNumerator: mean(100, 192.59138069991536, 460.076026390857),
    preDenominator: mean(100, 290.1398399750233, 920.9461385038898),
    products: {
      numeratorPreNumerator: 1113.6215759318352,
      denominatorPreDenominator: 2130.9404074446747,
      preNumeratorPreDenominator: 634.239482353647,
      numeratorDenominator: 3602.146836776702,
      numeratorPreDenominator: 1559.2878434944676,
      denominatorPreNumerator: 1460.3181079276983,
    },
    theta: null,
  },
  {
    kind: 'adjustedRatio',
    n: 100,
    numerator: mean(100, 514.7757826608777, 2994.897482705013),
    denominator: mean(100, 705.4090874383759, 5291.36604146392),
    preNumerator: mean(100, 206.94157227402536, 514.2903702246757),
    preDenominator: mean(100, 302.54389139107326, 994.4506208125663),
    products: {
      numeratorPreNumerator: 1237.0953021125997,
      denominatorPreDenominator: 2292.081739775257,
      preNumeratorPreDenominator: 698.4173425817908,
      numeratorDenominator: 3918.1561431600717,
      numeratorPreDenominator: 1701.0287270040265,
      denominatorPreNumerator: 1604.0759503266522,
    },
    theta: null,
  },
];

describe('two-sided t-test (gbstats TestTwoSidedTTest)', () => {
  it('test_two_sided_ttest', () => {
    const r = run(A, B, true);
    expect(r.estimate).toBeCloseTo(0.70732, 5);
    expect(r.ci[0]).toBeCloseTo(-0.03526, 5);
    expect(r.ci[1]).toBeCloseTo(1.44989, 5);
    expect(r.se).toBeCloseTo(0.37879, 5);
    expect(r.pValue).toBeCloseTo(0.06191, 5);
  });

  it('test_two_sided_ttest_absolute', () => {
    const r = run(A, B, false);
    expect(r.estimate).toBeCloseTo(0.29, 5);
    expect(r.ci[0]).toBeCloseTo(0.04538, 5);
    expect(r.ci[1]).toBeCloseTo(0.53462, 5);
    expect(r.se).toBeCloseTo(0.12478, 5);
    expect(r.pValue).toBeCloseTo(0.02016, 5);
  });

  it('test_two_sided_ttest_binom', () => {
    const r = run({ kind: 'proportion', n: 28, sum: 14 }, { kind: 'proportion', n: 30, sum: 16 }, true);
    expect(r.estimate).toBeCloseTo((16 / 30 - 0.5) / 0.5, 5);
    expect(r.ci[0]).toBeCloseTo(-0.47767, 5);
    expect(r.ci[1]).toBeCloseTo(0.61101, 5);
    expect(r.se).toBeCloseTo(0.2717, 5);
    expect(r.pValue).toBeCloseTo(0.80707, 5);
  });

  it('test_two_sided_ttest_missing_variance', () => {
    expect(effectMoments(mean(2, 1396.87, 52377.9767), B, true)).toEqual({
      ok: false,
      error: 'ZERO_NEGATIVE_VARIANCE',
    });
  });

  it('test_two_sided_ttest_test_runs_ratio_ra', () => {
    const r = run(...RATIO_RA, true);
    expect(r.estimate).toBeCloseTo(-0.0007, 5);
    expect(r.ci[0]).toBeCloseTo(-0.00841, 5);
    expect(r.ci[1]).toBeCloseTo(0.007, 5);
    expect(r.se).toBeCloseTo(0.00391, 5);
    expect(r.pValue).toBeCloseTo(0.85771, 5);
  });
});

describe('one-sided t-tests (gbstats TestOneSided{Greater,Lesser}TTest)', () => {
  const A3 = mean(3000, 1396.87, 52377.9767);
  const cases: [Alternative, boolean, number, number, number, number, number][] = [
    [
      'greater',
      true,
      0.5033610858562358,
      -0.045136675850396046,
      Infinity,
      0.3334122146400735,
      0.06558262868467746,
    ],
    [
      'greater',
      false,
      0.23437666666666668,
      0.020791480063255735,
      Infinity,
      0.12983081254184736,
      0.03554272489873023,
    ],
    ['less', true, 0.5033610858562358, -Infinity, 1.0518588475628676, 0.3334122146400735, 0.9344173713153225],
    [
      'less',
      false,
      0.23437666666666668,
      -Infinity,
      0.44796185327007765,
      0.12983081254184736,
      0.9644572751012698,
    ],
  ];
  for (const [alternative, relative, estimate, lo, hi, se, p] of cases) {
    it(`${alternative}, ${relative ? 'relative' : 'absolute'}`, () => {
      const r = run(A3, B, relative, alternative);
      expect(r.estimate).toBeCloseTo(estimate, 12);
      expect(r.se).toBeCloseTo(se, 12);
      // scipy's t.ppf carries ~1e-9 of error into gbstats's bounds; its cdf is exact to 1e-12.
      if (Number.isFinite(lo)) expect(r.ci[0]).toBeCloseTo(lo, 8);
      else expect(r.ci[0]).toBe(lo);
      if (Number.isFinite(hi)) expect(r.ci[1]).toBeCloseTo(hi, 8);
      else expect(r.ci[1]).toBe(hi);
      expect(r.pValue).toBeCloseTo(p, 12);
    });
  }
});

describe('sequential test on CUPED ratios (gbstats TestSequentialTTest)', () => {
  it('test_sequential_test_runs_ratio_ra', () => {
    const m = effectMoments(...RATIO_RA, true);
    if (!m.ok) throw new Error(m.error);
    const r = sequentialTest(m, 0.05, 5000, 'two-sided');
    expect(m.estimate).toBeCloseTo(-0.0007, 5);
    expect(r.ci[0]).toBeCloseTo(-0.02063, 5);
    expect(r.ci[1]).toBeCloseTo(0.01923, 5);
    expect(m.se).toBeCloseTo(0.00391, 5);
    expect(r.pValue).toBe(1);
  });
});
