/**
 * UCB1 (Auer, Cesa-Bianchi and Fischer 2002): play the arm with the highest upper confidence bound
 * mean + c sqrt(ln t / n). Deterministic, so its propensity is 1 on that arm (split on ties, and
 * every arm not yet rewarded ties at +∞), unless burn-in or a floor spreads it.
 */
import {
  COMMON_DEFAULTS,
  type CommonParams,
  newArmState,
  type PolicyRules,
  type Ucb1Params,
  type Ucb1State,
  withAt,
} from './contract.js';
import { argmaxShare } from './weights.js';

const DEFAULTS: CommonParams & Ucb1Params = { ...COMMON_DEFAULTS, exploration: Math.SQRT2 };

/** A new UCB1 bandit over `arms`; the default exploration assumes rewards in [0, 1]. */
export function ucb1(arms: readonly string[], params: Partial<CommonParams & Ucb1Params> = {}): Ucb1State {
  return newArmState<Ucb1State>(
    'ucb1',
    arms,
    DEFAULTS,
    params,
    (p) => {
      if (!(p.exploration >= 0 && Number.isFinite(p.exploration)))
        throw new RangeError(`ucb1: exploration must be a finite number >= 0, got ${p.exploration}`);
    },
    ['sums'],
  );
}

/** Upper confidence bounds per arm (+∞ for arms without rewards). */
export function ucb1Indices(state: Ucb1State): number[] {
  let t = 0;
  for (const n of state.counts) t += n;
  const logT = Math.log(Math.max(t, 1));
  return state.counts.map((n, i) =>
    n === 0 ? Number.POSITIVE_INFINITY : state.sums[i]! / n + state.params.exploration * Math.sqrt(logT / n),
  );
}

/** How UCB1 updates and weighs its arms. */
export const ucb1Rules: PolicyRules<Ucb1State> = {
  refresh: (state) => ({ ...state, weights: argmaxShare(ucb1Indices(state)), sinceReweight: 0 }),
  probabilities: (state) => state.weights!.slice(),
  learn: (state, arm, value) => ({ ...state, sums: withAt(state.sums, arm, state.sums[arm]! + value) }),
};
