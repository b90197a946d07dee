/**
 * The shape of a bandit: its state is plain JSON (a server stores it between requests and a log
 * replays it), every policy shares the same settings for burn-in, a weight floor and periodic
 * reweighting, and inputs are checked at the boundary with messages that name the field.
 */
import { resolveParams } from '../recommend/contract.js';

/** The algorithms, and the discriminant of a persisted state. */
export type PolicyName =
  | 'thompson-beta'
  | 'thompson-gaussian'
  | 'ucb1'
  | 'epsilon-greedy'
  | 'linucb'
  | 'linear-thompson';

/** Settings every policy has; defaults in {@link COMMON_DEFAULTS}. */
export interface CommonParams {
  /** Smallest probability any arm gets once burn-in is over, in [0, 1/arms] (GrowthBook's minimum weight). */
  floor: number;
  /** Choose uniformly until every arm has this many rewards recorded. */
  burnInPerArm: number;
  /** Choose uniformly until this many rewards are recorded in total. */
  burnInTotal: number;
  /**
   * Decisions between recomputations of the arm probabilities (1 = every decision). In between,
   * rewards are recorded but the probabilities stay fixed, as GrowthBook updates bandit weights on
   * a schedule; {@link reweight} in bandit.ts recomputes on demand.
   */
  reweightEvery: number;
}

/** Defaults of the shared settings: no floor, no burn-in, weights recomputed on every decision. */
export const COMMON_DEFAULTS: CommonParams = { floor: 0, burnInPerArm: 0, burnInTotal: 0, reweightEvery: 1 };

/** What every persisted state carries. */
interface StateBase<P extends PolicyName, Params> {
  /** Format version of the persisted state. */
  version: 1;
  policy: P;
  /** Arm names, in the order of every per-arm array. */
  arms: string[];
  params: CommonParams & Params;
  /** Rewards recorded per arm. */
  counts: number[];
  /** Decisions made so far. */
  decisions: number;
  /** Decisions made with the current snapshot (weights or model). */
  sinceReweight: number;
}

/** Beta prior of {@link ThompsonBetaState}. */
export interface ThompsonBetaParams {
  /** Prior successes + 1 (>= 1; 1 and 1 is the uniform prior). */
  priorAlpha: number;
  priorBeta: number;
}

/** Beta-Bernoulli Thompson sampling: rewards in [0, 1], a fraction counting as a partial success. */
export interface ThompsonBetaState extends StateBase<'thompson-beta', ThompsonBetaParams> {
  /** Sum of rewards per arm. */
  successes: number[];
  /** Probabilities in force (floor applied), or null until the first reweight after burn-in. */
  weights: number[] | null;
}

/** Prior and variance model of {@link ThompsonGaussianState}. */
export interface ThompsonGaussianParams {
  /** Prior mean of each arm's expected reward. */
  priorMean: number;
  /** Weight of the prior mean, in pseudo-observations (> 0). */
  priorWeight: number;
  /** Reward variance: known if `estimateVariance` is false, else the prior guess. */
  variance: number;
  /** Estimate each arm's reward variance from its rewards (pooled with the prior guess). */
  estimateVariance: boolean;
  /** Weight of the prior variance guess, in pseudo-observations (>= 0). */
  varianceWeight: number;
}

/** Gaussian Thompson sampling on each arm's mean reward (revenue, order value). */
export interface ThompsonGaussianState extends StateBase<'thompson-gaussian', ThompsonGaussianParams> {
  /** Running mean of rewards per arm (Welford). */
  means: number[];
  /** Running sum of squared deviations per arm (Welford). */
  m2: number[];
  weights: number[] | null;
}

/** Exploration of {@link Ucb1State}. */
export interface Ucb1Params {
  /** c in mean + c sqrt(ln t / n); sqrt(2) is Auer et al.'s UCB1 for rewards in [0, 1]. */
  exploration: number;
}

/** UCB1 (Auer, Cesa-Bianchi and Fischer 2002). */
export interface Ucb1State extends StateBase<'ucb1', Ucb1Params> {
  sums: number[];
  weights: number[] | null;
}

/** Exploration of {@link EpsilonGreedyState}. */
export interface EpsilonGreedyParams {
  /** Share of decisions spread uniformly over all arms, in [0, 1]. */
  epsilon: number;
}

/** Epsilon-greedy: the best mean so far, except a uniform choice with probability epsilon. */
export interface EpsilonGreedyState extends StateBase<'epsilon-greedy', EpsilonGreedyParams> {
  sums: number[];
  weights: number[] | null;
}

/** A ridge-regression snapshot per arm: what contextual decisions are computed from. */
export interface LinearModel {
  /** Coefficients per arm, A⁻¹ b. */
  theta: number[][];
  /** A⁻¹ per arm, row-major d x d. */
  inverse: number[][];
}

/** Ridge sufficient statistics of a linear (contextual) policy. */
interface LinearStats {
  /** Length of every context vector. */
  dimension: number;
  /** A = ridge I + Σ x xᵀ per arm, row-major d x d. */
  gram: number[][];
  /** b = Σ reward x per arm. */
  moment: number[][];
  /** The model decisions use, or null until the first reweight after burn-in. */
  model: LinearModel | null;
}

/** Exploration and regularization of {@link LinUcbState}. */
export interface LinUcbParams {
  /** α in θᵀx + α sqrt(xᵀ A⁻¹ x). */
  alpha: number;
  /** λ in A = λ I + Σ x xᵀ (> 0). */
  ridge: number;
}

/** Disjoint LinUCB (Li, Chu, Langford and Schapire 2010). */
export interface LinUcbState extends StateBase<'linucb', LinUcbParams>, LinearStats {}

/** Posterior scale and regularization of {@link LinearThompsonState}. */
export interface LinearThompsonParams {
  /** v² in θ̃ ~ N(θ̂, v² A⁻¹): the reward noise variance (0.25 bounds any 0/1 reward). */
  variance: number;
  ridge: number;
}

/** Linear Thompson sampling (Agrawal and Goyal 2013), one ridge model per arm. */
export interface LinearThompsonState
  extends StateBase<'linear-thompson', LinearThompsonParams>,
    LinearStats {}

/** Any bandit's persisted state. */
export type BanditState =
  | ThompsonBetaState
  | ThompsonGaussianState
  | Ucb1State
  | EpsilonGreedyState
  | LinUcbState
  | LinearThompsonState;

/** States whose decisions depend on a context vector. */
export type ContextualState = LinUcbState | LinearThompsonState;

/** States of the policies without a context: running sums per arm and a probability per arm. */
export type ArmState = Exclude<BanditState, ContextualState>;

/**
 * A new context-free bandit: arms and common params checked (`check` adds the policy's own
 * checks), nothing decided yet, and a zero per arm in each of the policy's running sums `sums`.
 */
export function newArmState<S extends ArmState>(
  policy: S['policy'],
  arms: readonly string[],
  defaults: S['params'],
  params: Partial<S['params']>,
  check: (p: S['params']) => void,
  sums: readonly Exclude<keyof S, keyof ArmState | 'weights'>[],
): S {
  const names = checkArms(policy, arms);
  const p = { ...resolveParams(policy, defaults, params) } as S['params'];
  checkCommon(policy, p, names.length);
  check(p);
  const zeros = () => names.map(() => 0);
  const state: Record<string, unknown> = {
    version: 1,
    policy,
    arms: names,
    params: p,
    counts: zeros(),
    decisions: 0,
    sinceReweight: 0,
  };
  for (const key of sums) state[key as string] = zeros();
  state.weights = null;
  return state as S;
}

/** A numeric feature vector describing the shopper or the moment (include a constant 1 for an intercept). */
export type Context = readonly number[];

/** An arm by name, or by its index in `state.arms`. */
export type ArmRef = string | number;

/** True for the policies that need a context. */
export function isContextual(state: BanditState): state is ContextualState {
  return state.policy === 'linucb' || state.policy === 'linear-thompson';
}

/** Arm names checked once at creation: a non-empty list of distinct, non-empty strings. */
export function checkArms(policy: PolicyName, arms: readonly string[]): string[] {
  if (!Array.isArray(arms) || arms.length === 0)
    throw new RangeError(`${policy}: arms must be a non-empty list of names`);
  const seen = new Set<string>();
  arms.forEach((arm, i) => {
    if (typeof arm !== 'string' || arm === '')
      throw new RangeError(`${policy}: arms[${i}] must be a non-empty string, got ${JSON.stringify(arm)}`);
    if (seen.has(arm)) throw new RangeError(`${policy}: arms[${i}] "${arm}" appears twice`);
    seen.add(arm);
  });
  return [...arms];
}

/** Checks the shared settings against the number of arms, naming the one at fault. */
export function checkCommon(policy: PolicyName, p: CommonParams, armCount: number): void {
  if (!(p.floor >= 0 && p.floor <= 1 / armCount + 1e-12))
    throw new RangeError(`${policy}: floor must be in [0, 1/${armCount}] (1/number of arms), got ${p.floor}`);
  for (const key of ['burnInPerArm', 'burnInTotal'] as const) {
    if (!(Number.isInteger(p[key]) && p[key] >= 0))
      throw new RangeError(`${policy}: ${key} must be an integer >= 0, got ${p[key]}`);
  }
  if (!(Number.isInteger(p.reweightEvery) && p.reweightEvery >= 1))
    throw new RangeError(`${policy}: reweightEvery must be an integer >= 1, got ${p.reweightEvery}`);
}

/** The index of an arm given by name or index; `where` prefixes the message (e.g. "reward"). */
export function armIndex(state: BanditState, arm: ArmRef, where: string): number {
  if (typeof arm === 'number') {
    if (!Number.isInteger(arm) || arm < 0 || arm >= state.arms.length)
      throw new RangeError(
        `${where}: arm index ${arm} is out of range (this bandit has ${state.arms.length} arms, 0 to ${state.arms.length - 1})`,
      );
    return arm;
  }
  const i = state.arms.indexOf(arm);
  if (i < 0)
    throw new RangeError(
      `${where}: arm "${arm}" is not one of this bandit's arms (${state.arms.join(', ')})`,
    );
  return i;
}

/** The context of a contextual state, checked: an array of `dimension` finite numbers. */
export function checkContext(
  state: ContextualState,
  context: Context | null | undefined,
  where: string,
): Context {
  if (context === undefined || context === null)
    throw new RangeError(
      `${where}: context is required (${state.policy} is contextual, dimension ${state.dimension})`,
    );
  if (!Array.isArray(context) || context.length !== state.dimension)
    throw new RangeError(
      `${where}: context must have ${state.dimension} numbers (the bandit's dimension), got ${Array.isArray(context) ? context.length : typeof context}`,
    );
  context.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new RangeError(`${where}: context[${i}] must be a finite number, got ${x}`);
  });
  return context;
}

/** A reward value, checked finite (policies add their own range). */
export function checkValue(value: number, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new RangeError(`${where}: value must be a finite number, got ${value}`);
  return value;
}

/** A copy of `a` with a[i] replaced: states are never mutated. */
export function withAt(a: readonly number[], i: number, value: number): number[] {
  const out = a.slice();
  out[i] = value;
  return out;
}

/**
 * What makes one policy different; the shared flow (burn-in, floor, periodic reweighting,
 * sampling, input checks) lives in bandit.ts and calls these.
 */
export interface PolicyRules<S extends BanditState> {
  /** The state with its snapshot (weights or model) recomputed from the rewards recorded so far. */
  refresh(state: S): S;
  /** Arm probabilities before the floor, from the state's current snapshot (never null here). */
  probabilities(state: S, context: Context | undefined): number[];
  /** The state with one more reward for `arm` (counts are updated by the caller). */
  learn(state: S, arm: number, value: number, context: Context | undefined): S;
}
