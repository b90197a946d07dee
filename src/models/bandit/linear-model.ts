/**
 * What LinUCB and linear Thompson sampling share: one ridge regression of reward on context per
 * arm (disjoint models), kept as sufficient statistics (A, b) that only ever grow, and a snapshot
 * (θ = A⁻¹ b, A⁻¹) refreshed at reweight time, from which decisions are computed.
 */
import { resolveParams } from '../recommend/contract.js';
import { type Context, type ContextualState, checkArms, checkCommon, type LinearModel } from './contract.js';
import { addOuter, addScaled, matVec, scaledIdentity, spdInverse } from './ridge.js';

/** Checks a context dimension given at creation. */
export function checkDimension(policy: string, dimension: number): number {
  if (!(Number.isInteger(dimension) && dimension >= 1 && dimension <= 1000))
    throw new RangeError(`${policy}: dimension must be an integer in [1, 1000], got ${dimension}`);
  return dimension;
}

/**
 * A new linear bandit: arms, dimension, common params and ridge checked (`check` adds the policy's
 * own checks), A = λ I and b = 0 for every arm.
 */
export function newLinearState<S extends ContextualState>(
  policy: S['policy'],
  arms: readonly string[],
  dimension: number,
  defaults: S['params'],
  params: Partial<S['params']>,
  check: (p: S['params']) => void,
): S {
  const names = checkArms(policy, arms);
  const d = checkDimension(policy, dimension);
  const p = { ...resolveParams(policy, defaults, params) } as S['params'];
  checkCommon(policy, p, names.length);
  check(p);
  if (!(p.ridge > 0 && Number.isFinite(p.ridge)))
    throw new RangeError(`${policy}: ridge must be a finite number > 0, got ${p.ridge}`);
  return {
    version: 1,
    policy,
    arms: names,
    params: p,
    counts: names.map(() => 0),
    decisions: 0,
    sinceReweight: 0,
    ...emptyStats(names.length, d, p.ridge),
  } as S;
}

/** Empty statistics: A = λ I and b = 0 for every arm. */
export function emptyStats(armCount: number, dimension: number, ridge: number) {
  return {
    dimension,
    gram: Array.from({ length: armCount }, () => scaledIdentity(dimension, ridge)),
    moment: Array.from({ length: armCount }, () => new Array<number>(dimension).fill(0)),
    model: null,
  };
}

/** The ridge snapshot of every arm. */
export function fitLinear(state: ContextualState): LinearModel {
  const inverse = state.gram.map((a) => spdInverse(a, state.dimension));
  return { inverse, theta: inverse.map((inv, i) => matVec(inv, state.moment[i]!)) };
}

/** Statistics with one more (context, reward) for `arm`. */
export function learnLinear<S extends ContextualState>(state: S, arm: number, value: number, x: Context): S {
  const gram = state.gram.slice();
  const moment = state.moment.slice();
  gram[arm] = addOuter(gram[arm]!, x);
  moment[arm] = addScaled(moment[arm]!, x, value);
  return { ...state, gram, moment };
}
