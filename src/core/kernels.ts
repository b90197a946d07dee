/**
 * The numeric inner loops, in one place so they can move to WASM SIMD without touching models.
 * One element type per kernel (mixing Float32Array and Float64Array in one kernel costs V8 two
 * thirds of its speed), 4-way unrolled accumulators, no allocation.
 */

/** Dot product of `n` elements of a (from offset ao) and b (from offset bo). */
export function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[ao + i]! * b[bo + i]!;
    s1 += a[ao + i + 1]! * b[bo + i + 1]!;
    s2 += a[ao + i + 2]! * b[bo + i + 2]!;
    s3 += a[ao + i + 3]! * b[bo + i + 3]!;
  }
  for (; i < n; i++) s0 += a[ao + i]! * b[bo + i]!;
  return s0 + s1 + s2 + s3;
}

/** y[yo..yo+n) += alpha * x[xo..xo+n). */
export function axpy(
  alpha: number,
  x: Float32Array,
  xo: number,
  y: Float32Array,
  yo: number,
  n: number,
): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    y[yo + i] = y[yo + i]! + alpha * x[xo + i]!;
    y[yo + i + 1] = y[yo + i + 1]! + alpha * x[xo + i + 1]!;
    y[yo + i + 2] = y[yo + i + 2]! + alpha * x[xo + i + 2]!;
    y[yo + i + 3] = y[yo + i + 3]! + alpha * x[xo + i + 3]!;
  }
  for (; i < n; i++) y[yo + i] = y[yo + i]! + alpha * x[xo + i]!;
}

/** out = M v for a row-major n x n matrix M (Float32). */
export function symv(m: Float32Array, v: Float32Array, out: Float32Array, n: number): void {
  for (let r = 0; r < n; r++) out[r] = dot(m, r * n, v, 0, n);
}

/**
 * out[i] = factors[i] . v for every row i of a row-major `rows x f` matrix: the scores of all items
 * for one user vector.
 */
export function gemv(
  factors: Float32Array,
  rows: number,
  f: number,
  v: Float32Array,
  out: Float32Array,
): void {
  for (let i = 0; i < rows; i++) out[i] = dot(factors, i * f, v, 0, f);
}

/**
 * Gram matrix G = Aᵀ A of a row-major `rows x f` matrix, written into `out` (f x f, row-major),
 * plus `ridge` on the diagonal. Accumulated in double precision.
 */
export function gram(a: Float32Array, rows: number, f: number, ridge: number, out: Float32Array): void {
  const acc = new Float64Array(f * f);
  for (let r = 0; r < rows; r++) {
    const o = r * f;
    for (let i = 0; i < f; i++) {
      const ai = a[o + i]!;
      if (ai === 0) continue;
      const row = i * f;
      for (let j = i; j < f; j++) acc[row + j]! += ai * a[o + j]!;
    }
  }
  for (let i = 0; i < f; i++) {
    for (let j = i; j < f; j++) {
      const v = acc[i * f + j]! + (i === j ? ridge : 0);
      out[i * f + j] = v;
      out[j * f + i] = v;
    }
  }
}

/** Dot product of two Float64 vectors (row prefixes of dense matrices). */
export function dot64(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[ao + i]! * b[bo + i]!;
    s1 += a[ao + i + 1]! * b[bo + i + 1]!;
    s2 += a[ao + i + 2]! * b[bo + i + 2]!;
    s3 += a[ao + i + 3]! * b[bo + i + 3]!;
  }
  for (; i < n; i++) s0 += a[ao + i]! * b[bo + i]!;
  return s0 + s1 + s2 + s3;
}

/** y[yo..yo+n) += alpha * x[xo..xo+n) on Float64 vectors. */
export function axpy64(
  alpha: number,
  x: Float64Array,
  xo: number,
  y: Float64Array,
  yo: number,
  n: number,
): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    y[yo + i] = y[yo + i]! + alpha * x[xo + i]!;
    y[yo + i + 1] = y[yo + i + 1]! + alpha * x[xo + i + 1]!;
    y[yo + i + 2] = y[yo + i + 2]! + alpha * x[xo + i + 2]!;
    y[yo + i + 3] = y[yo + i + 3]! + alpha * x[xo + i + 3]!;
  }
  for (; i < n; i++) y[yo + i] = y[yo + i]! + alpha * x[xo + i]!;
}

/**
 * Inverts a symmetric positive definite row-major n x n matrix in place (double precision):
 * Cholesky A = L Lᵀ, then M = L⁻¹, then A⁻¹ = Mᵀ M, every inner loop over contiguous rows.
 * About 0.8 n³ flops. Returns false if A is not positive definite.
 */
export function invertSpd(a: Float64Array, n: number, onRow?: (done: number) => void): boolean {
  // 1. Cholesky, lower factor in the lower triangle (left-looking, row prefixes are dot products).
  for (let j = 0; j < n; j++) {
    const jo = j * n;
    const d = a[jo + j]! - dot64(a, jo, a, jo, j);
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[jo + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const io = i * n;
      a[io + j] = (a[io + j]! - dot64(a, io, a, jo, j)) / ljj;
    }
    if (onRow && (j & 255) === 0) onRow(j / 3);
  }
  // 2. M = L⁻¹ (lower triangular), row by row: M[i] = (e_i - Σ_k<i L[i][k] M[k]) / L[i][i].
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const io = i * n;
    for (let k = 0; k < i; k++) {
      const l = a[io + k]!;
      if (l !== 0) axpy64(-l, m, k * n, m, io, k + 1);
    }
    m[io + i] = m[io + i]! + 1;
    const inv = 1 / a[io + i]!;
    for (let k = 0; k <= i; k++) m[io + k] = m[io + k]! * inv;
    if (onRow && (i & 255) === 0) onRow(n / 3 + i / 3);
  }
  // 3. A⁻¹ = Mᵀ M: row k of M contributes M[k][i] * M[k][0..k] to row i, for i <= k.
  a.fill(0);
  for (let k = 0; k < n; k++) {
    const ko = k * n;
    for (let i = 0; i <= k; i++) {
      const mki = m[ko + i]!;
      if (mki !== 0) axpy64(mki, m, ko, a, i * n, i + 1);
    }
    if (onRow && (k & 255) === 0) onRow((2 * n) / 3 + k / 3);
  }
  // Only the lower triangle (j <= i) was accumulated; mirror it.
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j]!;
  return true;
}

/**
 * Solves A x = b in place for a symmetric positive definite row-major n x n matrix (Cholesky,
 * double precision). A is overwritten by its factor; b becomes x. Returns false if A is not
 * positive definite.
 */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= a[j * n + k]! * a[j * n + k]!;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = s / ljj;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= a[i * n + k]! * b[k]!;
    b[i] = s / a[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= a[k * n + i]! * b[k]!;
    b[i] = s / a[i * n + i]!;
  }
  return true;
}
