/**
 * The small dense linear algebra of per-arm ridge regression (contextual bandits): rank-one updates
 * of A = λI + Σ x xᵀ, its inverse by Cholesky at reweight time, and the two forms decisions need.
 * Dimensions are small (tens), so plain arrays in row-major order keep the state JSON.
 */

/** λ I as a row-major d x d array. */
export function scaledIdentity(d: number, lambda: number): number[] {
  const a = new Array<number>(d * d).fill(0);
  for (let i = 0; i < d; i++) a[i * d + i] = lambda;
  return a;
}

/** A + x xᵀ, as a new array. */
export function addOuter(a: readonly number[], x: readonly number[]): number[] {
  const d = x.length;
  const out = a.slice();
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[i * d + j]! += x[i]! * x[j]!;
  return out;
}

/** b + c x, as a new array. */
export function addScaled(b: readonly number[], x: readonly number[], c: number): number[] {
  return b.map((v, i) => v + c * x[i]!);
}

/**
 * The inverse of a symmetric positive-definite matrix by Cholesky (A = L Lᵀ, then A⁻¹ = L⁻ᵀ L⁻¹),
 * symmetric by construction. Throws if A is not positive definite.
 */
export function spdInverse(a: readonly number[], d: number): number[] {
  const l = new Array<number>(d * d).fill(0);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j]!;
      for (let k = 0; k < j; k++) s -= l[i * d + k]! * l[j * d + k]!;
      if (i === j) {
        if (!(s > 0)) throw new Error('ridge: the Gram matrix is not positive definite');
        l[i * d + i] = Math.sqrt(s);
      } else l[i * d + j] = s / l[j * d + j]!;
    }
  }
  // L⁻¹, lower triangular, by forward substitution.
  const li = new Array<number>(d * d).fill(0);
  for (let j = 0; j < d; j++) {
    li[j * d + j] = 1 / l[j * d + j]!;
    for (let i = j + 1; i < d; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * d + k]! * li[k * d + j]!;
      li[i * d + j] = s / l[i * d + i]!;
    }
  }
  // A⁻¹ = L⁻ᵀ L⁻¹.
  const inv = new Array<number>(d * d).fill(0);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < d; k++) s += li[k * d + i]! * li[k * d + j]!;
      inv[i * d + j] = s;
      inv[j * d + i] = s;
    }
  }
  return inv;
}

/** M v for a row-major d x d matrix. */
export function matVec(m: readonly number[], v: readonly number[]): number[] {
  const d = v.length;
  const out = new Array<number>(d).fill(0);
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += m[i * d + j]! * v[j]!;
    out[i] = s;
  }
  return out;
}

/** uᵀ v. */
export function dot(u: readonly number[], v: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i]! * v[i]!;
  return s;
}

/** xᵀ M x, clamped at 0 against rounding: the variance of a prediction at x. */
export function quadraticForm(m: readonly number[], x: readonly number[]): number {
  return Math.max(0, dot(x, matVec(m, x)));
}
