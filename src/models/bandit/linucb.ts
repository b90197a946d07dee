/**
 * Disjoint LinUCB (Li, Chu, Langford and Schapire 2010): per arm a ridge regression of reward on
 * the context, and the arm with the highest θᵀx + α sqrt(xᵀ A⁻¹ x) is played. Deterministic given
 * the context, so the propensity is 1 on that arm (split on ties) unless burn-in or a floor spreads it.
 */
import {
  COMMON_DEFAULTS,
  type CommonParams,
  type Context,
  type LinUcbParams,
  type LinUcbState,
  type PolicyRules,
} from './contract.js';
import { fitLinear, learnLinear, newLinearState } from './linear-model.js';
import { dot, quadraticForm } from './ridge.js';
import { argmaxShare } from './weights.js';

const DEFAULTS: CommonParams & LinUcbParams = { ...COMMON_DEFAULTS, alpha: 1, ridge: 1 };

/** A new LinUCB bandit over `arms` for contexts of `dimension` numbers. */
export function linUcb(
  arms: readonly string[],
  dimension: number,
  params: Partial<CommonParams & LinUcbParams> = {},
): LinUcbState {
  return newLinearState<LinUcbState>('linucb', arms, dimension, DEFAULTS, params, (p) => {
    if (!(p.alpha >= 0 && Number.isFinite(p.alpha)))
      throw new RangeError(`linucb: alpha must be a finite number >= 0, got ${p.alpha}`);
  });
}

/** Upper confidence bound of every arm at context x, from the state's snapshot. */
export function linUcbScores(state: LinUcbState, x: Context): number[] {
  const model = state.model ?? fitLinear(state);
  return model.theta.map(
    (theta, a) => dot(theta, x) + state.params.alpha * Math.sqrt(quadraticForm(model.inverse[a]!, x)),
  );
}

/** How LinUCB updates and weighs its arms. */
export const linUcbRules: PolicyRules<LinUcbState> = {
  refresh: (state) => ({ ...state, model: fitLinear(state), sinceReweight: 0 }),
  probabilities: (state, context) => argmaxShare(linUcbScores(state, context!)),
  learn: (state, arm, value, context) => learnLinear(state, arm, value, context!),
};
