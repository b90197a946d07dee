import { describe, expect, it } from 'vitest';
import { bayesianTest, type GaussianPrior } from './bayesian.js';
import { type ArmStatistic, effectMoments } from './effect.js';

/**
 * Expectations ported from GrowthBook's packages/stats/tests/bayesian/test_tests.py (commit
 * 78e2595, 5 decimals): TestBinom, TestNorm and TestGaussianEffectRelativeAbsolutePriors.
 */

function run(a: ArmStatistic, b: ArmStatistic, prior: GaussianPrior | null = null, relative = true) {
  const m = effectMoments(a, b, relative);
  if (!m.ok) throw new Error(m.error);
  return bayesianTest(m, prior, relative, 0.05);
}

function expectResult(
  r: ReturnType<typeof run>,
  want: { effect: number; ci: [number, number]; se: number; ctw: number; risk: [number, number] },
) {
  expect(r.effect).toBeCloseTo(want.effect, 5);
  expect(r.ci[0]).toBeCloseTo(want.ci[0], 5);
  expect(r.ci[1]).toBeCloseTo(want.ci[1], 5);
  expect(r.se).toBeCloseTo(want.se, 5);
  expect(r.chanceToWin).toBeCloseTo(want.ctw, 5);
  expect(r.risk[0]).toBeCloseTo(want.risk[0], 5);
  expect(r.risk[1]).toBeCloseTo(want.risk[1], 5);
}

const A = { kind: 'mean', n: 10, sum: 100, sumSquares: 1002.25 } as const;
const B = { kind: 'mean', n: 10, sum: 105, sumSquares: 1111.5 } as const;

describe('Bayesian effect test (gbstats EffectBayesianABTest)', () => {
  it('test_bayesian_binomial_ab_test', () => {
    expectResult(run({ kind: 'proportion', n: 100, sum: 49 }, { kind: 'proportion', n: 100, sum: 51 }), {
      effect: 0.04082,
      ci: [-0.24779, 0.32943],
      se: 0.14725,
      ctw: 0.60918,
      risk: [0.0814, 0.04058],
    });
  });

  it('test_bayesian_gaussian_ab_test', () => {
    expectResult(run(A, B), {
      effect: 0.05,
      ci: [-0.02, 0.12],
      se: 0.03572,
      ctw: 0.91923,
      risk: [0.05131, 0.00131],
    });
  });

  it('test_bayesian_gaussian_ab_test_informative', () => {
    expectResult(run(A, B, { mean: 0.1, variance: 0.1 }), {
      effect: 0.05063,
      ci: [-0.01893, 0.12019],
      se: 0.03549,
      ctw: 0.92315,
      risk: [0.05186, 0.00123],
    });
  });

  it('test_missing_data: empty arms cannot be compared', () => {
    expect(
      effectMoments({ kind: 'proportion', n: 0, sum: 0 }, { kind: 'proportion', n: 0, sum: 0 }, true).ok,
    ).toBe(false);
  });

  it('test_bayesian_effect_relative_effect: rescaling the prior keeps chance to win close', () => {
    const c = { kind: 'mean', n: 100, sum: 1000, sumSquares: 200000 } as const;
    const t = { kind: 'mean', n: 100, sum: 1100, sumSquares: 200005 } as const;
    const prior = { mean: 1, variance: 1 };
    expect(Math.abs(run(c, t, prior, false).chanceToWin - run(c, t, prior, true).chanceToWin)).toBeLessThan(
      0.005,
    );
  });

  it('risk matches its definition, E[max(0, X)] and E[max(0, -X)], by quadrature', () => {
    const r = run(A, B);
    const { effect: mu, se: sd } = r;
    let up = 0;
    let down = 0;
    const h = sd / 2000;
    for (let x = mu - 12 * sd; x < mu + 12 * sd; x += h) {
      const density = Math.exp(-0.5 * ((x - mu) / sd) ** 2) / (sd * Math.sqrt(2 * Math.PI));
      up += Math.max(0, x) * density * h;
      down += Math.max(0, -x) * density * h;
    }
    expect(r.risk[0]).toBeCloseTo(up, 7);
    expect(r.risk[1]).toBeCloseTo(down, 7);
  });
});
