import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  betaCdf,
  betaPdf,
  betaQuantile,
  betaSf,
  chiSquareSf,
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTPdf,
  studentTQuantile,
} from './distributions.js';

/**
 * Golden values from scipy 1.10 (and mpmath at 40 digits for Student-t quantiles, where scipy's
 * own t.ppf is only good to ~5e-9), written by bench/reference/gbstats_cases.py.
 */
const golden = JSON.parse(readFileSync(new URL('./distributions.cases.json', import.meta.url), 'utf8')) as {
  studentTCdf: { x: number; dof: number; scipy: number }[];
  studentTQuantile: { p: number; dof: number; scipy: number; exact: number }[];
  normalCdf: { x: number; scipy: number }[];
  normalQuantile: { p: number; scipy: number }[];
  chiSquareSf: { x: number; dof: number; scipy: number }[];
};

/** |got - want| within `tolerance` relative to |want| (absolute below 1). */
function close(got: number, want: number, tolerance: number): boolean {
  return (
    Math.abs(got - want) <= tolerance * Math.max(1e-300, Math.abs(want)) || Math.abs(got - want) < 1e-300
  );
}

function expectClose(got: number, want: number, tolerance: number, label: string) {
  if (!close(got, want, tolerance)) expect.fail(`${label}: got ${got}, want ${want}`);
}

describe('distributions against scipy', () => {
  it('Student-t cdf to 1e-10 relative, including the far tails and up to 1e9 degrees of freedom', () => {
    for (const c of golden.studentTCdf)
      expectClose(studentTCdf(c.x, c.dof), c.scipy, 1e-10, `t.cdf(${c.x}, ${c.dof})`);
  });

  it('Student-t quantile to 1e-10 of the exact value, and within scipy t.ppf own error (1e-8)', () => {
    for (const c of golden.studentTQuantile) {
      const got = studentTQuantile(c.p, c.dof);
      expectClose(got, c.exact, 1e-10, `t.ppf(${c.p}, ${c.dof}) vs mpmath`);
      expectClose(got, c.scipy, 1e-8, `t.ppf(${c.p}, ${c.dof}) vs scipy`);
    }
  });

  it('normal cdf and quantile to 1e-10 relative', () => {
    for (const c of golden.normalCdf) expectClose(normalCdf(c.x), c.scipy, 1e-10, `norm.cdf(${c.x})`);
    for (const c of golden.normalQuantile)
      expectClose(normalQuantile(c.p), c.scipy, 1e-10, `norm.ppf(${c.p})`);
  });

  it('chi-square survival function to 1e-10 relative', () => {
    for (const c of golden.chiSquareSf)
      expectClose(chiSquareSf(c.x, c.dof), c.scipy, 1e-10, `chi2.sf(${c.x}, ${c.dof})`);
  });
});

describe('distributions', () => {
  it('quantiles invert the cdfs', () => {
    for (const dof of [1, 2.5, 7, 60, 4000, 3e6]) {
      for (const p of [1e-9, 0.01, 0.2, 0.5, 0.8, 0.99]) {
        expectClose(studentTCdf(studentTQuantile(p, dof), dof), p, 1e-12, `t(${dof}) at ${p}`);
      }
    }
    for (const p of [1e-200, 1e-9, 0.3, 0.5, 0.9])
      expectClose(normalCdf(normalQuantile(p)), p, 1e-13, `norm at ${p}`);
  });

  it('matches the closed forms of one and two degrees of freedom', () => {
    for (const t of [-30, -2, -0.3, 0.7, 4]) {
      expectClose(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-13, `cauchy ${t}`);
      expectClose(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-13, `t2 ${t}`);
      expectClose(studentTPdf(t, 1), 1 / (Math.PI * (1 + t * t)), 1e-13, `cauchy pdf ${t}`);
    }
  });

  it('is symmetric and handles the edges', () => {
    expect(studentTCdf(0, 5)).toBe(0.5);
    expect(studentTQuantile(0.5, 5)).toBe(0);
    expect(studentTQuantile(0, 5)).toBe(Number.NEGATIVE_INFINITY);
    expect(studentTQuantile(1, 5)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(0.5)).toBe(0);
    expect(chiSquareSf(0, 3)).toBe(1);
    expect(studentTQuantile(0.025, 9)).toBeCloseTo(-studentTQuantile(0.975, 9), 14);
    expect(Number.isNaN(studentTCdf(1, 0))).toBe(true);
  });
});

/** Golden values from scipy.stats.beta (Boost's ibeta), written by bench/reference/bandit_cases.py. */
const betaGolden = JSON.parse(readFileSync(new URL('./beta.cases.json', import.meta.url), 'utf8')) as {
  cdf: { x: number; a: number; b: number; cdf: number; sf: number }[];
  pdf: { x: number; a: number; b: number; pdf: number }[];
  quantile: { p: number; a: number; b: number; scipy: number }[];
};

describe('Beta distribution', () => {
  it('cdf and survival function to 1e-10 relative against scipy, tails included', () => {
    for (const c of betaGolden.cdf) {
      expectClose(betaCdf(c.x, c.a, c.b), c.cdf, 1e-10, `beta.cdf(${c.x}, ${c.a}, ${c.b})`);
      expectClose(betaSf(c.x, c.a, c.b), c.sf, 1e-10, `beta.sf(${c.x}, ${c.a}, ${c.b})`);
    }
  });

  it('density to 1e-10 relative against scipy', () => {
    for (const c of betaGolden.pdf)
      expectClose(betaPdf(c.x, c.a, c.b), c.pdf, 1e-10, `beta.pdf(${c.x}, ${c.a}, ${c.b})`);
  });

  it('quantile to 1e-10 relative against scipy, and it inverts the cdf', () => {
    for (const c of betaGolden.quantile) {
      const x = betaQuantile(c.p, c.a, c.b);
      expectClose(x, c.scipy, 1e-10, `beta.ppf(${c.p}, ${c.a}, ${c.b})`);
      // Round trip, allowing for the spacing of doubles at x (1.1e-16 just below 1) times the density.
      const [got, want] = c.p < 0.5 ? [betaCdf(x, c.a, c.b), c.p] : [betaSf(x, c.a, c.b), 1 - c.p];
      const slack = 1e-10 * want + 4 * betaPdf(x, c.a, c.b) * Number.EPSILON * Math.max(x, 1e-300);
      if (!(Math.abs(got - want) <= slack))
        expect.fail(`ppf(${c.p}, ${c.a}, ${c.b}) round trip: ${got} vs ${want}`);
    }
  });

  it('matches closed forms and the binomial identity', () => {
    for (const x of [0.001, 0.2, 0.5, 0.77, 0.999]) {
      expectClose(betaCdf(x, 1, 1), x, 1e-14, `uniform ${x}`);
      expectClose(betaCdf(x, 2, 2), 3 * x * x - 2 * x ** 3, 1e-13, `beta(2,2) ${x}`);
      expectClose(betaCdf(x, 1, 7), -Math.expm1(7 * Math.log1p(-x)), 1e-13, `beta(1,7) ${x}`);
      expectClose(betaPdf(x, 2, 2), 6 * x * (1 - x), 1e-13, `beta(2,2) pdf ${x}`);
      // I_x(a, b) = P(Binomial(a + b - 1, x) >= a) for integer a, b.
      const [a, b] = [4, 9];
      const n = a + b - 1;
      let tail = 0;
      let choose = 1;
      for (let j = 0; j <= n; j++) {
        if (j >= a) tail += choose * x ** j * (1 - x) ** (n - j);
        choose = (choose * (n - j)) / (j + 1);
      }
      expectClose(betaCdf(x, a, b), tail, 1e-12, `binomial identity ${x}`);
    }
  });

  it('handles the edges', () => {
    expect(betaCdf(0, 2, 3)).toBe(0);
    expect(betaCdf(1, 2, 3)).toBe(1);
    expect(betaCdf(-1, 2, 3)).toBe(0);
    expect(betaSf(2, 2, 3)).toBe(0);
    expect(betaPdf(0, 1, 5)).toBe(5);
    expect(betaPdf(1, 3, 1)).toBe(3);
    expect(betaPdf(1.5, 3, 1)).toBe(0);
    expect(betaQuantile(0, 2, 3)).toBe(0);
    expect(betaQuantile(1, 2, 3)).toBe(1);
    expect(Number.isNaN(betaCdf(0.5, 0, 1))).toBe(true);
    expect(Number.isNaN(betaQuantile(1.5, 1, 1))).toBe(true);
  });
});
