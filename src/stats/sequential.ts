/**
 * Always-valid inference for experiments that are looked at while they run: the normal-mixture
 * confidence sequences of Waudby-Smith et al. (arXiv 2103.06476v7), tuned by the sample size N*
 * where they are tightest, exactly as GrowthBook's gbstats (SequentialTwoSidedTTest and the
 * one-sided SequentialOneSidedTreatment{Greater,Lesser}TTest).
 */
import type { Alternative, TestResult } from './frequentist.js';

/** gbstats's default tuning parameter N*. */
export const DEFAULT_TUNING = 5000;

/** Bounds gbstats puts on one-sided sequential p-values (its bisection search range). */
const MIN_ONE_SIDED_P = 1e-5;
const MAX_ONE_SIDED_P = 0.4999;

/** Mixing parameter rho for tuning N* (eq. 161); one-sided sequences use 2 * alpha. */
export function sequentialRho(alpha: number, tuning: number, twoSided = true): number {
  const a = twoSided ? alpha : 2 * alpha;
  return Math.sqrt((-2 * Math.log(a) + Math.log(-2 * Math.log(a) + 1)) / tuning);
}

/** Half-width of the two-sided confidence sequence (eq. 9) for per-unit variance s2 after n units. */
export function twoSidedHalfwidth(s2: number, n: number, rho: number, alpha: number): number {
  const nr = n * rho * rho + 1;
  return Math.sqrt(s2) * Math.sqrt((2 * nr * Math.log(Math.sqrt(nr) / alpha)) / (n * rho) ** 2);
}

/** Half-width of the one-sided confidence sequence (eq. 134). */
export function oneSidedHalfwidth(s2: number, n: number, rho: number, alpha: number): number {
  const nr = n * rho * rho + 1;
  return Math.sqrt(((s2 * 2 * nr) / (n * rho) ** 2) * Math.log(1 + Math.sqrt(nr) / (2 * alpha)));
}

/**
 * Confidence sequence and always-valid p-value of an effect measured on `n` units (both arms).
 * The two-sided p-value is 1 / e-value (eq. 155). The one-sided p-value is the alpha at which the
 * sequence's finite bound reaches 0 with rho held fixed, the quantity gbstats finds by bisection;
 * here it is solved in closed form, then kept within gbstats's search range [1e-5, 0.4999].
 */
export function sequentialTest(
  m: { estimate: number; se: number; n: number },
  alpha: number,
  tuning: number,
  alternative: Alternative,
): TestResult {
  const { estimate, se, n } = m;
  const s2 = se * se * n;
  if (alternative === 'two-sided') {
    const rho = sequentialRho(alpha, tuning, true);
    const halfwidth = twoSidedHalfwidth(s2, n, rho, alpha);
    const nr = n * rho * rho + 1;
    const logEvalue = (rho * rho * estimate * estimate * n) / (se * se * 2 * nr) - 0.5 * Math.log(nr);
    return {
      ci: [estimate - halfwidth, estimate + halfwidth],
      pValue: Math.min(1, Math.exp(-logEvalue)),
    };
  }
  const rho = sequentialRho(alpha, tuning, false);
  const halfwidth = oneSidedHalfwidth(s2, n, rho, alpha);
  // Distance the finite bound must travel to reach 0, in the direction of the alternative.
  const toward = alternative === 'greater' ? estimate : -estimate;
  const nr = n * rho * rho + 1;
  const alphaAtZero =
    toward > 0
      ? Math.sqrt(nr) / (2 * Math.expm1((toward * toward * (n * rho) ** 2) / (s2 * 2 * nr)))
      : Infinity;
  const pValue = Math.min(MAX_ONE_SIDED_P, Math.max(MIN_ONE_SIDED_P, alphaAtZero));
  return alternative === 'greater'
    ? { ci: [estimate - halfwidth, Number.POSITIVE_INFINITY], pValue }
    : { ci: [Number.NEGATIVE_INFINITY, estimate + halfwidth], pValue };
}
