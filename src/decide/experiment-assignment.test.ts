import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assign,
  type BucketRange,
  type Condition,
  chooseVariation,
  evalCondition,
  getBucketRanges,
  getEqualWeights,
  inNamespace,
  type Namespace,
  normalizeWeights,
  paddedVersionString,
  unitHash,
} from './experiment-assignment.js';

/**
 * GrowthBook's own published SDK cases, copied into experiment-assignment.cases.json from
 * growthbook/growthbook, packages/sdk-js/test/cases.json at commit
 * 021bf498f75c8491c156184ca1b3a1fbafa1d64e (specVersion 0.5.4). Every case is asserted the way
 * GrowthBook's packages/sdk-js/test/json.test.ts asserts it (bucket ranges and equal weights
 * compared after flooring to 8 decimals, everything else exactly).
 */

const cases = JSON.parse(
  readFileSync(new URL('./experiment-assignment.cases.json', import.meta.url), 'utf8'),
) as {
  source: { repository: string; path: string; commit: string; specVersion: string };
  hash: [string, string, number, number | null][];
  getBucketRange: [string, [number, number, number[] | null], number[][]][];
  chooseVariation: [string, number, BucketRange[], number][];
  inNamespace: [string, string, Namespace, boolean][];
  getEqualWeights: [number, number[]][];
  evalCondition: [string, Condition, Record<string, unknown>, boolean][];
  run: [string, { attributes?: Record<string, unknown> }, GrowthBookExperiment, unknown, boolean, boolean][];
  versionCompare: Record<'lt' | 'gt' | 'eq', [string, string, boolean][]>;
};

/** The fields of GrowthBook's Experiment that the kept `run` cases use. */
interface GrowthBookExperiment {
  key: string;
  variations: unknown[];
  weights?: number[];
  coverage?: number;
  ranges?: BucketRange[];
  seed?: string;
  hashVersion?: number;
  hashAttribute?: string;
  namespace?: Namespace;
  condition?: Condition;
}

const round = (n: number) => Math.floor(n * 1e8) / 1e8;
const roundRanges = (ranges: number[][]) => ranges.map((r) => r.map(round));

describe('GrowthBook cases.json', () => {
  it('records where the cases come from', () => {
    expect(cases.source).toMatchObject({
      repository: 'growthbook/growthbook',
      path: 'packages/sdk-js/test/cases.json',
      commit: '021bf498f75c8491c156184ca1b3a1fbafa1d64e',
    });
  });

  it.each(cases.hash)('hash(%j, %j, v%i) = %j', (seed, value, version, expected) => {
    expect(unitHash(seed, value, version)).toBe(expected);
  });

  it.each(cases.getBucketRange)('getBucketRanges: %s', (_name, [n, coverage, weights], expected) => {
    expect(roundRanges(getBucketRanges(n, coverage, weights))).toEqual(roundRanges(expected));
  });

  it.each(cases.chooseVariation)('chooseVariation: %s', (_name, n, ranges, expected) => {
    expect(chooseVariation(n, ranges)).toBe(expected);
  });

  it.each(cases.inNamespace)('inNamespace: %s', (_name, id, namespace, expected) => {
    expect(inNamespace(id, namespace)).toBe(expected);
  });

  it.each(cases.getEqualWeights)('getEqualWeights(%i)', (n, expected) => {
    expect(getEqualWeights(n).map(round)).toEqual(expected.map(round));
  });

  // GrowthBook's run(): the unit id is the hashAttribute's value ("id" by default), its SDK reads a
  // missing hashVersion as 1, and a unit that is not in the experiment sees variation 0.
  it.each(cases.run)('run: %s', (_name, context, experiment, value, inExperiment, hashUsed) => {
    const attributes = context.attributes ?? {};
    const raw = attributes[experiment.hashAttribute ?? 'id'];
    const result = assign(
      {
        key: experiment.key,
        seed: experiment.seed,
        hashVersion: experiment.hashVersion ?? 1,
        variants: experiment.variations,
        weights: experiment.weights,
        coverage: experiment.coverage,
        ranges: experiment.ranges,
        namespace: experiment.namespace,
        condition: experiment.condition,
      },
      raw === null || raw === undefined ? '' : String(raw),
      attributes,
    );
    expect(result.inExperiment).toBe(inExperiment);
    expect(result.inExperiment).toBe(hashUsed);
    expect(experiment.variations[result.inExperiment ? result.variant : 0]).toEqual(value);
  });

  it.each(cases.evalCondition)('evalCondition: %s', (_name, condition, attributes, expected) => {
    expect(evalCondition(attributes, condition)).toBe(expected);
  });

  const versions = cases.versionCompare;
  it.each(versions.eq)('version %s == %s', (a, b, expected) => {
    const [pa, pb] = [paddedVersionString(a), paddedVersionString(b)];
    expect([pa === pb, pa !== pb, pa >= pb, pa <= pb]).toEqual([expected, !expected, expected, expected]);
  });
  it.each(versions.gt)('version %s > %s', (a, b, expected) => {
    const [pa, pb] = [paddedVersionString(a), paddedVersionString(b)];
    expect([pa >= pb, pa > pb]).toEqual([expected, expected]);
  });
  it.each(versions.lt)('version %s < %s', (a, b, expected) => {
    const [pa, pb] = [paddedVersionString(a), paddedVersionString(b)];
    expect([pa < pb, pa <= pb]).toEqual([expected, expected]);
  });
});

describe('evalCondition beyond the published cases', () => {
  it('supports the case-insensitive operators and saved groups of newer SDKs', () => {
    expect(evalCondition({ c: 'US' }, { c: { $ini: ['us', 'ca'] } })).toBe(true);
    expect(evalCondition({ c: 'US' }, { c: { $nini: ['us'] } })).toBe(false);
    expect(evalCondition({ t: ['A', 'b'] }, { t: { $alli: ['a', 'B'] } })).toBe(true);
    expect(evalCondition({ ua: 'iPhone' }, { ua: { $regexi: 'iphone' } })).toBe(true);
    expect(evalCondition({ id: 'u1' }, { id: { $inGroup: 'vip' } }, { vip: ['u1', 'u2'] })).toBe(true);
    expect(evalCondition({ id: 'u3' }, { id: { $inGroup: 'vip' } }, { vip: ['u1', 'u2'] })).toBe(false);
    expect(evalCondition({ id: 'u3' }, { id: { $notInGroup: 'vip' } })).toBe(true);
  });
});

describe('assign', () => {
  const spec = { key: 'checkout-button', seed: 'seed', hashVersion: 2, variants: 2 } as const;

  it('uses the v2 hash of seed + unit id and the weight ranges', () => {
    // hash("seed", "a", 2) = 0.0505 and hash("seed", "b", 2) = 0.2696 (GrowthBook cases)
    expect(assign(spec, 'a')).toEqual({ hash: 0.0505, variant: 0, inExperiment: true, excludedBy: null });
    expect(assign({ ...spec, weights: [0.05, 0.95] }, 'a').variant).toBe(1);
    expect(assign({ ...spec, weights: [0.3, 0.7] }, 'b').variant).toBe(0);
    expect(assign({ ...spec, weights: [0.2, 0.8] }, 'b').variant).toBe(1);
  });

  it('seeds with the key when no seed is given, and supports hash version 1', () => {
    expect(assign({ key: 'seed', variants: ['a', 'b'] }, 'b').hash).toBe(0.2696);
    expect(assign({ key: 'k', seed: 'b', hashVersion: 1, variants: 2 }, 'a').hash).toBe(0.946);
  });

  it('reports why a unit is out, keeping its hash', () => {
    // hash("seed", "b", 2) = 0.2696: outside [0, 0.25) u [0.5, 0.75) at coverage 0.5
    expect(assign({ ...spec, coverage: 0.5 }, 'b')).toEqual({
      hash: 0.2696,
      variant: -1,
      inExperiment: false,
      excludedBy: 'coverage',
    });
    expect(assign({ ...spec, variants: 1 }, 'a').excludedBy).toBe('variants');
    expect(assign(spec, '').excludedBy).toBe('unit');
    // GrowthBook case: user 1 is outside ["namespace1", 0, 0.4]
    expect(assign({ ...spec, namespace: ['namespace1', 0, 0.4] }, '1').excludedBy).toBe('namespace');
    expect(assign({ ...spec, namespace: ['namespace1', 0.4, 1] }, '1').inExperiment).toBe(true);
    expect(assign({ ...spec, hashVersion: 3 }, 'a')).toMatchObject({ hash: null, excludedBy: 'hashVersion' });
    const targeted = { ...spec, condition: { country: { $in: ['US', 'CA'] } } };
    expect(assign(targeted, 'a', { country: 'FR' }).excludedBy).toBe('targeting');
    expect(assign(targeted, 'a', { country: 'US' }).inExperiment).toBe(true);
    expect(assign(targeted, 'a').excludedBy).toBe('targeting');
  });

  it('honours explicit ranges over weights and coverage', () => {
    expect(
      assign(
        {
          ...spec,
          coverage: 0.01,
          ranges: [
            [0.99, 1],
            [0, 0.99],
          ],
        },
        'a',
      ).variant,
    ).toBe(1);
  });

  it('splits traffic by the weights and keeps units in place when coverage grows', () => {
    const counts = [0, 0, 0];
    let moved = 0;
    const weights = [0.2, 0.3, 0.5];
    for (let u = 0; u < 20_000; u++) {
      const half = assign({ ...spec, variants: 3, weights, coverage: 0.5 }, `user-${u}`);
      const full = assign({ ...spec, variants: 3, weights }, `user-${u}`);
      counts[full.variant]!++;
      if (half.inExperiment && half.variant !== full.variant) moved++;
    }
    expect(moved).toBe(0);
    counts.forEach((c, i) => {
      expect(Math.abs(c / 20_000 - weights[i]!)).toBeLessThan(0.015);
    });
  });

  it('keeps experiments in disjoint namespace slices apart', () => {
    fc.assert(
      fc.property(fc.string(), fc.double({ min: 0, max: 1, noNaN: true }), (id, cut) => {
        const a = inNamespace(id, ['promo', 0, cut]);
        const b = inNamespace(id, ['promo', cut, 1]);
        return a !== b || (!a && !b && cut === 1);
      }),
    );
  });

  it('always lands in [0, 1) with at most 4 decimals (v2) or 3 (v1)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (seed, id) => {
        const h2 = unitHash(seed, id, 2)!;
        const h1 = unitHash(seed, id, 1)!;
        return (
          h2 >= 0 &&
          h2 < 1 &&
          Number.isInteger(Math.round(h2 * 1e4)) &&
          Math.abs(h2 * 1e4 - Math.round(h2 * 1e4)) < 1e-6 &&
          h1 >= 0 &&
          h1 < 1 &&
          Math.abs(h1 * 1e3 - Math.round(h1 * 1e3)) < 1e-6
        );
      }),
    );
  });
});

describe('normalizeWeights', () => {
  it('rescales to a sum of 1 and rejects negative, non-finite or all-zero weights', () => {
    expect(normalizeWeights([1, 3])).toEqual([0.25, 0.75]);
    expect(() => normalizeWeights([1, -1])).toThrow(RangeError);
    expect(() => normalizeWeights([Number.NaN, 1])).toThrow(RangeError);
    expect(() => normalizeWeights([0, 0])).toThrow('must not all be zero');
  });
});
