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

/** C += op(A) B: the dense matrix product behind neural models, in TypeScript or WebAssembly. */
export type Gemm = (
  a: Float32Array,
  transA: boolean,
  b: Float32Array,
  c: Float32Array,
  rows: number,
  inner: number,
  n: number,
) => void;

/**
 * C += op(A) B in plain TypeScript, with B row-major [inner x n], C row-major [rows x n] and
 * op(A) = A row-major [rows x inner], or Aᵀ with A stored [inner x rows] when `transA`. A 4 x 4 register block (4 rows of C, 4 rows of B per pass over the columns) does
 * 16 multiply-adds per 4 loads of B and 4 loads and stores of C; the inner dimension is cut into
 * chunks of about 256 KB of B that stay in cache while every row block of C passes over them
 * (each C entry still sums in ascending s). Measured 4.4 GFLOP/s here, against 1.4 for plain
 * axpy loops and 3.1 without the chunks when C rows are short.
 */
export function gemmAcc(
  a: Float32Array,
  transA: boolean,
  b: Float32Array,
  c: Float32Array,
  rows: number,
  inner: number,
  n: number,
): void {
  const ars = transA ? 1 : inner;
  const ass = transA ? rows : 1;
  const chunk = Math.max(4, Math.floor(16384 / n) * 4);
  for (let s0 = 0; s0 < inner; s0 += chunk) {
    const s1 = Math.min(inner, s0 + chunk);
    let r = 0;
    for (; r + 3 < rows; r += 4) {
      const c0 = r * n;
      const c1 = c0 + n;
      const c2 = c1 + n;
      const c3 = c2 + n;
      const q0 = r * ars;
      const q1 = q0 + ars;
      const q2 = q1 + ars;
      const q3 = q2 + ars;
      let s = s0;
      for (; s + 3 < s1; s += 4) {
        const o0 = s * ass;
        const o1 = o0 + ass;
        const o2 = o1 + ass;
        const o3 = o2 + ass;
        const a00 = a[q0 + o0]!;
        const a01 = a[q0 + o1]!;
        const a02 = a[q0 + o2]!;
        const a03 = a[q0 + o3]!;
        const a10 = a[q1 + o0]!;
        const a11 = a[q1 + o1]!;
        const a12 = a[q1 + o2]!;
        const a13 = a[q1 + o3]!;
        const a20 = a[q2 + o0]!;
        const a21 = a[q2 + o1]!;
        const a22 = a[q2 + o2]!;
        const a23 = a[q2 + o3]!;
        const a30 = a[q3 + o0]!;
        const a31 = a[q3 + o1]!;
        const a32 = a[q3 + o2]!;
        const a33 = a[q3 + o3]!;
        const b0 = s * n;
        const b1 = b0 + n;
        const b2 = b1 + n;
        const b3 = b2 + n;
        for (let j = 0; j < n; j++) {
          const x0 = b[b0 + j]!;
          const x1 = b[b1 + j]!;
          const x2 = b[b2 + j]!;
          const x3 = b[b3 + j]!;
          c[c0 + j] = c[c0 + j]! + (a00 * x0 + a01 * x1 + a02 * x2 + a03 * x3);
          c[c1 + j] = c[c1 + j]! + (a10 * x0 + a11 * x1 + a12 * x2 + a13 * x3);
          c[c2 + j] = c[c2 + j]! + (a20 * x0 + a21 * x1 + a22 * x2 + a23 * x3);
          c[c3 + j] = c[c3 + j]! + (a30 * x0 + a31 * x1 + a32 * x2 + a33 * x3);
        }
      }
      for (; s < s1; s++) {
        const o = s * ass;
        const a0 = a[q0 + o]!;
        const a1 = a[q1 + o]!;
        const a2 = a[q2 + o]!;
        const a3 = a[q3 + o]!;
        const bo = s * n;
        for (let j = 0; j < n; j++) {
          const x = b[bo + j]!;
          c[c0 + j] = c[c0 + j]! + a0 * x;
          c[c1 + j] = c[c1 + j]! + a1 * x;
          c[c2 + j] = c[c2 + j]! + a2 * x;
          c[c3 + j] = c[c3 + j]! + a3 * x;
        }
      }
    }
    for (; r < rows; r++) {
      const c0 = r * n;
      const q0 = r * ars;
      let s = s0;
      for (; s + 3 < s1; s += 4) {
        const a0 = a[q0 + s * ass]!;
        const a1 = a[q0 + (s + 1) * ass]!;
        const a2 = a[q0 + (s + 2) * ass]!;
        const a3 = a[q0 + (s + 3) * ass]!;
        const b0 = s * n;
        const b1 = b0 + n;
        const b2 = b1 + n;
        const b3 = b2 + n;
        for (let j = 0; j < n; j++)
          c[c0 + j] = c[c0 + j]! + (a0 * b[b0 + j]! + a1 * b[b1 + j]! + a2 * b[b2 + j]! + a3 * b[b3 + j]!);
      }
      for (; s < s1; s++) axpy(a[q0 + s * ass]!, b, s * n, c, c0, n);
    }
  }
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
 * Inverts a symmetric positive definite row-major n x n Float32 matrix in place, by 2 x 2 blocks:
 * with X = A11⁻¹, N = -X A12 and Y = (A22 + A12ᵀ N)⁻¹ (the Schur complement's inverse),
 * A⁻¹ = [X + N Y Nᵀ, N Y; (N Y)ᵀ, Y]. Blocks up to `leaf` wide go to {@link invertSpd} in double
 * precision; everything else, about 1.3 n³ flops, is four `gemm` products per level, so a fast
 * `gemm` makes the whole inverse fast. `onProgress` gets the share of the work done. Peak memory
 * is about 3 n² floats besides A. Returns false (A then holds garbage) if A is not positive
 * definite.
 */
export function invertSpdBlocked(
  a: Float32Array,
  n: number,
  gemm: Gemm,
  onProgress?: (fraction: number) => void,
  leaf = 256,
): boolean {
  const cost = (w: number): number =>
    w <= leaf ? w ** 3 : cost(half(w)) + cost(w - half(w)) + 4 * half(w) * (w - half(w)) * w;
  const total = cost(n);
  let done = 0;
  const advance = (flops: number) => {
    done += flops;
    onProgress?.(Math.min(1, done / total));
  };
  const invert = (m: Float32Array, w: number): boolean => {
    if (w <= leaf) {
      const d = Float64Array.from(m);
      if (!invertSpd(d, w)) return false;
      m.set(d);
      advance(w ** 3);
      return true;
    }
    const k = half(w);
    const r = w - k;
    const a12 = block(m, w, 0, k, k, r);
    const s = block(m, w, k, k, r, r);
    const x = block(m, w, 0, 0, k, k);
    if (!invert(x, k)) return false;
    const neg = new Float32Array(k * r);
    gemm(x, false, a12, neg, k, k, r);
    for (let i = 0; i < neg.length; i++) neg[i] = -neg[i]!;
    gemm(a12, true, neg, s, r, k, r);
    advance(4 * k * k * r);
    if (!invert(s, r)) return false;
    const y = s;
    const ny = new Float32Array(k * r);
    gemm(neg, false, y, ny, k, r, r);
    gemm(ny, false, transpose(neg, k, r), x, k, r, k);
    advance(4 * k * r * r);
    const out = m;
    for (let i = 0; i < k; i++) {
      // X + N Y Nᵀ is symmetric but rounds unevenly: keep the mean of the two halves.
      for (let j = 0; j < i; j++) out[i * w + j] = out[j * w + i] = (x[i * k + j]! + x[j * k + i]!) / 2;
      out[i * w + i] = x[i * k + i]!;
      out.set(ny.subarray(i * r, (i + 1) * r), i * w + k);
    }
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < k; j++) out[(k + i) * w + j] = ny[j * r + i]!;
      out.set(y.subarray(i * r, (i + 1) * r), (k + i) * w + k);
    }
    return true;
  };
  return invert(a, n);
}

/** Where {@link invertSpdBlocked} splits a block: half, rounded up to a multiple of 16. */
const half = (w: number) => Math.min(w - 1, Math.ceil(w / 32) * 16);

/** A copy of the rows x cols block of a row-major `width`-wide matrix starting at (r0, c0). */
function block(
  m: Float32Array,
  width: number,
  r0: number,
  c0: number,
  rows: number,
  cols: number,
): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++)
    out.set(m.subarray((r0 + i) * width + c0, (r0 + i) * width + c0 + cols), i * cols);
  return out;
}

/** The transpose of a row-major rows x cols matrix. */
function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = m[i * cols + j]!;
  return out;
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
