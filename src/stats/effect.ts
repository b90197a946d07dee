/**
 * The effect of one treatment against the control and its standard error: the moments every test
 * (frequentist, sequential, Bayesian) starts from, computed as gbstats's EffectMoments.
 */
import {
  type AdjustedRatioStatistic,
  type AdjustedStatistic,
  adjustedMean,
  adjustedRatioMean,
  adjustedRatioVariance,
  adjustedVariance,
  pooledRatioTheta,
  pooledTheta,
  ratioPostMean,
  relativeAdjustedRatioVariance,
  relativeAdjustedVariance,
  unadjustedRatio,
} from './cuped.js';
import {
  type RatioStatistic,
  ratioMean,
  ratioVariance,
  type Variable,
  variableMean,
  variableVariance,
  varianceOfRatios,
} from './moments.js';

/** Everything one arm can be summarized by. */
export type ArmStatistic = Variable | RatioStatistic | AdjustedStatistic | AdjustedRatioStatistic;

/** An arm reduced to what the tests need. */
export interface ArmSummary {
  n: number;
  /** The (CUPED-adjusted, when adjusted) mean. */
  mean: number;
  /** The mean before adjustment: the denominator of relative effects. */
  unadjustedMean: number;
  /** Per-unit variance of the (adjusted) metric. */
  variance: number;
}

/** Mean, unadjusted mean and per-unit variance of any arm statistic. */
export function summarize(s: ArmStatistic): ArmSummary {
  switch (s.kind) {
    case 'proportion':
    case 'mean': {
      const mean = variableMean(s);
      return { n: s.n, mean, unadjustedMean: mean, variance: variableVariance(s) };
    }
    case 'ratio': {
      const mean = ratioMean(s);
      return { n: s.n, mean, unadjustedMean: mean, variance: ratioVariance(s) };
    }
    case 'adjusted':
      return {
        n: s.n,
        mean: adjustedMean(s),
        unadjustedMean: variableMean(s.post),
        variance: adjustedVariance(s),
      };
    case 'adjustedRatio':
      return {
        n: s.n,
        mean: adjustedRatioMean(s),
        unadjustedMean: ratioPostMean(s),
        variance: adjustedRatioVariance(s),
      };
  }
}

/**
 * Sets theta, pooled over the control and this treatment, on CUPED statistics; when it comes out
 * 0 (no pre-period variance) the adjustment is dropped, as gbstats's create_theta_adjusted_statistics.
 */
export function withPooledTheta(a: ArmStatistic, b: ArmStatistic): [ArmStatistic, ArmStatistic] {
  if (a.kind === 'adjusted' && b.kind === 'adjusted' && (a.theta === null || b.theta === null)) {
    const theta = pooledTheta(a, b);
    return theta === 0
      ? [a.post, b.post]
      : [
          { ...a, theta },
          { ...b, theta },
        ];
  }
  if (a.kind === 'adjustedRatio' && b.kind === 'adjustedRatio' && (a.theta === null || b.theta === null)) {
    const theta = pooledRatioTheta(a, b);
    return Math.abs(theta) < 1e-8
      ? [unadjustedRatio(a), unadjustedRatio(b)]
      : [
          { ...a, theta },
          { ...b, theta },
        ];
  }
  return [a, b];
}

/** Why an effect cannot be estimated (gbstats's message codes). */
export type EffectError = 'ZERO_NEGATIVE_VARIANCE' | 'ZERO_NEGATIVE_BASELINE_VARIATION';

/** The estimated effect, its standard error and Welch-Satterthwaite degrees of freedom. */
export type EffectMoments =
  | {
      ok: true;
      estimate: number;
      se: number;
      dof: number;
      /** Units in the two arms together (the n of sequential testing). */
      n: number;
      /** Unadjusted control mean, to rescale relative priors to absolute effects. */
      controlMean: number;
    }
  | { ok: false; error: EffectError };

function effectVariance(a: ArmStatistic, b: ArmStatistic, sa: ArmSummary, sb: ArmSummary, relative: boolean) {
  if (!relative) return sb.variance / sb.n + sa.variance / sa.n;
  if (a.kind === 'adjusted' && b.kind === 'adjusted') return relativeAdjustedVariance(a, b);
  if (a.kind === 'adjustedRatio' && b.kind === 'adjustedRatio') return relativeAdjustedRatioVariance(a, b);
  return varianceOfRatios(sb.unadjustedMean, sb.variance / sb.n, sa.unadjustedMean, sa.variance / sa.n, 0);
}

/**
 * Effect of `treatment` over `control`: mean difference, or relative lift (mu_B - mu_A) / |mu_A|
 * with a delta-method variance. CUPED statistics get their pooled theta first.
 */
export function effectMoments(
  control: ArmStatistic,
  treatment: ArmStatistic,
  relative: boolean,
): EffectMoments {
  const [a, b] = withPooledTheta(control, treatment);
  const sa = summarize(a);
  const sb = summarize(b);
  const variance = effectVariance(a, b, sa, sb, relative);
  if (!(sa.variance > 0) || !(sb.variance > 0) || !(variance > 0))
    return { ok: false, error: 'ZERO_NEGATIVE_VARIANCE' };
  if (sa.mean === 0 || sa.unadjustedMean === 0)
    return { ok: false, error: 'ZERO_NEGATIVE_BASELINE_VARIATION' };
  const va = sa.variance / sa.n;
  const vb = sb.variance / sb.n;
  return {
    ok: true,
    estimate: relative ? (sb.mean - sa.mean) / Math.abs(sa.unadjustedMean) : sb.mean - sa.mean,
    se: Math.sqrt(variance),
    dof: (va + vb) ** 2 / (vb ** 2 / (sb.n - 1) + va ** 2 / (sa.n - 1)),
    n: sa.n + sb.n,
    controlMean: sa.unadjustedMean,
  };
}
