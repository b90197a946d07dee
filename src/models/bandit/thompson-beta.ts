/**
 * Beta-Bernoulli Thompson sampling for conversions and clicks, as probability matching: each arm
 * gets P(its rate is the highest) under Beta posteriors, computed by quadrature at every reweight,
 * so the logged propensity is exact and the allocation is the one Thompson sampling would draw.
 */
import { betaBestArm } from './best-arm.js';
import {
  COMMON_DEFAULTS,
  type CommonParams,
  newArmState,
  type PolicyRules,
  type ThompsonBetaParams,
  type ThompsonBetaState,
  withAt,
} from './contract.js';
import { normalize } from './weights.js';

const DEFAULTS: CommonParams & ThompsonBetaParams = { ...COMMON_DEFAULTS, priorAlpha: 1, priorBeta: 1 };

/** A new Beta-Bernoulli Thompson sampling bandit over `arms` (uniform Beta(1, 1) priors by default). */
export function thompsonBeta(
  arms: readonly string[],
  params: Partial<CommonParams & ThompsonBetaParams> = {},
): ThompsonBetaState {
  return newArmState<ThompsonBetaState>(
    'thompson-beta',
    arms,
    DEFAULTS,
    params,
    (p) => {
      for (const key of ['priorAlpha', 'priorBeta'] as const) {
        if (!(p[key] >= 1 && Number.isFinite(p[key])))
          throw new RangeError(`thompson-beta: ${key} must be a finite number >= 1, got ${p[key]}`);
      }
    },
    ['successes'],
  );
}

/** Posterior Beta parameters per arm. */
export function betaPosterior(state: ThompsonBetaState): { alpha: number[]; beta: number[] } {
  const { priorAlpha, priorBeta } = state.params;
  return {
    alpha: state.successes.map((s) => priorAlpha + s),
    beta: state.successes.map((s, i) => priorBeta + state.counts[i]! - s),
  };
}

/** How Beta-Bernoulli Thompson sampling updates and weighs its arms. */
export const thompsonBetaRules: PolicyRules<ThompsonBetaState> = {
  refresh(state) {
    const { alpha, beta } = betaPosterior(state);
    return { ...state, weights: normalize(betaBestArm(alpha, beta), 'thompson-beta'), sinceReweight: 0 };
  },
  probabilities: (state) => state.weights!.slice(),
  learn(state, arm, value) {
    if (!(value >= 0 && value <= 1))
      throw new RangeError(`reward: value must be in [0, 1] for thompson-beta (a conversion), got ${value}`);
    return { ...state, successes: withAt(state.successes, arm, state.successes[arm]! + value) };
  },
};
