/**
 * Linear Thompson sampling (Agrawal and Goyal 2013) with one ridge model per arm, as probability
 * matching: with θ̃_a ~ N(θ̂_a, v² A_a⁻¹), arm a's sampled reward at context x is
 * N(θ̂_aᵀx, v² xᵀA_a⁻¹x), independent across arms, so P(a wins) is the Gaussian best-arm integral,
 * computed by quadrature for every decision. The propensity is therefore exact, which a sampled
 * θ̃ alone would not give.
 */
import { gaussianBestArm } from './best-arm.js';
import {
  COMMON_DEFAULTS,
  type CommonParams,
  type Context,
  type LinearThompsonParams,
  type LinearThompsonState,
  type PolicyRules,
} from './contract.js';
import { fitLinear, learnLinear, newLinearState } from './linear-model.js';
import { dot, quadraticForm } from './ridge.js';
import { normalize } from './weights.js';

const DEFAULTS: CommonParams & LinearThompsonParams = { ...COMMON_DEFAULTS, variance: 0.25, ridge: 1 };

/** A new linear Thompson sampling bandit over `arms` for contexts of `dimension` numbers. */
export function linearThompson(
  arms: readonly string[],
  dimension: number,
  params: Partial<CommonParams & LinearThompsonParams> = {},
): LinearThompsonState {
  return newLinearState<LinearThompsonState>('linear-thompson', arms, dimension, DEFAULTS, params, (p) => {
    if (!(p.variance >= 0 && Number.isFinite(p.variance)))
      throw new RangeError(`linear-thompson: variance must be a finite number >= 0, got ${p.variance}`);
  });
}

/** Mean and standard deviation of each arm's sampled reward at context x, from the snapshot. */
export function linearThompsonPosterior(
  state: LinearThompsonState,
  x: Context,
): { mean: number[]; sd: number[] } {
  const model = state.model ?? fitLinear(state);
  return {
    mean: model.theta.map((theta) => dot(theta, x)),
    sd: model.inverse.map((inv) => Math.sqrt(state.params.variance * quadraticForm(inv, x))),
  };
}

/** How linear Thompson sampling updates and weighs its arms. */
export const linearThompsonRules: PolicyRules<LinearThompsonState> = {
  refresh: (state) => ({ ...state, model: fitLinear(state), sinceReweight: 0 }),
  probabilities(state, context) {
    const { mean, sd } = linearThompsonPosterior(state, context!);
    return normalize(gaussianBestArm(mean, sd), 'linear-thompson');
  },
  learn: (state, arm, value, context) => learnLinear(state, arm, value, context!),
};
