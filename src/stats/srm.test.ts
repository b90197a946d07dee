import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { srmByDimension, srmTest } from './srm.js';

/** Golden p-values from gbstats.utils.check_srm (bench/reference/gbstats_cases.py). */
const golden = JSON.parse(readFileSync(new URL('./srm.cases.json', import.meta.url), 'utf8')) as {
  cases: { counts: number[]; weights: number[]; pValue: number }[];
};

describe('srmTest', () => {
  it('reproduces gbstats check_srm', () => {
    for (const c of golden.cases) {
      const { pValue } = srmTest(c.counts, c.weights);
      expect(Math.abs(pValue - c.pValue)).toBeLessThanOrEqual(1e-12 + 1e-10 * c.pValue);
    }
  });

  it('alarms below 0.001 only', () => {
    expect(srmTest([5000, 5230], [0.5, 0.5])).toMatchObject({ alarm: false });
    expect(srmTest([120000, 122000], [0.5, 0.5]).alarm).toBe(true);
    expect(srmTest([0, 0], [1, 1])).toEqual({ chiSquare: 0, pValue: 1, alarm: false });
    expect(() => srmTest([1, 2], [1])).toThrow(/one entry per arm/);
  });
});

describe('srmByDimension', () => {
  const weights = [0.5, 0.5];

  it('points at the value that lost traffic in one arm', () => {
    const result = srmByDimension(
      [
        { value: 'chrome', counts: [5030, 4970] },
        { value: 'safari', counts: [3000, 2400] },
        { value: 'firefox', counts: [1010, 1000] },
      ],
      weights,
    );
    expect(result.overall.alarm).toBe(true);
    expect(result.responsible).toEqual(['safari']);
    expect(result.values[0]!.value).toBe('safari');
    expect(result.values[0]!.without.alarm).toBe(false);
    expect(result.values.find((v) => v.value === 'chrome')!.alarm).toBe(false);
  });

  it('names the value whose removal clears the alarm when no value alarms on its own', () => {
    // Every day is a little short in arm 2, day 4 the most; together they alarm, no day does alone,
    // and no single day's removal clears the alarm: the day that lowers it most is named.
    const days = Array.from({ length: 10 }, (_, d) => ({
      value: `day ${d + 1}`,
      counts: [3000, d === 3 ? 2780 : 2900],
    }));
    const result = srmByDimension(days, weights);
    expect(result.overall.alarm).toBe(true);
    expect(result.values.every((v) => !v.alarm)).toBe(true);
    expect(result.values.every((v) => v.without.alarm)).toBe(true);
    expect(result.responsible).toEqual(['day 4']);
  });

  it('is quiet when the split holds', () => {
    const result = srmByDimension(
      [
        { value: 'ads', counts: [500, 510] },
        { value: 'organic', counts: [2000, 1985] },
      ],
      weights,
    );
    expect(result.overall.alarm).toBe(false);
    expect(result.responsible).toEqual([]);
    expect(result.overall.pValue).toBeCloseTo(srmTest([2500, 2495], weights).pValue, 15);
  });
});
