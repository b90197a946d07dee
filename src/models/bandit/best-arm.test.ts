import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { normalCdf } from '../../stats/distributions.js';
import { betaBestArm, gaussianBestArm } from './best-arm.js';

/**
 * Golden values by scipy.integrate.quad over scipy.stats densities (Normal cases cross-checked with
 * mpmath at 40 digits), written by bench/reference/bandit_cases.py.
 */
const golden = JSON.parse(readFileSync(new URL('./best-arm.cases.json', import.meta.url), 'utf8')) as {
  beta: { alpha: number[]; beta: number[]; p: number[] }[];
  gaussian: { mean: number[]; sd: number[]; p: number[] }[];
};

const sum = (p: number[]) => p.reduce((a, b) => a + b, 0);

function expectAll(got: number[], want: number[], tolerance: number, label: string) {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => {
    if (!(Math.abs(g - want[i]!) <= tolerance)) expect.fail(`${label} arm ${i}: got ${g}, want ${want[i]}`);
  });
}

describe('betaBestArm', () => {
  it('agrees with an independent quadrature to 1e-10 and sums to 1', () => {
    for (const c of golden.beta) {
      const p = betaBestArm(c.alpha, c.beta);
      expectAll(p, c.p, 1e-10, `beta ${JSON.stringify(c.alpha)}/${JSON.stringify(c.beta)}`);
      expect(Math.abs(sum(p) - 1)).toBeLessThan(1e-10);
    }
  });

  it('matches the closed form for two arms', () => {
    // P(Beta(a1, b1) > Beta(a2, b2)) = Σ_{i<a1} B(a2+i, b1+b2) / ((b1+i) B(1+i, b1) B(a2, b2)) (Miller
    // 2015, "Formulas for Bayesian A/B testing"), summed by mpmath at 40 digits.
    for (const [a1, b1, a2, b2, want] of [
      [3, 7, 5, 5, 0.167420814479638],
      [21, 181, 30, 172, 0.08665683197029626],
      [1, 1, 1, 9, 0.9],
      [150, 2850, 170, 2830, 0.1248883482438523],
    ] as const) {
      const p = betaBestArm([a1, a2], [b1, b2]);
      expect(p[0]).toBeCloseTo(want, 10);
      expect(p[1]).toBeCloseTo(1 - want, 10);
    }
  });

  it('is symmetric in the arms and splits identical arms evenly', () => {
    const p = betaBestArm([5, 5, 5], [95, 95, 95]);
    for (const x of p) expect(x).toBeCloseTo(1 / 3, 10);
    const a = betaBestArm([10, 40, 3], [200, 700, 50]);
    const b = betaBestArm([3, 10, 40], [50, 200, 700]);
    expect(b[0]).toBeCloseTo(a[2]!, 12);
    expect(b[1]).toBeCloseTo(a[0]!, 12);
    expect(b[2]).toBeCloseTo(a[1]!, 12);
  });

  it('stays accurate when posteriors are very concentrated and when one arm is new', () => {
    // Two arms with two million observations each, plus a brand-new arm (uniform prior).
    const p = betaBestArm([100001, 100501, 1], [1900001, 1899501, 1]);
    expect(Math.abs(sum(p) - 1)).toBeLessThan(1e-10);
    // The new arm wins when its draw beats both (a ~5% draw): P = ∫_0^1 F1 F2 ≈ 1 - E[max] ≈ 0.9497.
    expect(p[2]).toBeGreaterThan(0.949);
    expect(p[2]).toBeLessThan(0.951);
  });

  it('sums to 1 within 1e-9 on random posteriors from 10 to a million observations', () => {
    const rng = new Rng(11);
    for (let t = 0; t < 60; t++) {
      const alpha: number[] = [];
      const beta: number[] = [];
      for (let i = 0, k = 2 + rng.int(5); i < k; i++) {
        const n = Math.floor(10 ** rng.uniform(1, 6));
        const successes = Math.round(n * rng.uniform(0.001, 0.3));
        alpha.push(1 + successes);
        beta.push(1 + n - successes);
      }
      const p = betaBestArm(alpha, beta);
      expect(Math.abs(sum(p) - 1)).toBeLessThan(1e-9);
      expect(p.every((x) => x >= 0 && x <= 1)).toBe(true);
    }
  });

  it('refuses bad parameters, naming them', () => {
    expect(() => betaBestArm([1, 2], [1])).toThrow(/alpha has 2 arms but beta has 1/);
    expect(() => betaBestArm([1, 0.5], [1, 1])).toThrow(/alpha\[1\] and beta\[1\] must be finite and >= 1/);
    expect(() => betaBestArm([1, Number.NaN], [1, 1])).toThrow(/alpha\[1\]/);
  });
});

describe('gaussianBestArm', () => {
  it('agrees with an independent quadrature (and mpmath) to 1e-10 and sums to 1', () => {
    for (const c of golden.gaussian) {
      const p = gaussianBestArm(c.mean, c.sd);
      expectAll(p, c.p, 1e-10, `gaussian ${JSON.stringify(c.mean)}/${JSON.stringify(c.sd)}`);
      expect(Math.abs(sum(p) - 1)).toBeLessThan(1e-10);
    }
  });

  it('matches the closed form for two arms, Φ((μ1 - μ2) / sqrt(σ1² + σ2²))', () => {
    for (const [m1, s1, m2, s2] of [
      [0, 1, 1, 1],
      [0.3, 0.01, 0.25, 2],
      [5, 0.001, 5.001, 0.0005],
      [-1, 3, 2, 0.1],
    ] as const) {
      const p = gaussianBestArm([m1, m2], [s1, s2]);
      expect(p[0]).toBeCloseTo(normalCdf((m1 - m2) / Math.hypot(s1, s2)), 10);
    }
  });

  it('treats an sd of 0 as a known value, and splits ties between known values', () => {
    expect(gaussianBestArm([1, 2, 2], [0, 0, 0])).toEqual([0, 0.5, 0.5]);
    // A known 0 against N(0, 1): each wins half the time.
    const p = gaussianBestArm([0, 0], [0, 1]);
    expect(p[0]).toBeCloseTo(0.5, 10);
    expect(p[1]).toBeCloseTo(0.5, 10);
    // A known 1 against N(0, 1) and N(0.5, 2): it wins when both fall below 1.
    const q = gaussianBestArm([1, 0, 0.5], [0, 1, 2]);
    expect(q[0]).toBeCloseTo(normalCdf(1) * normalCdf(0.25), 12);
    expect(q[0]! + q[1]! + q[2]!).toBeCloseTo(1, 10);
  });

  it('sums to 1 within 1e-10 when standard deviations differ by up to 1e5', () => {
    const rng = new Rng(12);
    for (let t = 0; t < 60; t++) {
      const k = 2 + rng.int(5);
      const mean = Array.from({ length: k }, () => rng.normal());
      const sd = Array.from({ length: k }, () => 10 ** rng.uniform(-4, 1));
      const p = gaussianBestArm(mean, sd);
      expect(Math.abs(sum(p) - 1)).toBeLessThan(1e-10);
      expect(p.every((x) => x >= 0 && x <= 1)).toBe(true);
    }
  });

  it('refuses bad parameters, naming them', () => {
    expect(() => gaussianBestArm([1], [1, 2])).toThrow(/mean has 1 arms but sd has 2/);
    expect(() => gaussianBestArm([1, 2], [1, -1])).toThrow(/mean\[1\] must be finite and sd\[1\]/);
  });
});
