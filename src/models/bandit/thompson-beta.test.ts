import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { checkPolicy } from './bandit.conformance.js';
import { choose, probabilities, reward, reweight } from './bandit.js';
import { betaBestArm } from './best-arm.js';
import { betaPosterior, thompsonBeta } from './thompson-beta.js';

describe('thompson-beta', () => {
  checkPolicy({ create: (arms, common) => thompsonBeta(arms, common) });

  it('weighs arms by P(best) under the Beta posteriors, with the prior', () => {
    let s = thompsonBeta(['a', 'b'], { priorAlpha: 2, priorBeta: 3 });
    for (const v of [1, 1, 0]) s = reward(s, 'a', v);
    for (const v of [0, 0.5]) s = reward(s, 'b', v);
    expect(betaPosterior(s)).toEqual({ alpha: [4, 2.5], beta: [4, 4.5] });
    const p = probabilities(s);
    expect(p).toEqual(betaBestArm([4, 2.5], [4, 4.5]).map((x) => expect.closeTo(x, 9)));
    // Two arms with uniform priors, 1/1 against 0/1: P(Beta(2,1) > Beta(1,2)) = 5/6.
    const t = reward(reward(thompsonBeta(['x', 'y']), 'x', 1), 'y', 0);
    expect(probabilities(t)[0]).toBeCloseTo(5 / 6, 10);
  });

  it('logs the floored best-arm probability as the propensity', () => {
    let s = thompsonBeta(['a', 'b', 'c'], { floor: 0.1 });
    for (let i = 0; i < 50; i++) s = reward(reward(reward(s, 'a', 0), 'b', i % 10 === 0 ? 1 : 0), 'c', i % 2);
    const raw = betaBestArm(...(Object.values(betaPosterior(s)) as [number[], number[]]));
    expect(raw[0]).toBeLessThan(0.1); // the floor binds on a
    const d = choose(s, undefined, new Rng(4));
    expect(d.probabilities[0]).toBeCloseTo(0.1, 15);
    expect(d.probabilities[1]).toBeCloseTo(0.1, 15);
    expect(d.probabilities[2]).toBeCloseTo(0.8, 15);
  });

  it('keeps the weights of the last reweight until the next one', () => {
    let s = reweight(reward(thompsonBeta(['a', 'b'], { reweightEvery: 100 }), 'a', 1));
    const before = s.weights;
    for (let i = 0; i < 20; i++) s = reward(s, 'b', 1);
    expect(s.weights).toBe(before);
    expect(probabilities(s)).toEqual(before);
    // P(Beta(21, 1) > Beta(2, 1)) = 1 - ∫ 21 x^20 (1 - x²) dx = 21/23.
    expect(reweight(s).weights![1]).toBeCloseTo(21 / 23, 10);
  });

  it('accepts fractional rewards in [0, 1] and refuses others, and refuses priors below 1', () => {
    const s = thompsonBeta(['a', 'b']);
    expect(reward(s, 'a', 0.25).successes).toEqual([0.25, 0]);
    expect(() => reward(s, 'a', 2)).toThrow(
      /reward: value must be in \[0, 1\] for thompson-beta \(a conversion\), got 2/,
    );
    expect(() => reward(s, 'a', -0.1)).toThrow(/value must be in \[0, 1\]/);
    expect(() => thompsonBeta(['a'], { priorAlpha: 0.5 })).toThrow(
      /priorAlpha must be a finite number >= 1, got 0.5/,
    );
  });
});
