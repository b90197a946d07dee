import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Gemm } from './kernels.js';

let loading: Promise<Gemm> | undefined;

/**
 * The same C += op(A) B as {@link import('./kernels.js').gemmAcc}, run by TensorFlow.js's
 * WebAssembly backend (XNNPACK, SIMD, one thread): measured 24 GFLOP/s here against 4.4 for the
 * TypeScript kernel. The backend is loaded once per thread, on first use, from the package's own
 * files (no download). The result is deterministic for a given input, but its rounding differs
 * from the TypeScript kernel's, so a model always trains with one of them.
 */
export function wasmGemm(): Promise<Gemm> {
  loading ??= load();
  return loading;
}

async function load(): Promise<Gemm> {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  wasm.setWasmPaths(
    `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`,
  );
  if (!(await tf.setBackend('wasm'))) throw new Error('the TensorFlow.js WebAssembly backend did not start');
  let scratch = new Float32Array(0);
  return (a, transA, b, c, rows, inner, n) => {
    let left = a.subarray(0, rows * inner);
    if (transA) {
      // The backend's own transposed product runs at a tenth of the speed; transposing here is cheap.
      if (scratch.length < left.length) scratch = new Float32Array(left.length);
      for (let s = 0; s < inner; s++)
        for (let r = 0; r < rows; r++) scratch[r * inner + s] = a[s * rows + r]!;
      left = scratch.subarray(0, left.length);
    }
    // Row blocks of about 16 MB keep the WebAssembly heap (which never shrinks) near B's size.
    const step = Math.max(1, Math.floor(2 ** 22 / Math.max(inner, n)));
    const right = tf.tensor2d(b.subarray(0, inner * n), [inner, n]);
    try {
      for (let r0 = 0; r0 < rows; r0 += step) {
        const r1 = Math.min(rows, r0 + step);
        const product = tf.tidy(() =>
          tf.matMul(tf.tensor2d(left.subarray(r0 * inner, r1 * inner), [r1 - r0, inner]), right),
        );
        const values = product.dataSync() as Float32Array;
        product.dispose();
        const o = r0 * n;
        for (let i = 0; i < values.length; i++) c[o + i] = c[o + i]! + values[i]!;
      }
    } finally {
      right.dispose();
    }
  };
}
