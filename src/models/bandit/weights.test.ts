import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { applyFloor, argmaxShare, normalize, sampleArm } from './weights.js';

describe('applyFloor', () => {
  it('lifts arms to the floor and takes the mass from the others in proportion', () => {
    expect(applyFloor([0.9, 0.08, 0.02], 0.05)).toEqual(
      [0.95 * (0.9 / 0.98), 0.95 * (0.08 / 0.98), 0.05].map((x) => expect.closeTo(x, 15)),
    );
    // Scaling the others down can push a second arm under the floor: both end at the floor.
    expect(applyFloor([0.9, 0.06, 0.04], 0.06)).toEqual([0.88, 0.06, 0.06].map((x) => expect.closeTo(x, 15)));
    expect(applyFloor([1, 0, 0, 0], 0.25)).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(applyFloor([0.5, 0.5], 0)).toEqual([0.5, 0.5]);
  });

  it('always sums to 1, never goes below the floor and keeps the order of the arms', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 12 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (raw, f) => {
          const total = raw.reduce((a, b) => a + b, 0);
          const p = total > 0 ? raw.map((x) => x / total) : raw.map(() => 1 / raw.length);
          const floor = (f * 1) / p.length;
          const q = applyFloor(p, floor);
          expect(Math.abs(q.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
          for (const x of q) expect(x).toBeGreaterThanOrEqual(floor - 1e-15);
          for (let i = 0; i < p.length; i++)
            for (let j = 0; j < p.length; j++) if (p[i]! > p[j]!) expect(q[i]! >= q[j]! - 1e-15).toBe(true);
        },
      ),
    );
  });
});

describe('argmaxShare and normalize', () => {
  it('splits ties evenly', () => {
    expect(argmaxShare([1, 3, 3, 2])).toEqual([0, 0.5, 0.5, 0]);
    expect(argmaxShare([Number.POSITIVE_INFINITY, 1, Number.POSITIVE_INFINITY])).toEqual([0.5, 0, 0.5]);
  });

  it('refuses probabilities far from summing to 1', () => {
    expect(normalize([0.5, 0.5 + 1e-9], 'x')).toEqual([0.5, 0.5].map((v) => expect.closeTo(v, 8)));
    expect(() => normalize([0.5, 0.4], 'thompson-beta')).toThrow(
      /thompson-beta: probabilities sum to 0.9, not 1/,
    );
  });
});

describe('sampleArm', () => {
  it('never draws an arm of probability 0, even at the end of the list', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 10_000; i++) {
      expect(sampleArm([0.3, 0.7, 0], rng)).not.toBe(2);
      expect(sampleArm([0, 1, 0], rng)).toBe(1);
    }
    // A draw at the very top of [0, 1) lands on the last arm with positive probability.
    const top = { float: () => 1 - 2 ** -32 } as Rng;
    expect(sampleArm([0.5, 0.5 - 1e-12, 0], top)).toBe(1);
  });
});
