import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { checkPolicy } from './bandit.conformance.js';
import { choose, probabilities, reward } from './bandit.js';
import { linUcb, linUcbScores } from './linucb.js';

describe('linucb', () => {
  checkPolicy({ create: (arms, common) => linUcb(arms, 2, common), dimension: 2 });

  it('scores θᵀx + α sqrt(xᵀ A⁻¹ x) with the ridge solution (one feature, by hand)', () => {
    // d = 1, λ = 2: A = 2 + Σ x², b = Σ r x.
    let s = linUcb(['a', 'b'], 1, { alpha: 0.5, ridge: 2 });
    s = reward(reward(s, 'a', 1, [1]), 'a', 0, [2]);
    s = reward(s, 'b', 1, [3]);
    const x = [1.5];
    const [ua, ub] = linUcbScores(s, x);
    expect(ua).toBeCloseTo((1 / 7) * 1.5 + 0.5 * Math.sqrt(1.5 ** 2 / 7), 14);
    expect(ub).toBeCloseTo((3 / 11) * 1.5 + 0.5 * Math.sqrt(1.5 ** 2 / 11), 14);
    expect(probabilities(s, x)).toEqual(ua! > ub! ? [1, 0] : [0, 1]);
  });

  it('learns a context-dependent best arm', () => {
    // Arm "left" pays when the feature is 0, arm "right" when it is 1.
    let s = linUcb(['left', 'right'], 2, { alpha: 0.5 });
    const rng = new Rng(1);
    const world = rng.fork('world');
    for (let t = 0; t < 1500; t++) {
      const x = [1, world.bernoulli(0.5) ? 1 : 0];
      const d = choose(s, x, rng);
      const rate = (d.arm === 'right') === (x[1] === 1) ? 0.7 : 0.2;
      s = reward(d.state, d.arm, world.bernoulli(rate) ? 1 : 0, x);
    }
    expect(probabilities(s, [1, 0])).toEqual([1, 0]);
    expect(probabilities(s, [1, 1])).toEqual([0, 1]);
  });

  it('refuses bad settings, naming them', () => {
    expect(() => linUcb(['a'], 0)).toThrow(/linucb: dimension must be an integer in \[1, 1000\], got 0/);
    expect(() => linUcb(['a'], 2, { ridge: 0 })).toThrow(/linucb: ridge must be a finite number > 0, got 0/);
    expect(() => linUcb(['a'], 2, { alpha: -1 })).toThrow(
      /linucb: alpha must be a finite number >= 0, got -1/,
    );
  });
});
