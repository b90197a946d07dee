import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { benjaminiHochberg, holm } from './adjust.js';

/** Golden values from statsmodels' multipletests (holm, fdr_bh), via bench/reference/gbstats_cases.py. */
const golden = JSON.parse(readFileSync(new URL('./adjust.cases.json', import.meta.url), 'utf8')) as {
  cases: { pValues: number[]; holm: number[]; benjaminiHochberg: number[] }[];
};

describe('p-value adjustments', () => {
  it('match statsmodels', () => {
    for (const c of golden.cases) {
      expect(holm(c.pValues).map((p, i) => Math.abs(p - c.holm[i]!))).toSatisfy((d: number[]) =>
        d.every((x) => x < 1e-14),
      );
      expect(benjaminiHochberg(c.pValues).map((p, i) => Math.abs(p - c.benjaminiHochberg[i]!))).toSatisfy(
        (d: number[]) => d.every((x) => x < 1e-14),
      );
    }
  });

  it('never lower a p-value, keep the order of the inputs, and Holm is the stricter', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }),
        (ps) => {
          const h = holm(ps);
          const bh = benjaminiHochberg(ps);
          ps.forEach((p, i) => {
            expect(h[i]!).toBeGreaterThanOrEqual(p * (1 - 1e-15));
            expect(bh[i]!).toBeGreaterThanOrEqual(p * (1 - 1e-15));
            expect(h[i]!).toBeGreaterThanOrEqual(bh[i]! - 1e-15);
            expect(h[i]!).toBeLessThanOrEqual(1);
            ps.forEach((q, j) => {
              if (p < q) expect(h[i]!).toBeLessThanOrEqual(h[j]!);
            });
          });
        },
      ),
      { seed: 7 },
    );
    expect(holm([])).toEqual([]);
  });
});
