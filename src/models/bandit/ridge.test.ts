import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { addOuter, quadraticForm, scaledIdentity, spdInverse } from './ridge.js';

describe('ridge algebra', () => {
  it('inverts λI + Σ x xᵀ: A A⁻¹ = I, and A⁻¹ is symmetric', () => {
    const rng = new Rng(3);
    for (const d of [1, 2, 5, 12]) {
      let a = scaledIdentity(d, 0.5);
      for (let t = 0; t < 40; t++)
        a = addOuter(
          a,
          Array.from({ length: d }, () => rng.normal()),
        );
      const inv = spdInverse(a, d);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          let s = 0;
          for (let k = 0; k < d; k++) s += a[i * d + k]! * inv[k * d + j]!;
          expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
          expect(inv[i * d + j]).toBe(inv[j * d + i]);
        }
      }
    }
  });

  it('inverts a 2 x 2 matrix by hand and computes xᵀ A⁻¹ x', () => {
    // A = [[2, 1], [1, 2]], A⁻¹ = [[2, -1], [-1, 2]] / 3.
    const inv = spdInverse([2, 1, 1, 2], 2);
    expect(inv).toEqual([2 / 3, -1 / 3, -1 / 3, 2 / 3].map((x) => expect.closeTo(x, 15)));
    expect(quadraticForm(inv, [1, 1])).toBeCloseTo(2 / 3, 15);
  });

  it('refuses a matrix that is not positive definite', () => {
    expect(() => spdInverse([1, 2, 2, 1], 2)).toThrow(/not positive definite/);
  });
});
