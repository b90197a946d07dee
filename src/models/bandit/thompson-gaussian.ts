/**
 * Gaussian Thompson sampling for rewards with a scale (revenue, order value), as probability
 * matching over the posteriors of each arm's mean reward.
 *
 * Model: rewards of arm i have unknown mean μ_i and variance σ_i². The prior on μ_i is Normal with
 * mean `priorMean` worth `priorWeight` observations, so μ_i | data ~ N((κ m0 + Σx) / (κ + n),
 * σ_i² / (κ + n)). σ_i² is known (`estimateVariance: false`, σ² = `variance`) or, by default,
 * estimated and plugged in: σ̂_i² = (ν v0 + SS_i) / (ν + max(n - 1, 0)), the arm's sum of squared
 * deviations pooled with the guess v0 = `variance` worth ν = `varianceWeight` observations (v0 alone
 * until an arm has two rewards). Plugging in an
 * estimate makes the posterior a little too narrow for small n (the exact Normal-inverse-gamma
 * posterior of μ is a Student t), which is the approximation GrowthBook's bandits make as well;
 * burn-in (e.g. 30 rewards per arm) hides it.
 */
import { gaussianBestArm } from './best-arm.js';
import {
  COMMON_DEFAULTS,
  type CommonParams,
  newArmState,
  type PolicyRules,
  type ThompsonGaussianParams,
  type ThompsonGaussianState,
  withAt,
} from './contract.js';
import { normalize } from './weights.js';

const DEFAULTS: CommonParams & ThompsonGaussianParams = {
  ...COMMON_DEFAULTS,
  priorMean: 0,
  priorWeight: 1,
  variance: 1,
  estimateVariance: true,
  varianceWeight: 1,
};

/** A new Gaussian Thompson sampling bandit over `arms`; set `variance` to the scale of the rewards. */
export function thompsonGaussian(
  arms: readonly string[],
  params: Partial<CommonParams & ThompsonGaussianParams> = {},
): ThompsonGaussianState {
  return newArmState<ThompsonGaussianState>(
    'thompson-gaussian',
    arms,
    DEFAULTS,
    params,
    (p) => {
      if (!Number.isFinite(p.priorMean))
        throw new RangeError(`thompson-gaussian: priorMean must be finite, got ${p.priorMean}`);
      if (!(p.priorWeight > 0 && Number.isFinite(p.priorWeight)))
        throw new RangeError(
          `thompson-gaussian: priorWeight must be a finite number > 0, got ${p.priorWeight}`,
        );
      if (!(p.variance > 0 && Number.isFinite(p.variance)))
        throw new RangeError(`thompson-gaussian: variance must be a finite number > 0, got ${p.variance}`);
      if (!(p.varianceWeight >= 0 && Number.isFinite(p.varianceWeight)))
        throw new RangeError(
          `thompson-gaussian: varianceWeight must be a finite number >= 0, got ${p.varianceWeight}`,
        );
    },
    ['means', 'm2'],
  );
}

/** Posterior mean and standard deviation of each arm's expected reward. */
export function gaussianPosterior(state: ThompsonGaussianState): { mean: number[]; sd: number[] } {
  const { priorMean, priorWeight, variance, estimateVariance, varianceWeight } = state.params;
  const mean: number[] = [];
  const sd: number[] = [];
  state.counts.forEach((n, i) => {
    const dof = varianceWeight + Math.max(n - 1, 0);
    const sigma2 = estimateVariance && dof > 0 ? (varianceWeight * variance + state.m2[i]!) / dof : variance;
    mean.push((priorWeight * priorMean + n * state.means[i]!) / (priorWeight + n));
    sd.push(Math.sqrt(sigma2 / (priorWeight + n)));
  });
  return { mean, sd };
}

/** How Gaussian Thompson sampling updates and weighs its arms. */
export const thompsonGaussianRules: PolicyRules<ThompsonGaussianState> = {
  refresh(state) {
    const { mean, sd } = gaussianPosterior(state);
    return { ...state, weights: normalize(gaussianBestArm(mean, sd), 'thompson-gaussian'), sinceReweight: 0 };
  },
  probabilities: (state) => state.weights!.slice(),
  learn(state, arm, value) {
    // Welford's update, stable for revenue-sized values.
    const n = state.counts[arm]! + 1;
    const delta = value - state.means[arm]!;
    const mean = state.means[arm]! + delta / n;
    return {
      ...state,
      means: withAt(state.means, arm, mean),
      m2: withAt(state.m2, arm, state.m2[arm]! + delta * (value - mean)),
    };
  },
};
