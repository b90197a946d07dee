/**
 * CUPED (regression adjustment on a pre-experiment covariate), as gbstats's
 * RegressionAdjustedStatistic and RegressionAdjustedRatioStatistic: theta is pooled over the two
 * arms being compared (control and one treatment), and the relative effect keeps the unadjusted
 * control mean as its denominator, with gbstats's delta-method variances for that estimator.
 */
import {
  covariance,
  type RatioStatistic,
  sumSquaresOf,
  type Variable,
  variableMean,
  variableVariance,
} from './moments.js';

/** A mean or proportion metric with its pre-period covariate (gbstats's RegressionAdjustedStatistic). */
export interface AdjustedStatistic {
  kind: 'adjusted';
  n: number;
  post: Variable;
  pre: Variable;
  /** Sum over units of post value times pre value. */
  sumProductPre: number;
  theta: number | null;
}

/**
 * A ratio metric with the same ratio measured before the experiment (gbstats's
 * RegressionAdjustedRatioStatistic): four variables per unit and their six cross products.
 */
export interface AdjustedRatioStatistic {
  kind: 'adjustedRatio';
  n: number;
  numerator: Variable;
  denominator: Variable;
  preNumerator: Variable;
  preDenominator: Variable;
  products: {
    /** sum(numerator * denominator), both in the experiment */
    numeratorDenominator: number;
    /** sum(numerator * pre numerator) */
    numeratorPreNumerator: number;
    /** sum(denominator * pre denominator) */
    denominatorPreDenominator: number;
    /** sum(pre numerator * pre denominator) */
    preNumeratorPreDenominator: number;
    /** sum(numerator * pre denominator) */
    numeratorPreDenominator: number;
    /** sum(denominator * pre numerator) */
    denominatorPreNumerator: number;
  };
  theta: number | null;
}

// --- mean and proportion metrics -----------------------------------------------------------

/** Post mean minus theta times pre mean. */
export function adjustedMean(s: AdjustedStatistic): number {
  return variableMean(s.post) - (s.theta ?? 0) * variableMean(s.pre);
}

function postPreCovariance(s: AdjustedStatistic): number {
  return covariance(s.n, s.post, s.pre, s.sumProductPre);
}

/** Per-unit variance of post - theta * pre. */
export function adjustedVariance(s: AdjustedStatistic): number {
  if (s.n <= 1) return 0;
  const theta = s.theta ?? 0;
  return (
    variableVariance(s.post) + theta * theta * variableVariance(s.pre) - 2 * theta * postPreCovariance(s)
  );
}

function joint(a: Variable, b: Variable, n: number): Variable {
  return a.kind === 'proportion' && b.kind === 'proportion'
    ? { kind: 'proportion', n, sum: a.sum + b.sum }
    : { kind: 'mean', n, sum: a.sum + b.sum, sumSquares: sumSquaresOf(a) + sumSquaresOf(b) };
}

/** Theta from both arms' data pooled: cov(post, pre) / var(pre), 0 when either variance vanishes. */
export function pooledTheta(a: AdjustedStatistic, b: AdjustedStatistic): number {
  const n = a.n + b.n;
  const post = joint(a.post, b.post, n);
  const pre = joint(a.pre, b.pre, n);
  const preVariance = variableVariance(pre);
  if (preVariance === 0 || variableVariance(post) === 0) return 0;
  return covariance(n, post, pre, a.sumProductPre + b.sumProductPre) / preVariance;
}

/**
 * Variance of (adjusted mean B - adjusted mean A) / unadjusted mean A by the delta method
 * (gbstats's frequentist_variance_relative_cuped).
 */
export function relativeAdjustedVariance(a: AdjustedStatistic, b: AdjustedStatistic): number {
  const meanA = variableMean(a.post);
  const denTreatment = b.n * meanA * meanA;
  const denControl = a.n * meanA * meanA;
  if (denTreatment === 0 || denControl === 0) return 0;
  const theta = a.theta ?? 0;
  const treatment =
    (variableVariance(b.post) + theta ** 2 * variableVariance(b.pre) - 2 * theta * postPreCovariance(b)) /
    denTreatment;
  const c = -variableMean(b.post);
  const control =
    (variableVariance(a.post) * c ** 2) / meanA ** 2 +
    (2 * theta * postPreCovariance(a) * c) / meanA +
    theta ** 2 * variableVariance(a.pre);
  return treatment + control / denControl;
}

// --- ratio metrics -------------------------------------------------------------------------

/** Experiment-period ratio sum(M) / sum(D). */
export function ratioPostMean(s: AdjustedRatioStatistic): number {
  return s.denominator.sum === 0 ? 0 : s.numerator.sum / s.denominator.sum;
}

function ratioPreMean(s: AdjustedRatioStatistic): number {
  return s.preDenominator.sum === 0 ? 0 : s.preNumerator.sum / s.preDenominator.sum;
}

/** Post ratio minus theta times pre ratio (0 when either denominator sums to 0, as gbstats). */
export function adjustedRatioMean(s: AdjustedRatioStatistic): number {
  if (s.denominator.sum === 0 || s.preDenominator.sum === 0) return 0;
  return ratioPostMean(s) - (s.theta ?? 0) * ratioPreMean(s);
}

/** Covariance matrix of (M, D, M_pre, D_pre) per unit. */
function lambdaMatrix(s: AdjustedRatioStatistic): number[][] {
  const p = s.products;
  const [m, d, mp, dp] = [s.numerator, s.denominator, s.preNumerator, s.preDenominator];
  const cMD = covariance(s.n, m, d, p.numeratorDenominator);
  const cMMp = covariance(s.n, m, mp, p.numeratorPreNumerator);
  const cMDp = covariance(s.n, m, dp, p.numeratorPreDenominator);
  const cDMp = covariance(s.n, d, mp, p.denominatorPreNumerator);
  const cDDp = covariance(s.n, d, dp, p.denominatorPreDenominator);
  const cMpDp = covariance(s.n, mp, dp, p.preNumeratorPreDenominator);
  return [
    [variableVariance(m), cMD, cMMp, cMDp],
    [cMD, variableVariance(d), cDMp, cDDp],
    [cMMp, cDMp, variableVariance(mp), cMpDp],
    [cMDp, cDDp, cMpDp, variableVariance(dp)],
  ];
}

/** Gradient of M/D - theta * M_pre/D_pre with respect to the four means. */
function gradient(s: AdjustedRatioStatistic, theta: number): number[] {
  const [bm, bd, bmp, bdp] = [s.numerator, s.denominator, s.preNumerator, s.preDenominator].map(variableMean);
  if (bd === 0 || bdp === 0) return [0, 0, 0, 0];
  return [1 / bd!, -bm! / bd! ** 2, -theta / bdp!, (theta * bmp!) / bdp! ** 2];
}

/** x' M y over the index ranges rows x cols. */
function quadratic(x: number[], m: number[][], y: number[], rows: number[], cols: number[]): number {
  let total = 0;
  for (const i of rows) for (const j of cols) total += x[i]! * m[i]![j]! * y[j]!;
  return total;
}

const ALL = [0, 1, 2, 3];
const POST = [0, 1];
const PRE = [2, 3];

/** Per-unit delta-method variance of the adjusted ratio. */
export function adjustedRatioVariance(s: AdjustedRatioStatistic): number {
  const g = gradient(s, s.theta ?? 0);
  return quadratic(g, lambdaMatrix(s), g, ALL, ALL);
}

/** Theta for ratio metrics: minus the pooled pre/post covariance over the pooled pre variance (theta = 1 gradients). */
export function pooledRatioTheta(a: AdjustedRatioStatistic, b: AdjustedRatioStatistic): number {
  let preVariance = 0;
  let prePostCovariance = 0;
  for (const s of [a, b]) {
    const g = gradient(s, 1);
    const lambda = lambdaMatrix(s);
    preVariance += quadratic(g, lambda, g, PRE, PRE);
    prePostCovariance += quadratic(g, lambda, g, PRE, POST);
  }
  return preVariance === 0 ? 0 : -prePostCovariance / preVariance;
}

/**
 * Variance of (adjusted ratio B - adjusted ratio A) / |unadjusted ratio A| by the delta method
 * (gbstats's frequentist_variance_relative_cuped_ratio).
 */
export function relativeAdjustedRatioVariance(a: AdjustedRatioStatistic, b: AdjustedRatioStatistic): number {
  const meanDA = variableMean(a.denominator);
  const meanA = ratioPostMean(a);
  if (meanA === 0 || meanDA === 0) return 0;
  const gAbs = adjustedRatioMean(b) - adjustedRatioMean(a);
  const den = Math.abs(meanA);
  const meanMA = variableMean(a.numerator);
  const ga = gradient(a, a.theta ?? 0);
  const gradientA = [
    -(den + gAbs) / meanDA / den ** 2,
    ((meanMA * den) / meanDA ** 2 + (meanMA * gAbs) / meanDA ** 2) / den ** 2,
    -ga[2]! / den,
    -ga[3]! / den,
  ];
  const gradientB = gradient(b, b.theta ?? 0).map((x) => x / den);
  return (
    quadratic(gradientA, lambdaMatrix(a), gradientA, ALL, ALL) / a.n +
    quadratic(gradientB, lambdaMatrix(b), gradientB, ALL, ALL) / b.n
  );
}

/** The experiment-period ratio on its own, for when the adjustment is dropped (theta of 0). */
export function unadjustedRatio(s: AdjustedRatioStatistic): RatioStatistic {
  return {
    kind: 'ratio',
    n: s.n,
    numerator: s.numerator,
    denominator: s.denominator,
    sumProduct: s.products.numeratorDenominator,
  };
}
