import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
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
