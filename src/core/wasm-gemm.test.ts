import { describe, expect, it } from 'vitest';
import { gemmAcc } from './kernels.js';
import { Rng } from './rng.js';
import { wasmGemm } from './wasm-gemm.js';

describe('wasmGemm', () => {
  const rng = new Rng(5);
  const random = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));

  it.each([false, true])(
    'accumulates the same product as the TypeScript kernel (transA %s)',
    async (transA) => {
      const gemm = await wasmGemm();
      const [rows, inner, n] = [7, 13, 11];
      // Buffers longer than the product: only their prefixes take part, as with a short last batch.
      const a = random(rows * inner + 5);
      const b = random(inner * n + 3);
      const start = random(rows * n + 2);
      const viaWasm = start.slice();
      const viaTs = start.slice();
      gemm(a, transA, b, viaWasm, rows, inner, n);
      gemmAcc(a, transA, b, viaTs, rows, inner, n);
      for (let i = 0; i < rows * n; i++) expect(viaWasm[i]).toBeCloseTo(viaTs[i]!, 5);
      expect(viaWasm.subarray(rows * n)).toEqual(start.subarray(rows * n));
      expect(viaWasm).not.toEqual(start);
    },
  );

  it('matches a hand-computed product', async () => {
    const gemm = await wasmGemm();
    const c = new Float32Array([1, 1, 1, 1]);
    // [1 2; 3 4] x [5 6; 7 8] = [19 22; 43 50], added to ones.
    gemm(new Float32Array([1, 2, 3, 4]), false, new Float32Array([5, 6, 7, 8]), c, 2, 2, 2);
    expect([...c]).toEqual([20, 23, 44, 51]);
    // Aᵀ with A stored [[1 3] [2 4]] is the same left matrix.
    gemm(new Float32Array([1, 3, 2, 4]), true, new Float32Array([5, 6, 7, 8]), c, 2, 2, 2);
    expect([...c]).toEqual([39, 45, 87, 101]);
  });
});
