import type { Parallel } from './contract.js';

/**
 * The bridge between a model's data-parallel steps and the worker threads: a step is a kernel,
 * a pure function over a range of rows of shared typed arrays. Without workers the same kernel
 * runs here over the whole range, so results never depend on the number of threads.
 */

/** A kernel: processes rows [start, end) reading and writing the typed arrays in `args`. */
export type Kernel = (args: Record<string, unknown>, start: number, end: number) => void;

/** Runs `kernel` over [0, n): on the workers when there are several, else in this thread. */
export async function forRange(
  parallel: Parallel | undefined,
  name: string,
  n: number,
  args: Record<string, unknown>,
  kernel: Kernel,
): Promise<void> {
  if (parallel && parallel.threads > 1 && n > 1) await parallel.forRange(name, n, args);
  else kernel(args, 0, n);
}

type TypedArrayConstructor<T> = {
  new (buffer: ArrayBufferLike, offset?: number, length?: number): T;
  BYTES_PER_ELEMENT: number;
};

/** A typed array that worker threads can write into when `shared` (backed by a SharedArrayBuffer). */
export function allocate<T>(type: TypedArrayConstructor<T>, length: number, shared: boolean): T {
  const bytes = Math.max(1, length) * type.BYTES_PER_ELEMENT;
  return new type(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes), 0, length);
}

/** Copies `array` into shared memory when workers will read it (they receive a copy otherwise, which is fine for inputs). */
export function shareable<T extends Float32Array | Uint32Array | Float64Array>(array: T, shared: boolean): T {
  if (!shared || array.buffer instanceof SharedArrayBuffer) return array;
  const copy = allocate(array.constructor as unknown as TypedArrayConstructor<T>, array.length, true);
  (copy as unknown as T).set(array as never);
  return copy;
}
