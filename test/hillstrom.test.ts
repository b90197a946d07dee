import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeHillstrom, HILLSTROM_CSV, hillstromSrm, loadHillstrom } from '../bench/hillstrom.js';

/**
 * The MineThatData e-mail test analyzed end to end (bench/hillstrom.ts's loader and analysis):
 * the published visit-rate effects over no e-mail are Mens +0.0766 and Womens +0.0452.
 */
const present = existsSync(HILLSTROM_CSV);
if (!present) console.warn(`skipping Hillstrom tests: ${HILLSTROM_CSV} is absent (see ../shared/datasets)`);

describe.skipIf(!present)('Hillstrom e-mail test', () => {
  const data = present ? loadHillstrom(HILLSTROM_CSV) : { arms: [], byChannel: [] };
  const results = present ? analyzeHillstrom(data) : [];
  const find = (metric: string, arm: string) => results.find((r) => r.metric === metric && r.arm === arm)!;

  it('reads the three arms as the manifest describes them', () => {
    expect(data.arms.map((a) => [a.name, a.n])).toEqual([
      ['No E-Mail', 21306],
      ['Mens E-Mail', 21307],
      ['Womens E-Mail', 21387],
    ]);
    expect(data.arms.reduce((s, a) => s + a.visits, 0)).toBe(9394);
    expect(data.arms.reduce((s, a) => s + a.conversions, 0)).toBe(578);
    expect(data.arms.reduce((s, a) => s + a.spend, 0)).toBeCloseTo(67258.13, 2);
  });

  it('reproduces the published visit-rate effects, significant with the interval excluding zero', () => {
    const mens = find('visit', 'Mens E-Mail');
    const womens = find('visit', 'Womens E-Mail');
    expect(mens.absolute.effect.toFixed(4)).toBe('0.0766');
    expect(womens.absolute.effect.toFixed(4)).toBe('0.0452');
    for (const r of [mens, womens]) {
      expect(r.absolute.pValue).toBeLessThan(1e-10);
      expect(r.absolute.ci[0]).toBeGreaterThan(0);
      expect(r.bayesian.chanceToWin).toBeGreaterThan(0.999);
      expect(r.bayesian.effect).toBeCloseTo(r.absolute.effect, 10); // flat prior
    }
  });

  it('finds no sample ratio mismatch', () => {
    const srm = hillstromSrm(data);
    expect(srm.overall.alarm).toBe(false);
    expect(srm.overall.pValue).toBeGreaterThan(0.5);
    expect(srm.responsible).toEqual([]);
  });
});
