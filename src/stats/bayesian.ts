/**
 * Bayesian inference on an effect as gbstats's EffectBayesianABTest: a Gaussian update of the
 * measured effect with a flat or proper Gaussian prior, then chance to win, a credible interval and
 * the expected loss (risk) of shipping either arm.
 */
import { normalCdf, normalPdf, normalQuantile } from './distributions.js';

/** Prior belief about the effect, stated on the relative (lift) scale as in GrowthBook's settings. */
export interface GaussianPrior {
  mean: number;
  variance: number;
}

/** Posterior summary of one treatment against the control. */
export interface BayesianResult {
  /** Posterior mean of the effect. */
  effect: number;
  /** Posterior standard deviation. */
  se: number;
  ci: [number, number];
  /** P(effect > 0). */
  chanceToWin: number;
  /** Expected loss of choosing [control, treatment]: E[max(effect, 0)] and E[max(-effect, 0)]. */
  risk: [number, number];
}

/**
 * Posterior of the effect given its estimate and standard error. A null prior is flat (improper).
 * A prior is always a relative-lift prior: for absolute effects it is rescaled by the control mean
 * (gbstats's default prior_type "relative").
 */
export function bayesianTest(
  m: { estimate: number; se: number; controlMean: number },
  prior: GaussianPrior | null,
  relative: boolean,
  alpha: number,
): BayesianResult {
  const dataVariance = m.se * m.se;
  let mean = m.estimate;
  let precision = 1 / dataVariance;
  if (prior) {
    const scale = relative ? 1 : Math.abs(m.controlMean);
    const priorMean = prior.mean * scale;
    const priorVariance = prior.variance * scale * scale;
    precision += 1 / priorVariance;
    mean = (m.estimate / dataVariance + priorMean / priorVariance) / precision;
  }
  const sd = Math.sqrt(1 / precision);
  const z = mean / sd;
  const density = normalPdf(z);
  return {
    effect: mean,
    se: sd,
    ci: [mean + sd * normalQuantile(alpha / 2), mean + sd * normalQuantile(1 - alpha / 2)],
    chanceToWin: normalCdf(z),
    // P(X > 0) E[X | X > 0] and -P(X < 0) E[X | X < 0] for X ~ N(mean, sd^2), in closed form.
    risk: [mean * normalCdf(z) + sd * density, sd * density - mean * normalCdf(-z)],
  };
}
