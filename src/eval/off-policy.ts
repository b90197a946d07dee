/**
 * Off-policy evaluation: the value (mean reward per decision) a candidate policy would have earned,
 * estimated from decisions another policy logged with their propensities, so a bandit or a new
 * targeting rule can be judged before it is shown to shoppers. Three estimators, each with a
 * standard error and a normal-approximation interval (the same conventions as OBP, Saito et al. 2020):
 *
 * - IPW (inverse propensity weighting, Horvitz-Thompson): mean of w_i r_i, w_i = π_e(a_i|x_i) / π_b(a_i|x_i).
 *   Unbiased when every propensity is right and positive wherever the candidate acts.
 * - SNIPW (self-normalized IPW): Σ w_i r_i / Σ w_i. Slightly biased, far less variable when weights
 *   are heavy; its standard error is the delta-method one.
 * - DR (doubly robust, Dudík et al. 2011): mean of Σ_a π_e(a|x_i) q̂(x_i, a) + w_i (r_i - q̂(x_i, a_i)).
 *   Unbiased if either the propensities or the reward model q̂ are right, and less variable than
 *   IPW when q̂ explains part of the reward. The default q̂ is {@link meanRewardModel}.
 *
 * Standard errors treat rows as independent (the sample standard deviation of the per-row terms
 * over sqrt(n)); the reward model is taken as fixed, so with an in-sample model DR's interval is
 * slightly optimistic (use `folds` for cross-fitting).
 */
import { normalQuantile } from '../stats/distributions.js';

/** Decisions a behaviour policy logged: action, reward and the probability it had (the propensity). */
export interface BanditLog {
  /** Action index of each row, in [0, actionCount). */
  actions: ArrayLike<number>;
  rewards: ArrayLike<number>;
  /** π_b(a_i | x_i): the behaviour policy's probability of the logged action, in (0, 1]. */
  propensities: ArrayLike<number>;
  /** Optional slot of each row (e.g. the position in a widget), in [0, positionCount). */
  positions?: ArrayLike<number>;
  actionCount: number;
}

/** π_e(· | x_i): the candidate's probability of every action at row i (actionCount numbers summing to 1). */
export type CandidatePolicy = (row: number) => ArrayLike<number>;

/** q̂(x_i, a): predicted reward of action a in the situation of row i. */
export type RewardModel = (row: number, action: number) => number;

/** A policy value with its uncertainty and the diagnostics of the importance weights. */
export interface PolicyValue {
  estimate: number;
  se: number;
  /** Normal-approximation interval at level 1 - alpha. */
  ci: [number, number];
  /** Rows used. */
  n: number;
  /** Mean importance weight; far from 1 means wrong propensities or too little overlap. */
  meanWeight: number;
  /** (Σ w)² / Σ w²: how many rows the weighted estimate is worth. */
  effectiveSampleSize: number;
  maxWeight: number;
}

/** Options shared by the estimators. */
export interface OffPolicyOptions {
  /** 1 - confidence level of the interval (default 0.05). */
  alpha?: number;
}

/** The candidate that picks uniformly among `actionCount` actions, whatever the context. */
export function uniformPolicy(actionCount: number): CandidatePolicy {
  const p = new Float64Array(actionCount).fill(1 / actionCount);
  return () => p;
}

/** Checks a log, naming the field and row at fault; returns the number of rows. */
export function checkLog(log: BanditLog): number {
  const n = log.actions.length;
  if (!(Number.isInteger(log.actionCount) && log.actionCount >= 1))
    throw new RangeError(`actionCount must be an integer >= 1, got ${log.actionCount}`);
  if (n === 0) throw new RangeError('the log has no rows');
  for (const [field, column] of [
    ['rewards', log.rewards],
    ['propensities', log.propensities],
    ['positions', log.positions],
  ] as const) {
    if (column && column.length !== n)
      throw new RangeError(`${field} has ${column.length} rows but actions has ${n}`);
  }
  for (let i = 0; i < n; i++) {
    const a = log.actions[i]!;
    if (!(Number.isInteger(a) && a >= 0 && a < log.actionCount))
      throw new RangeError(`actions[${i}] must be an action index in [0, ${log.actionCount}), got ${a}`);
    const p = log.propensities[i]!;
    if (!(p > 0 && p <= 1)) throw new RangeError(`propensities[${i}] must be in (0, 1], got ${p}`);
    if (!Number.isFinite(log.rewards[i]!))
      throw new RangeError(`rewards[${i}] must be a finite number, got ${log.rewards[i]}`);
    if (log.positions) {
      const s = log.positions[i]!;
      if (!(Number.isInteger(s) && s >= 0))
        throw new RangeError(`positions[${i}] must be an integer >= 0, got ${s}`);
    }
  }
  return n;
}

/** The candidate's probabilities at row i, checked: actionCount numbers in [0, 1] summing to 1. */
function candidateAt(candidate: CandidatePolicy, i: number, actionCount: number): ArrayLike<number> {
  const p = candidate(i);
  if (p.length !== actionCount)
    throw new RangeError(
      `candidate probabilities of row ${i} have ${p.length} entries, not actionCount = ${actionCount}`,
    );
  let total = 0;
  for (let a = 0; a < actionCount; a++) {
    const x = p[a]!;
    if (!(x >= 0 && x <= 1))
      throw new RangeError(`candidate probability of action ${a} at row ${i} must be in [0, 1], got ${x}`);
    total += x;
  }
  if (!(Math.abs(total - 1) <= 1e-6))
    throw new RangeError(`candidate probabilities of row ${i} sum to ${total}, not 1`);
  return p;
}

/** Importance weights π_e(a_i|x_i) / π_b(a_i|x_i), with the candidate's probabilities checked. */
function importanceWeights(log: BanditLog, candidate: CandidatePolicy): Float64Array {
  const n = checkLog(log);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = candidateAt(candidate, i, log.actionCount);
    w[i] = p[log.actions[i]!]! / log.propensities[i]!;
  }
  return w;
}

function criticalValue(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  return normalQuantile(1 - alpha / 2);
}

/** Mean and standard error of per-row terms, as a PolicyValue with the weights' diagnostics. */
function summarize(terms: Float64Array, w: Float64Array, alpha: number, estimate?: number): PolicyValue {
  const n = terms.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += terms[i]!;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (terms[i]! - mean) ** 2;
  const se = n > 1 ? Math.sqrt(ss / (n - 1) / n) : Number.NaN;
  let sw = 0;
  let sw2 = 0;
  let maxWeight = 0;
  for (let i = 0; i < n; i++) {
    sw += w[i]!;
    sw2 += w[i]! * w[i]!;
    if (w[i]! > maxWeight) maxWeight = w[i]!;
  }
  const value = estimate ?? mean;
  const z = criticalValue(alpha);
  return {
    estimate: value,
    se,
    ci: [value - z * se, value + z * se],
    n,
    meanWeight: sw / n,
    effectiveSampleSize: sw2 > 0 ? (sw * sw) / sw2 : 0,
    maxWeight,
  };
}

/** Inverse propensity weighting: unbiased, but as variable as its largest weights. */
export function ipw(log: BanditLog, candidate: CandidatePolicy, options: OffPolicyOptions = {}): PolicyValue {
  const w = importanceWeights(log, candidate);
  const terms = w.map((wi, i) => wi * log.rewards[i]!);
  return summarize(terms, w, options.alpha ?? 0.05);
}

/**
 * Self-normalized IPW: Σ w r / Σ w. The standard error is the delta-method one, from the influence
 * terms w_i (r_i - V) / mean(w).
 */
export function snipw(
  log: BanditLog,
  candidate: CandidatePolicy,
  options: OffPolicyOptions = {},
): PolicyValue {
  const w = importanceWeights(log, candidate);
  let sw = 0;
  let swr = 0;
  for (let i = 0; i < w.length; i++) {
    sw += w[i]!;
    swr += w[i]! * log.rewards[i]!;
  }
  if (!(sw > 0)) throw new RangeError('snipw: the candidate gives probability 0 to every logged action');
  const value = swr / sw;
  const meanW = sw / w.length;
  const influence = w.map((wi, i) => (wi * (log.rewards[i]! - value)) / meanW);
  return summarize(influence, w, options.alpha ?? 0.05, value);
}

/** Options of {@link doublyRobust}. */
export interface DoublyRobustOptions extends OffPolicyOptions {
  /** q̂(x_i, a); defaults to {@link meanRewardModel} fitted on the same log. */
  rewardModel?: RewardModel;
}

/** Doubly robust: the reward model's prediction for the candidate, corrected by weighted residuals. */
export function doublyRobust(
  log: BanditLog,
  candidate: CandidatePolicy,
  options: DoublyRobustOptions = {},
): PolicyValue {
  const n = checkLog(log);
  const q = options.rewardModel ?? meanRewardModel(log);
  const w = new Float64Array(n);
  const terms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = candidateAt(candidate, i, log.actionCount);
    let direct = 0;
    for (let a = 0; a < log.actionCount; a++) if (p[a]! > 0) direct += p[a]! * q(i, a);
    const ai = log.actions[i]!;
    w[i] = p[ai]! / log.propensities[i]!;
    terms[i] = direct + w[i]! * (log.rewards[i]! - q(i, ai));
  }
  return summarize(terms, w, options.alpha ?? 0.05);
}

/** Options of {@link meanRewardModel}. */
export interface MeanRewardOptions {
  /** Fit one mean per (action, position) when the log has positions (default true). */
  byPosition?: boolean;
  /** Pseudo-observations pulling each cell towards the next coarser mean (default 1). */
  priorWeight?: number;
  /**
   * Cross-fitting: rows are split by index modulo `folds`, and each row is predicted from the
   * other folds only (default 1: every row predicted from the whole log).
   */
  folds?: number;
}

/**
 * The simplest useful reward model: the logged mean reward of each action (and position), shrunk
 * towards coarser means when cells are small: q(a, s) = (Σ_{a,s} r + m q(a)) / (n_{a,s} + m),
 * q(a) = (Σ_a r + m r̄) / (n_a + m), r̄ the overall mean, m = `priorWeight`. It ignores the context
 * otherwise, so DR's gain over IPW is what actions and positions explain.
 */
export function meanRewardModel(log: BanditLog, options: MeanRewardOptions = {}): RewardModel {
  const n = checkLog(log);
  const folds = options.folds ?? 1;
  const m = options.priorWeight ?? 1;
  if (!(Number.isInteger(folds) && folds >= 1 && folds <= n))
    throw new RangeError(`folds must be an integer in [1, ${n}], got ${folds}`);
  if (!(m >= 0 && Number.isFinite(m)))
    throw new RangeError(`priorWeight must be a finite number >= 0, got ${m}`);
  const positions = options.byPosition === false ? undefined : log.positions;
  let slots = 1;
  if (positions) for (let i = 0; i < n; i++) slots = Math.max(slots, positions[i]! + 1);
  const k = log.actionCount;
  // Sums and counts per fold (index 0 .. folds-1) and in total (index folds), per action x slot.
  const stride = k * slots;
  const sum = new Float64Array((folds + 1) * stride);
  const count = new Float64Array((folds + 1) * stride);
  for (let i = 0; i < n; i++) {
    const cell = log.actions[i]! * slots + (positions ? positions[i]! : 0);
    for (const f of [i % folds, folds]) {
      sum[f * stride + cell]! += log.rewards[i]!;
      count[f * stride + cell]! += 1;
    }
  }
  // Predictions per fold: from all rows (folds = 1) or from the rows outside the fold.
  const tables: Float64Array[] = [];
  for (let f = 0; f < folds; f++) {
    const held = folds === 1 ? -1 : f;
    const cellSum = (c: number) => sum[folds * stride + c]! - (held >= 0 ? sum[held * stride + c]! : 0);
    const cellCount = (c: number) => count[folds * stride + c]! - (held >= 0 ? count[held * stride + c]! : 0);
    let total = 0;
    let rows = 0;
    for (let c = 0; c < stride; c++) {
      total += cellSum(c);
      rows += cellCount(c);
    }
    const overall = rows > 0 ? total / rows : 0;
    const table = new Float64Array(stride);
    for (let a = 0; a < k; a++) {
      let sa = 0;
      let na = 0;
      for (let s = 0; s < slots; s++) {
        sa += cellSum(a * slots + s);
        na += cellCount(a * slots + s);
      }
      const qa = na + m > 0 ? (sa + m * overall) / (na + m) : overall;
      for (let s = 0; s < slots; s++) {
        const c = a * slots + s;
        const nc = cellCount(c);
        table[c] = nc + m > 0 ? (cellSum(c) + m * qa) / (nc + m) : qa;
      }
    }
    tables.push(table);
  }
  return (row, action) => tables[row % folds]![action * slots + (positions ? positions[row]! : 0)]!;
}

/** The plain mean reward with its normal interval: the value of the policy that produced the log, measured on-policy. */
export function onPolicyValue(rewards: ArrayLike<number>, options: OffPolicyOptions = {}): PolicyValue {
  const n = rewards.length;
  if (n === 0) throw new RangeError('rewards has no rows');
  const terms = Float64Array.from(rewards);
  terms.forEach((r, i) => {
    if (!Number.isFinite(r)) throw new RangeError(`rewards[${i}] must be a finite number, got ${r}`);
  });
  return summarize(terms, new Float64Array(n).fill(1), options.alpha ?? 0.05);
}
