import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { ipw, snipw, uniformPolicy } from '../../eval/off-policy.js';
import { type BanditSpec, choose, createBandit, POLICIES, reward } from './bandit.js';
import { loadBandit } from './load.js';

describe('createBandit and loadBandit', () => {
  const specs: BanditSpec[] = [
    { policy: 'thompson-beta', arms: ['a', 'b'], params: { floor: 0.1 } },
    { policy: 'thompson-gaussian', arms: ['a', 'b'], params: { variance: 100 } },
    { policy: 'ucb1', arms: ['a', 'b'] },
    { policy: 'epsilon-greedy', arms: ['a', 'b'], params: { epsilon: 0.2 } },
    { policy: 'linucb', arms: ['a', 'b'], dimension: 3 },
    { policy: 'linear-thompson', arms: ['a', 'b'], dimension: 3, params: { reweightEvery: 10 } },
  ];

  it('creates every policy from a JSON spec, and loads it back from JSON', () => {
    expect(specs.map((s) => s.policy)).toEqual(POLICIES);
    for (const spec of specs) {
      const state = createBandit(JSON.parse(JSON.stringify(spec)));
      expect(state.policy).toBe(spec.policy);
      expect(state.arms).toEqual(['a', 'b']);
      expect(loadBandit(JSON.parse(JSON.stringify(state)))).toEqual(state);
    }
  });

  it('names the field at fault', () => {
    expect(() => createBandit({ policy: 'nope', arms: ['a'] } as never)).toThrow(
      /createBandit: policy must be one of thompson-beta, .*linear-thompson, got "nope"/,
    );
    expect(() => createBandit({ policy: 'linucb', arms: ['a'] } as never)).toThrow(
      /linucb: dimension must be an integer/,
    );
    const s = createBandit(specs[0]!);
    expect(() => loadBandit(null)).toThrow(/loadBandit: the state must be an object, got null/);
    expect(() => loadBandit({ ...s, policy: 'x' })).toThrow(/loadBandit: policy must be one of/);
    expect(() => loadBandit({ ...s, successes: [0, 2] })).toThrow(
      /loadBandit: successes\[1\] must be at most counts\[1\] = 0, got 2/,
    );
    expect(() => loadBandit({ ...s, weights: [0.5, 0.6] })).toThrow(
      /loadBandit: weights must be probabilities summing to 1/,
    );
    expect(() => loadBandit({ ...s, params: { ...s.params, floor: 0.9 } })).toThrow(
      /thompson-beta: floor must be in \[0, 1\/2\]/,
    );
    const lin = createBandit(specs[4]!);
    expect(() => loadBandit({ ...lin, gram: [[1, 0, 0], [1]] })).toThrow(
      /loadBandit: gram\[0\] must be a list of 9 finite numbers/,
    );
    expect(() => loadBandit({ ...lin, model: { theta: [[0, 0, 0]], inverse: [] } })).toThrow(
      /loadBandit: model.theta must be a list of 2 lists/,
    );
  });
});

describe('logged propensities', () => {
  it('let off-policy evaluation recover the uniform policy from a Thompson sampling log', () => {
    // Three arms; Thompson sampling with a floor logs (arm, reward, propensity); the uniform policy's
    // true value is the mean of the rates.
    const rates = [0.05, 0.08, 0.12];
    let s = createBandit({
      policy: 'thompson-beta',
      arms: ['a', 'b', 'c'],
      params: { floor: 0.05, reweightEvery: 50 },
    });
    const rng = new Rng(5);
    const world = rng.fork('world');
    const n = 20_000;
    const actions = new Int32Array(n);
    const rewards = new Float64Array(n);
    const propensities = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      const d = choose(s, undefined, rng);
      const r = world.bernoulli(rates[d.index]!) ? 1 : 0;
      actions[t] = d.index;
      rewards[t] = r;
      propensities[t] = d.probability;
      s = reward(d.state, d.arm, r);
    }
    const truth = (0.05 + 0.08 + 0.12) / 3;
    const log = { actions, rewards, propensities, actionCount: 3 };
    for (const v of [ipw(log, uniformPolicy(3)), snipw(log, uniformPolicy(3))]) {
      expect(Math.abs(v.estimate - truth)).toBeLessThan(3 * v.se);
      expect(v.meanWeight).toBeGreaterThan(0.9);
      expect(v.meanWeight).toBeLessThan(1.1);
    }
  });
});
