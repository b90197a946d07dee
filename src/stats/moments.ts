/**
 * Means, variances and covariances from the sufficient statistics of one arm, with gbstats's
 * conventions: a proportion's variance is p(1 - p) with no Bessel correction, a mean's variance
 * divides by n - 1, and a ratio metric's variance is the delta-method variance of sum(M) / sum(D).
 */

/** One per-unit variable of an arm: a 0/1 conversion or an unbounded value (gbstats's ProportionStatistic and SampleMeanStatistic). */
export type Variable =
  | { kind: 'proportion'; n: number; sum: number }
  | { kind: 'mean'; n: number; sum: number; sumSquares: number };

/** A ratio metric (numerator and denominator per unit, e.g. revenue per order), as gbstats's RatioStatistic. */
export interface RatioStatistic {
  kind: 'ratio';
  n: number;
  numerator: Variable;
  denominator: Variable;
  /** Sum over units of numerator times denominator. */
  sumProduct: number;
}

/** Sum of squares of a variable (a 0/1 variable is its own square). */
export function sumSquaresOf(v: Variable): number {
  return v.kind === 'proportion' ? v.sum : v.sumSquares;
}

/** Sample mean; 0 for an empty arm, as gbstats. */
export function variableMean(v: Variable): number {
  return v.n === 0 ? 0 : v.sum / v.n;
}

/** Per-unit variance: p(1 - p) for proportions, the n - 1 sample variance for means (0 when n <= 1). */
export function variableVariance(v: Variable): number {
  if (v.kind === 'proportion') {
    const p = variableMean(v);
    return p * (1 - p);
  }
  if (v.n <= 1) return 0;
  return (v.sumSquares - (v.sum * v.sum) / v.n) / (v.n - 1);
}

/** Covariance of two variables measured on the same n units (no Bessel correction when both are proportions). */
export function covariance(n: number, a: Variable, b: Variable, sumOfProducts: number): number {
  if (n <= 1) return 0;
  if (a.kind === 'proportion' && b.kind === 'proportion')
    return sumOfProducts / n - (a.sum * b.sum) / (n * n);
  return (sumOfProducts - (a.sum * b.sum) / n) / (n - 1);
}

/** Variance of M / D by the delta method, given the means, variances and covariance of M and D. */
export function varianceOfRatios(
  meanM: number,
  varM: number,
  meanD: number,
  varD: number,
  covMD: number,
): number {
  if (meanD === 0) return 0;
  return varM / meanD ** 2 + (varD * meanM ** 2) / meanD ** 4 - (2 * covMD * meanM) / meanD ** 3;
}

/** sum(M) / sum(D); 0 when the denominator sums to 0, as gbstats. */
export function ratioMean(r: RatioStatistic): number {
  return r.denominator.sum === 0 ? 0 : r.numerator.sum / r.denominator.sum;
}

/** Per-unit delta-method variance of the ratio. */
export function ratioVariance(r: RatioStatistic): number {
  const meanD = variableMean(r.denominator);
  if (meanD === 0 || r.n <= 1) return 0;
  return varianceOfRatios(
    variableMean(r.numerator),
    variableVariance(r.numerator),
    meanD,
    variableVariance(r.denominator),
    covariance(r.n, r.numerator, r.denominator, r.sumProduct),
  );
}
