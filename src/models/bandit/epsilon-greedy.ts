/**
 * Epsilon-greedy: the arm with the best mean reward, except that a share epsilon of decisions is
 * spread uniformly, so P(arm) = epsilon / k + (1 - epsilon) [arm is best] (ties split the second
 * term). Arms without rewards count as best (optimistic start), so each is tried early.
 */
import {
  COMMON_DEFAULTS,
  type CommonParams,
  type EpsilonGreedyParams,
  type EpsilonGreedyState,
  newArmState,
  type PolicyRules,
  withAt,
} from './contract.js';
import { argmaxShare } from './weights.js';

const DEFAULTS: CommonParams & EpsilonGreedyParams = { ...COMMON_DEFAULTS, epsilon: 0.1 };

/** A new epsilon-greedy bandit over `arms` (epsilon 0.1 by default). */
export function epsilonGreedy(
  arms: readonly string[],
  params: Partial<CommonParams & EpsilonGreedyParams> = {},
): EpsilonGreedyState {
  return newArmState<EpsilonGreedyState>(
    'epsilon-greedy',
    arms,
    DEFAULTS,
    params,
    (p) => {
      if (!(p.epsilon >= 0 && p.epsilon <= 1))
        throw new RangeError(`epsilon-greedy: epsilon must be in [0, 1], got ${p.epsilon}`);
    },
    ['sums'],
  );
}

/** How epsilon-greedy updates and weighs its arms. */
export const epsilonGreedyRules: PolicyRules<EpsilonGreedyState> = {
  refresh(state) {
    const k = state.arms.length;
    const { epsilon } = state.params;
    const means = state.counts.map((n, i) => (n === 0 ? Number.POSITIVE_INFINITY : state.sums[i]! / n));
    const best = argmaxShare(means);
    return { ...state, weights: best.map((b) => epsilon / k + (1 - epsilon) * b), sinceReweight: 0 };
  },
  probabilities: (state) => state.weights!.slice(),
  learn: (state, arm, value) => ({ ...state, sums: withAt(state.sums, arm, state.sums[arm]! + value) }),
};
