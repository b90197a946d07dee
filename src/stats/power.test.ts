import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type PowerInput, powerAt, sampleSize } from './power.js';

/**
 * Golden values from a transcription of GrowthBook's power calculator (front-end
 * PowerCalculation/stats.ts) on scipy, via bench/reference/gbstats_cases.py.
 */
const golden = JSON.parse(readFileSync(new URL('./power.cases.json', import.meta.url), 'utf8')) as {
  cases: { input: PowerInput; powerAt: [number, number][]; usersPerVariant: number; weeks: number }[];
};

describe('power', () => {
  it('matches the reference for power, users per variant and weeks', () => {
    for (const c of golden.cases) {
      for (const [n, want] of c.powerAt) expect(powerAt(c.input, n)).toBeCloseTo(want, 12);
      const plan = sampleSize(c.input);
      expect(plan.usersPerVariant).toBe(c.usersPerVariant);
      expect(plan.weeks).toBe(c.weeks);
      expect(plan.totalUsers).toBe(c.usersPerVariant * c.input.variants);
      expect(plan.power).toBeGreaterThanOrEqual(c.input.power);
    }
  });

  it('agrees with the textbook normal-approximation sample size', () => {
    // Two arms, p = 10%, +10% relative: n = (z_.975 + z_.8)^2 (v_A + v_B * (1 + mde)^2) / (p * mde)^2 with v = p(1 - p).
    const input: PowerInput = {
      type: 'proportion',
      baseline: 0.1,
      mde: 0.1,
      alpha: 0.05,
      power: 0.8,
      variants: 2,
      weeklyTraffic: 5000,
    };
    const z = 1.959963984540054 + 0.8416212335729143;
    const v = 0.09;
    const n = (z * z * (v + v * 1.1 ** 2)) / (0.1 * 0.1) ** 2;
    expect(Math.abs(sampleSize(input).usersPerVariant - n)).toBeLessThan(n * 0.001);
  });

  it('needs more users for more variants, smaller effects and sequential testing', () => {
    const base: PowerInput = {
      type: 'mean',
      baseline: 40,
      stddev: 55,
      mde: 0.05,
      alpha: 0.05,
      power: 0.8,
      variants: 2,
      weeklyTraffic: 10000,
    };
    const users = (p: Partial<PowerInput>) => sampleSize({ ...base, ...p }).totalUsers;
    expect(users({ variants: 3 })).toBeGreaterThan(users({}));
    expect(users({ mde: 0.03 })).toBeGreaterThan(users({}));
    expect(users({ sequentialTuning: 5000 })).toBeGreaterThan(users({}));
  });
});
