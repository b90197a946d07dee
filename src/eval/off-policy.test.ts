import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import {
  type BanditLog,
  type CandidatePolicy,
  doublyRobust,
  ipw,
  meanRewardModel,
  onPolicyValue,
  snipw,
  uniformPolicy,
} from './off-policy.js';

const Z = 1.959963984540054;

/** Four rows by hand: the candidate always plays action 0. */
const tiny: BanditLog = {
  actions: [0, 1, 0, 1],
  rewards: [1, 0, 0, 1],
  propensities: [0.5, 0.25, 0.5, 0.75],
  actionCount: 2,
};
const alwaysZero: CandidatePolicy = () => [1, 0];

describe('off-policy estimators by hand', () => {
  it('IPW: mean of w r with w = [2, 0, 2, 0]', () => {
    const v = ipw(tiny, alwaysZero);
    expect(v.estimate).toBe(0.5);
    // terms [2, 0, 0, 0]: sample variance 1, se = sqrt(1 / 4).
    expect(v.se).toBeCloseTo(0.5, 15);
    expect(v.ci[0]).toBeCloseTo(0.5 - Z * 0.5, 12);
    expect(v.ci[1]).toBeCloseTo(0.5 + Z * 0.5, 12);
    expect(v.meanWeight).toBe(1);
    expect(v.effectiveSampleSize).toBe(2); // (Σw)² / Σw² = 16 / 8
    expect(v.maxWeight).toBe(2);
  });

  it('SNIPW: Σ w r / Σ w with the delta-method standard error', () => {
    const v = snipw(tiny, alwaysZero);
    expect(v.estimate).toBe(0.5);
    // influence w (r - 0.5) / mean(w) = [1, 0, -1, 0]: variance 2/3, se = sqrt(2/3 / 4).
    expect(v.se).toBeCloseTo(Math.sqrt(1 / 6), 15);
  });

  it('DR: model prediction plus weighted residuals', () => {
    const model = meanRewardModel(tiny, { priorWeight: 0 });
    expect([model(0, 0), model(0, 1)]).toEqual([0.5, 0.5]);
    const v = doublyRobust(tiny, alwaysZero, { rewardModel: model });
    // terms [0.5 + 2 (1 - 0.5), 0.5, 0.5 + 2 (0 - 0.5), 0.5] = [1.5, 0.5, -0.5, 0.5].
    expect(v.estimate).toBe(0.5);
    expect(v.se).toBeCloseTo(Math.sqrt(2 / 3 / 4), 15);
    // With a perfect model of a constant reward, DR has no variance at all.
    const flat = { ...tiny, rewards: [1, 1, 1, 1] };
    const exact = doublyRobust(flat, alwaysZero);
    expect(exact.estimate).toBe(1);
    expect(exact.se).toBe(0);
  });

  it('reduces to the on-policy mean when the candidate is the behaviour policy', () => {
    const behaviour: CandidatePolicy = (i) => {
      const p = tiny.propensities[i]!;
      return tiny.actions[i] === 0 ? [p, 1 - p] : [1 - p, p];
    };
    expect(ipw(tiny, behaviour).estimate).toBe(0.5);
    expect(snipw(tiny, behaviour).estimate).toBe(0.5);
    const on = onPolicyValue(tiny.rewards);
    expect(on.estimate).toBe(0.5);
    expect(on.se).toBeCloseTo(Math.sqrt(1 / 3 / 4), 15);
  });

  it('shrinks small cells of the mean reward model towards coarser means, and cross-fits', () => {
    const log: BanditLog = {
      actions: [0, 0, 0, 1],
      rewards: [1, 1, 0, 0],
      propensities: [0.5, 0.5, 0.5, 0.5],
      positions: [0, 1, 1, 0],
      actionCount: 2,
    };
    const q = meanRewardModel(log);
    // overall 0.5; q(0) = (2 + 0.5) / 4 = 0.625; q(0, pos 0) = (1 + 0.625) / 2; q(0, pos 1) = (1 + 0.625) / 3.
    expect(q(0, 0)).toBeCloseTo(1.625 / 2, 15);
    expect(q(1, 0)).toBeCloseTo(1.625 / 3, 15);
    // q(1) = (0 + 0.5) / 2 = 0.25; q(1, pos 1) has no rows: 0.25.
    expect(q(1, 1)).toBeCloseTo(0.25, 15);
    const flat = meanRewardModel(log, { byPosition: false, priorWeight: 0 });
    expect(flat(1, 0)).toBeCloseTo(2 / 3, 15);
    // Two folds (even rows, odd rows): row 0 is predicted from rows 1 and 3 only, row 1 from rows 0 and 2.
    const cross = meanRewardModel(log, { byPosition: false, priorWeight: 0, folds: 2 });
    expect([cross(0, 0), cross(0, 1)]).toEqual([1, 0]);
    expect(cross(1, 0)).toBe(0.5);
  });

  it('rejects malformed logs and candidates, naming the field and row', () => {
    expect(() => ipw({ ...tiny, rewards: [1, 0, 0] }, alwaysZero)).toThrow(
      /rewards has 3 rows but actions has 4/,
    );
    expect(() => ipw({ ...tiny, actions: [0, 2, 0, 1] }, alwaysZero)).toThrow(
      /actions\[1\] must be an action index in \[0, 2\), got 2/,
    );
    expect(() => ipw({ ...tiny, propensities: [0.5, 0, 0.5, 0.5] }, alwaysZero)).toThrow(
      /propensities\[1\] must be in \(0, 1\], got 0/,
    );
    expect(() => ipw({ ...tiny, rewards: [1, Number.NaN, 0, 1] }, alwaysZero)).toThrow(
      /rewards\[1\] must be a finite number/,
    );
    expect(() => ipw(tiny, () => [0.5, 0.4])).toThrow(/candidate probabilities of row 0 sum to 0.9, not 1/);
    expect(() => ipw(tiny, () => [1])).toThrow(
      /candidate probabilities of row 0 have 1 entries, not actionCount = 2/,
    );
    expect(() => ipw({ ...tiny, actions: [], rewards: [], propensities: [] }, alwaysZero)).toThrow(
      /the log has no rows/,
    );
    expect(() => ipw(tiny, alwaysZero, { alpha: 2 })).toThrow(/alpha must be in \(0, 1\), got 2/);
    expect(() => meanRewardModel(tiny, { folds: 9 })).toThrow(/folds must be an integer in \[1, 4\], got 9/);
  });
});

/**
 * A world with a known answer: context x ∈ {0, 1} (P(x = 1) = 0.4), three actions with click rates
 * depending on x, a behaviour policy that depends on x, and a different candidate.
 */
const RATES = [
  [0.1, 0.3, 0.05],
  [0.4, 0.05, 0.2],
];
const BEHAVIOUR = [
  [0.6, 0.3, 0.1],
  [0.1, 0.2, 0.7],
];
const CANDIDATE = [
  [0.2, 0.2, 0.6],
  [0.5, 0.5, 0],
];
const TRUTH = [0, 1].reduce(
  (v, x) => v + (x ? 0.4 : 0.6) * CANDIDATE[x]!.reduce((s, p, a) => s + p * RATES[x]![a]!, 0),
  0,
);

function simulateLog(n: number, seed: number): { log: BanditLog; candidate: CandidatePolicy } {
  const rng = new Rng(seed);
  const contexts = new Uint8Array(n);
  const actions = new Int32Array(n);
  const rewards = new Float64Array(n);
  const propensities = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = rng.bernoulli(0.4) ? 1 : 0;
    const a = rng.categorical(BEHAVIOUR[x]!);
    contexts[i] = x;
    actions[i] = a;
    propensities[i] = BEHAVIOUR[x]![a]!;
    rewards[i] = rng.bernoulli(RATES[x]![a]!) ? 1 : 0;
  }
  return {
    log: { actions, rewards, propensities, actionCount: 3 },
    candidate: (i) => CANDIDATE[contexts[i]!]!,
  };
}

describe('off-policy estimators on a simulated log with a known answer', () => {
  it('recover the candidate value within their intervals', () => {
    expect(TRUTH).toBeCloseTo(0.6 * (0.02 + 0.06 + 0.03) + 0.4 * (0.2 + 0.025), 15);
    const { log, candidate } = simulateLog(50_000, 1);
    for (const v of [ipw(log, candidate), snipw(log, candidate), doublyRobust(log, candidate)]) {
      expect(Math.abs(v.estimate - TRUTH)).toBeLessThan(3 * v.se);
      expect(v.se).toBeLessThan(0.004);
      expect(v.meanWeight).toBeCloseTo(1, 1);
    }
    // The naive mean of the log (the behaviour policy's value, 0.169) is not the candidate's (0.156).
    expect(Math.abs(onPolicyValue(log.rewards).estimate - TRUTH)).toBeGreaterThan(0.01);
  });

  it('cover the truth about 95% of the time', () => {
    const runs = 300;
    const covered = { ipw: 0, snipw: 0, dr: 0 };
    for (let r = 0; r < runs; r++) {
      const { log, candidate } = simulateLog(2000, 100 + r);
      const inside = (v: { ci: [number, number] }) => v.ci[0] <= TRUTH && TRUTH <= v.ci[1];
      if (inside(ipw(log, candidate))) covered.ipw++;
      if (inside(snipw(log, candidate))) covered.snipw++;
      if (inside(doublyRobust(log, candidate))) covered.dr++;
    }
    for (const c of Object.values(covered)) {
      expect(c / runs).toBeGreaterThan(0.91);
      expect(c / runs).toBeLessThan(0.99);
    }
  });

  it('values the uniform policy', () => {
    const { log } = simulateLog(50_000, 2);
    const truth = 0.6 * (0.45 / 3) + 0.4 * (0.65 / 3);
    const v = doublyRobust(log, uniformPolicy(3));
    expect(Math.abs(v.estimate - truth)).toBeLessThan(3 * v.se);
  });
});
