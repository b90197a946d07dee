import { describe, expect, it } from 'vitest';
import { choleskySolve, dot, gemmAcc, gram, invertSpd, invertSpdBlocked } from './kernels.js';
import { Rng } from './rng.js';

function randomSpd(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const b = Array.from({ length: n * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j]! += b[k * n + i]! * b[k * n + j]!;
  for (let i = 0; i < n; i++) a[i * n + i]! += n;
  return a;
}

describe('kernels', () => {
  it('dot handles lengths that are not multiples of four', () => {
    const a = Float32Array.from({ length: 7 }, (_, i) => i + 1);
    expect(dot(a, 0, a, 0, 7)).toBe(140);
    expect(dot(a, 2, a, 0, 3)).toBe(3 * 1 + 4 * 2 + 5 * 3);
  });

  it('inverts a symmetric positive definite matrix', () => {
    for (const n of [1, 5, 37]) {
      const a = randomSpd(n, n);
      const inv = Float64Array.from(a);
      expect(invertSpd(inv, n)).toBe(true);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += a[i * n + k]! * inv[k * n + j]!;
          expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
        }
      }
    }
    expect(invertSpd(Float64Array.of(1, 2, 2, 1), 2)).toBe(false);
  });

  it('inverts by blocks (Schur complements) to the same matrix as the dense inverse', () => {
    for (const [n, leaf] of [
      [37, 8],
      [70, 16],
      [5, 8],
    ] as const) {
      const a = randomSpd(n, n + 1);
      const dense = Float64Array.from(a);
      expect(invertSpd(dense, n)).toBe(true);
      const fractions: number[] = [];
      const blocked = Float32Array.from(a);
      expect(invertSpdBlocked(blocked, n, gemmAcc, (f) => fractions.push(f), leaf)).toBe(true);
      let worst = 0;
      for (let i = 0; i < n * n; i++) worst = Math.max(worst, Math.abs(blocked[i]! - dense[i]!));
      let largest = 0;
      for (const v of dense) largest = Math.max(largest, Math.abs(v));
      expect(worst / largest).toBeLessThan(1e-5);
      // Symmetric, progress rises to exactly 1.
      for (let i = 0; i < n; i++)
        for (let j = 0; j < i; j++) expect(blocked[i * n + j]).toBe(blocked[j * n + i]);
      expect(fractions.at(-1)).toBe(1);
      expect(fractions).toEqual([...fractions].sort((x, y) => x - y));
    }
    // Not positive definite in the second diagonal block only.
    const bad = Float32Array.from(randomSpd(40, 1));
    bad[39 * 40 + 39] = -1000;
    expect(invertSpdBlocked(bad, 40, gemmAcc, undefined, 8)).toBe(false);
  });

  it('solves with Cholesky and builds a regularized Gram matrix', () => {
    const a = randomSpd(6, 3);
    const x = Float64Array.from({ length: 6 }, (_, i) => i - 2);
    const b = new Float64Array(6);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) b[i]! += a[i * 6 + j]! * x[j]!;
    expect(choleskySolve(Float64Array.from(a), b, 6)).toBe(true);
    for (let i = 0; i < 6; i++) expect(b[i]).toBeCloseTo(x[i]!, 9);
    const m = Float32Array.of(1, 2, 3, 4, 5, 6); // 3 x 2
    const g = new Float32Array(4);
    gram(m, 3, 2, 0.5, g);
    expect([...g]).toEqual([1 + 9 + 25 + 0.5, 2 + 12 + 30, 2 + 12 + 30, 4 + 16 + 36 + 0.5]);
  });
});
