import { describe, expect, it } from 'vitest';
import type { AdjustedStatistic } from './cuped.js';
import { type ArmStatistic, effectMoments } from './effect.js';
import type { Alternative } from './frequentist.js';
import type { Variable } from './moments.js';
import { sequentialTest } from './sequential.js';

/**
 * Expectations ported from GrowthBook's packages/stats/tests/frequentist/test_tests.py (commit
 * 78e2595, 5 decimals): TestSequentialTTest and TestSequentialOneSided{Greater,Lesser}TTest
 * (test_sequential_test_runs_ratio_ra sits in frequentist.test.ts with its statistics).
 */

const mean = (n: number, sum: number, sumSquares: number): Variable => ({ kind: 'mean', n, sum, sumSquares });
const A = mean(3000, 1396.87, 52377.9767);
const B = mean(3461, 2422.7, 134698.29);

function run(
  a: ArmStatistic,
  b: ArmStatistic,
  options: { relative?: boolean; tuning?: number; alternative?: Alternative } = {},
) {
  const m = effectMoments(a, b, options.relative ?? true);
  if (!m.ok) throw new Error(m.error);
  return { ...m, ...sequentialTest(m, 0.05, options.tuning ?? 5000, options.alternative ?? 'two-sided') };
}

describe('sequential two-sided test (gbstats TestSequentialTTest)', () => {
  it('test_sequential_test_runs', () => {
    const r = run(A, B, { tuning: 1000 });
    expect(r.estimate).toBeCloseTo(0.50336, 5);
    expect(r.ci[0]).toBeCloseTo(-0.55844, 5);
    expect(r.ci[1]).toBeCloseTo(1.56516, 5);
    expect(r.se).toBeCloseTo(0.33341, 5);
    expect(r.pValue).toBe(1);
  });

  it('test_sequential_test_runs_prop', () => {
    const r = run({ kind: 'proportion', n: 3000, sum: 1396 }, { kind: 'proportion', n: 3461, sum: 2422 });
    expect(r.estimate).toBeCloseTo(0.50386, 5);
    expect(r.ci[0]).toBeCloseTo(0.40098, 5);
    expect(r.ci[1]).toBeCloseTo(0.60675, 5);
    expect(r.se).toBeCloseTo(0.03386, 5);
    expect(r.pValue).toBeCloseTo(0, 5);
  });

  it('test_sequential_test_runs_ra', () => {
    const adjusted = (post: Variable, pre: Variable): AdjustedStatistic => ({
      kind: 'adjusted',
      n: post.n,
      post,
      pre,
      sumProductPre: 1,
      theta: null,
    });
    const r = run(adjusted(A, mean(3000, 16.87, 527.9767)), adjusted(B, mean(3461, 22.7, 1348.29)));
    expect(r.estimate).toBeCloseTo(0.50338, 5);
    expect(r.ci[0]).toBeCloseTo(-0.50969, 5);
    expect(r.ci[1]).toBeCloseTo(1.51646, 5);
    expect(r.se).toBeCloseTo(0.33341, 5);
    expect(r.pValue).toBe(1);
  });

  it('test_sequential_test_tuning_as_expected: the sequence is tightest when N* is near n', () => {
    const below = run(A, B, { tuning: 10 }).ci;
    const near = run(A, B, { tuning: 6461 }).ci;
    const above = run(A, B, { tuning: 10000 }).ci;
    expect(below[0] < above[0] && below[1] > above[1]).toBe(true);
    expect(below[0] < near[0] && below[1] > near[1]).toBe(true);
    expect(above[0] < near[0] && above[1] > near[1]).toBe(true);
  });
});

describe('sequential one-sided tests (gbstats TestSequentialOneSided{Greater,Lesser}TTest)', () => {
  const cases: [Alternative, boolean, number, number, number][] = [
    ['greater', true, -0.42356454602790883, Infinity, 0.4999],
    ['greater', false, -0.12656844172804982, Infinity, 0.46316491943359384],
    ['less', true, -Infinity, 1.4302867177403806, 0.4999],
    ['less', false, -Infinity, 0.5953217750613832, 0.4999],
  ];
  for (const [alternative, relative, lo, hi, p] of cases) {
    it(`${alternative}, ${relative ? 'relative' : 'absolute'}`, () => {
      const r = run(A, B, { relative, alternative });
      expect(r.ci[0]).toBeCloseTo(lo, 12);
      expect(r.ci[1]).toBeCloseTo(hi, 12);
      // gbstats bisects to within ~1e-4 of the alpha where the bound reaches 0 (0.46316...); the
      // closed form gives that alpha exactly.
      expect(Math.abs(r.pValue - p)).toBeLessThan(2e-4);
    });
  }

  it('the finite bound sits exactly on 0 at the p-value', () => {
    const m = effectMoments(A, B, false);
    if (!m.ok) throw new Error(m.error);
    const { pValue } = sequentialTest(m, 0.05, 5000, 'greater');
    expect(pValue).toBeCloseTo(0.4630473577946261, 12);
    // Re-running at alpha = p with rho held fixed is what gbstats's bisection searches over.
    const rho = Math.sqrt((-2 * Math.log(0.1) + Math.log(-2 * Math.log(0.1) + 1)) / 5000);
    const s2 = m.se * m.se * m.n;
    const nr = m.n * rho * rho + 1;
    const halfwidth = Math.sqrt(
      ((s2 * 2 * nr) / (m.n * rho) ** 2) * Math.log(1 + Math.sqrt(nr) / (2 * pValue)),
    );
    expect(m.estimate - halfwidth).toBeCloseTo(0, 14);
  });
});
