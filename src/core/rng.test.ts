import { describe, expect, it } from 'vitest';
import { logFactorial, Rng } from './rng.js';

function moments(draw: () => number, n = 200_000): { mean: number; variance: number } {
  let s = 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    s += x;
    ss += x * x;
  }
  const mean = s / n;
  return { mean, variance: ss / n - mean * mean };
}

describe('Rng', () => {
  it('gives the same sequence for the same seed and a different one otherwise', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const xs = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(xs);
    expect(new Rng(1).uint32()).toMatchInlineSnapshot(`1828152527`);
  });

  it('forks independent, reproducible streams', () => {
    const r = new Rng(3);
    expect(r.fork('x').uint32()).toBe(new Rng(3).fork('x').uint32());
    expect(r.fork('x').uint32()).not.toBe(r.fork('y').uint32());
  });

  it('draws uniform floats in [0,1) and ints in range', () => {
    const r = new Rng(1);
    for (let i = 0; i < 10_000; i++) {
      const f = r.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
      const k = r.int(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
    }
    const m = moments(() => r.float());
    expect(m.mean).toBeCloseTo(0.5, 2);
    expect(m.variance).toBeCloseTo(1 / 12, 2);
  });

  it('has the right moments for normal, gamma, beta, exponential and poisson', () => {
    const r = new Rng(11);
    const n = moments(() => r.normal(2, 3));
    expect(n.mean).toBeCloseTo(2, 1);
    expect(n.variance).toBeCloseTo(9, 0);
    for (const shape of [0.5, 2, 9]) {
      const g = moments(() => r.gamma(shape, 2));
      expect(g.mean / (shape * 2)).toBeCloseTo(1, 1);
      expect(g.variance / (shape * 4)).toBeCloseTo(1, 1);
    }
    const b = moments(() => r.beta(2, 5));
    expect(b.mean).toBeCloseTo(2 / 7, 2);
    expect(moments(() => r.exponential(4)).mean).toBeCloseTo(0.25, 2);
    for (const lambda of [0.7, 12, 80, 1000]) {
      const p = moments(() => r.poisson(lambda));
      expect(p.mean / lambda).toBeCloseTo(1, 1);
      expect(p.variance / lambda).toBeCloseTo(1, 1);
    }
  });

  it('samples categories in proportion to their weights', () => {
    const r = new Rng(5);
    const counts = [0, 0, 0];
    for (let i = 0; i < 60_000; i++) counts[r.categorical([1, 2, 3])]!++;
    expect(counts[0]! / 60_000).toBeCloseTo(1 / 6, 2);
    expect(counts[2]! / 60_000).toBeCloseTo(1 / 2, 2);
  });

  it('shuffles into a permutation', () => {
    const xs = new Rng(9).shuffle(Array.from({ length: 50 }, (_, i) => i));
    expect([...xs].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(xs).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe('logFactorial', () => {
  it('is exact for small k and accurate for large k', () => {
    expect(logFactorial(5)).toBeCloseTo(Math.log(120), 12);
    let exact = 0;
    for (let i = 2; i <= 300; i++) exact += Math.log(i);
    expect(logFactorial(300)).toBeCloseTo(exact, 8);
  });
});
