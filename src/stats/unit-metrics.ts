/**
 * Per-unit metric values -> the sufficient statistics `analyze` takes, arm by arm. Winsorization
 * uses one pooled threshold (a quantile over every arm's units), applied identically in every arm
 * and separately to the numerator and the denominator of a ratio, so capping never favors an arm.
 */

/** Caps as pooled quantiles of the values: `upper` (e.g. 0.99) and optionally `lower` (e.g. 0.01, for refunds). */
export interface Winsorize {
  upper: number | null;
  lower: number | null;
}

/** The value at quantile q (0..1) of `values`, linear between order statistics (numpy's default). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (at - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Clamps every value to the pooled caps; returns the capped values and the caps used. */
export function winsorize(
  values: readonly number[],
  caps: Winsorize | null,
): { values: number[]; lower: number | null; upper: number | null } {
  if (!caps || (caps.upper === null && caps.lower === null))
    return { values: [...values], lower: null, upper: null };
  const upper = caps.upper === null ? null : quantile(values, caps.upper);
  const lower = caps.lower === null ? null : quantile(values, caps.lower);
  return {
    values: values.map((v) => {
      const raised = lower === null ? v : Math.max(lower, v);
      return upper === null ? raised : Math.min(upper, raised);
    }),
    lower,
    upper,
  };
}

const sums = (xs: readonly number[]) => ({
  sum: xs.reduce((s, x) => s + x, 0),
  sumSquares: xs.reduce((s, x) => s + x * x, 0),
});
const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

/** Units of one arm as indices into the value arrays. */
function byArm(arms: readonly number[], count: number): number[][] {
  const out: number[][] = Array.from({ length: count }, () => []);
  arms.forEach((a, i) => {
    out[a]?.push(i);
  });
  return out;
}

/** Mean-metric arms {n, sum, sumSquares} (with the CUPED covariate when `pre` is given). */
export function meanArms(
  arm: readonly number[],
  arms: number,
  value: readonly number[],
  caps: Winsorize | null = null,
  pre: readonly number[] | null = null,
) {
  const v = winsorize(value, caps).values;
  const p = pre ? winsorize(pre, caps).values : null;
  return byArm(arm, arms).map((units) => {
    const x = units.map((i) => v[i]!);
    const base = { n: units.length, ...sums(x) };
    if (!p) return base;
    const y = units.map((i) => p[i]!);
    return { ...base, pre: sums(y), sumProductPre: dot(x, y) };
  });
}

/** Proportion arms {n, sum}: units whose value is positive count as converted. */
export function proportionArms(arm: readonly number[], arms: number, converted: readonly boolean[]) {
  return byArm(arm, arms).map((units) => ({
    n: units.length,
    sum: units.filter((i) => converted[i]).length,
  }));
}

/** Ratio arms (e.g. revenue / orders): numerator and denominator winsorized with their own pooled caps. */
export function ratioArms(
  arm: readonly number[],
  arms: number,
  numerator: readonly number[],
  denominator: readonly number[],
  caps: Winsorize | null = null,
) {
  const a = winsorize(numerator, caps).values;
  const b = winsorize(denominator, caps).values;
  return byArm(arm, arms).map((units) => {
    const x = units.map((i) => a[i]!);
    const y = units.map((i) => b[i]!);
    return { n: units.length, numerator: sums(x), denominator: sums(y), sumProduct: dot(x, y) };
  });
}
