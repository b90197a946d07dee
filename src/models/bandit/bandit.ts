/**
 * Bandits as pure state machines over plain-JSON states: `choose` returns the arm and the exact
 * probability it had (the propensity to log for off-policy evaluation) together with the next
 * state, `reward` records an outcome, and neither mutates its input. The flow every policy shares
 * lives here: uniform burn-in, periodic reweighting (probabilities recomputed every
 * `reweightEvery` decisions or on demand), the minimum weight floor, sampling and input checks.
 */
import type { Rng } from '../../core/rng.js';
import {
  type ArmRef,
  armIndex,
  type BanditState,
  type CommonParams,
  type Context,
  checkContext,
  checkValue,
  type EpsilonGreedyParams,
  isContextual,
  type LinearThompsonParams,
  type LinUcbParams,
  type PolicyName,
  type PolicyRules,
  type ThompsonBetaParams,
  type ThompsonGaussianParams,
  type Ucb1Params,
  withAt,
} from './contract.js';
import { epsilonGreedy, epsilonGreedyRules } from './epsilon-greedy.js';
import { linearThompson, linearThompsonRules } from './linear-thompson.js';
import { linUcb, linUcbRules } from './linucb.js';
import { thompsonBeta, thompsonBetaRules } from './thompson-beta.js';
import { thompsonGaussian, thompsonGaussianRules } from './thompson-gaussian.js';
import { ucb1, ucb1Rules } from './ucb1.js';
import { applyFloor, sampleArm, uniform } from './weights.js';

/** One decision: the arm, the probability it had of being chosen, and the state to keep. */
export interface Decision<S extends BanditState = BanditState> {
  /** The next state (the decision counters advanced, the snapshot possibly refreshed). */
  state: S;
  /** The chosen arm's name and index. */
  arm: string;
  index: number;
  /** P(this arm) under the policy at this moment: the propensity to log. */
  probability: number;
  /** P(each arm) under the policy at this moment, summing to 1. */
  probabilities: number[];
}

/** How to create any bandit, e.g. from a JSON request body. */
export type BanditSpec =
  | { policy: 'thompson-beta'; arms: string[]; params?: Partial<CommonParams & ThompsonBetaParams> }
  | { policy: 'thompson-gaussian'; arms: string[]; params?: Partial<CommonParams & ThompsonGaussianParams> }
  | { policy: 'ucb1'; arms: string[]; params?: Partial<CommonParams & Ucb1Params> }
  | { policy: 'epsilon-greedy'; arms: string[]; params?: Partial<CommonParams & EpsilonGreedyParams> }
  | { policy: 'linucb'; arms: string[]; dimension: number; params?: Partial<CommonParams & LinUcbParams> }
  | {
      policy: 'linear-thompson';
      arms: string[];
      dimension: number;
      params?: Partial<CommonParams & LinearThompsonParams>;
    };

type RulesTable = { [P in PolicyName]: PolicyRules<Extract<BanditState, { policy: P }>> };

const RULES: RulesTable = {
  'thompson-beta': thompsonBetaRules,
  'thompson-gaussian': thompsonGaussianRules,
  ucb1: ucb1Rules,
  'epsilon-greedy': epsilonGreedyRules,
  linucb: linUcbRules,
  'linear-thompson': linearThompsonRules,
};

/** The policy names, for validation and documentation. */
export const POLICIES = Object.keys(RULES) as PolicyName[];

function rulesOf<S extends BanditState>(state: S): PolicyRules<S> {
  return RULES[state.policy] as unknown as PolicyRules<S>;
}

/** A new bandit from a spec; every field is checked and errors name it. */
export function createBandit(spec: BanditSpec): BanditState {
  switch (spec.policy) {
    case 'thompson-beta':
      return thompsonBeta(spec.arms, spec.params);
    case 'thompson-gaussian':
      return thompsonGaussian(spec.arms, spec.params);
    case 'ucb1':
      return ucb1(spec.arms, spec.params);
    case 'epsilon-greedy':
      return epsilonGreedy(spec.arms, spec.params);
    case 'linucb':
      return linUcb(spec.arms, spec.dimension, spec.params);
    case 'linear-thompson':
      return linearThompson(spec.arms, spec.dimension, spec.params);
    default:
      throw new RangeError(
        `createBandit: policy must be one of ${POLICIES.join(', ')}, got ${JSON.stringify((spec as { policy: unknown }).policy)}`,
      );
  }
}

/** True while decisions are uniform: some arm has fewer than burnInPerArm rewards, or too few in total. */
export function inBurnIn(state: BanditState): boolean {
  const { burnInPerArm, burnInTotal } = state.params;
  let total = 0;
  for (const n of state.counts) {
    if (n < burnInPerArm) return true;
    total += n;
  }
  return total < burnInTotal;
}

function snapshotOf(state: BanditState): unknown {
  return isContextual(state) ? state.model : state.weights;
}

/** The state to decide with (snapshot refreshed if due) and its probabilities for this context. */
function current<S extends BanditState>(
  state: S,
  context: Context | undefined,
): { state: S; probabilities: number[]; burnIn: boolean } {
  if (inBurnIn(state)) return { state, probabilities: uniform(state.arms.length), burnIn: true };
  const rules = rulesOf(state);
  const due = snapshotOf(state) === null || state.sinceReweight >= state.params.reweightEvery;
  const s = due ? rules.refresh(state) : state;
  return {
    state: s,
    probabilities: applyFloor(rules.probabilities(s, context), s.params.floor),
    burnIn: false,
  };
}

/**
 * Chooses an arm. `context` is required by contextual policies (linucb, linear-thompson) and
 * ignored by the others. All randomness comes from `rng`, so a seed replays the same decisions.
 */
export function choose<S extends BanditState>(
  state: S,
  context: Context | null | undefined,
  rng: Rng,
): Decision<S> {
  const x = isContextual(state) ? checkContext(state, context, 'choose') : undefined;
  const now = current(state, x);
  const index = sampleArm(now.probabilities, rng);
  const s = now.state;
  return {
    state: {
      ...s,
      decisions: s.decisions + 1,
      sinceReweight: now.burnIn ? s.sinceReweight : s.sinceReweight + 1,
    },
    arm: s.arms[index]!,
    index,
    probability: now.probabilities[index]!,
    probabilities: now.probabilities,
  };
}

/**
 * The probabilities `choose` would use right now, without deciding: for dashboards, and for
 * evaluating this policy offline as a candidate (its action probabilities per logged context).
 */
export function probabilities(state: BanditState, context?: Context | null): number[] {
  const x = isContextual(state) ? checkContext(state, context, 'probabilities') : undefined;
  return current(state, x).probabilities;
}

/**
 * Records a reward for an arm (by name or index). Contextual policies need the context the arm was
 * chosen for. The probabilities in force do not change until the next reweight.
 */
export function reward<S extends BanditState>(
  state: S,
  arm: ArmRef,
  value: number,
  context?: Context | null,
): S {
  const i = armIndex(state, arm, 'reward');
  checkValue(value, 'reward');
  const x = isContextual(state) ? checkContext(state, context, 'reward') : undefined;
  const learned = rulesOf(state).learn(state, i, value, x);
  return { ...learned, counts: withAt(learned.counts, i, learned.counts[i]! + 1) };
}

/** Recomputes the probabilities (or contextual model) now, as a scheduled GrowthBook-style update does; a no-op during burn-in. */
export function reweight<S extends BanditState>(state: S): S {
  return inBurnIn(state) ? state : rulesOf(state).refresh(state);
}
