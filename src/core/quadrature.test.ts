import { describe, expect, it } from 'vitest';
import { gaussLegendre } from './quadrature.js';

describe('gaussLegendre', () => {
  it('matches the tabulated 3- and 5-point rules', () => {
    const three = gaussLegendre(3);
    expect([...three.nodes]).toEqual([-Math.sqrt(0.6), 0, Math.sqrt(0.6)].map((x) => expect.closeTo(x, 15)));
    expect([...three.weights]).toEqual([5 / 9, 8 / 9, 5 / 9].map((w) => expect.closeTo(w, 15)));
    const five = gaussLegendre(5);
    const a = (1 / 3) * Math.sqrt(5 - 2 * Math.sqrt(10 / 7));
    const b = (1 / 3) * Math.sqrt(5 + 2 * Math.sqrt(10 / 7));
    expect([...five.nodes]).toEqual([-b, -a, 0, a, b].map((x) => expect.closeTo(x, 15)));
    const wa = (322 + 13 * Math.sqrt(70)) / 900;
    const wb = (322 - 13 * Math.sqrt(70)) / 900;
    expect([...five.weights]).toEqual([wb, wa, 128 / 225, wa, wb].map((w) => expect.closeTo(w, 15)));
    expect([...gaussLegendre(1).weights]).toEqual([2]);
  });

  it('integrates polynomials of degree 2n - 1 exactly and smooth functions to machine precision', () => {
    for (const n of [2, 7, 16, 64, 200]) {
      const { nodes, weights } = gaussLegendre(n);
      let total = 0;
      let top = 0;
      let cos = 0;
      for (let i = 0; i < n; i++) {
        total += weights[i]!;
        top += weights[i]! * nodes[i]! ** (2 * n - 2);
        cos += weights[i]! * Math.cos(nodes[i]!);
      }
      expect(total).toBeCloseTo(2, 13);
      expect(top).toBeCloseTo(2 / (2 * n - 1), 13);
      if (n >= 7) expect(cos).toBeCloseTo(2 * Math.sin(1), 14);
    }
  });

  it('is cached and refuses impossible orders', () => {
    expect(gaussLegendre(12)).toBe(gaussLegendre(12));
    expect(() => gaussLegendre(0)).toThrow(/n must be an integer/);
    expect(() => gaussLegendre(2.5)).toThrow(/n must be an integer/);
  });
});
