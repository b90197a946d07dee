import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { checkPolicy } from './bandit.conformance.js';
import { choose, probabilities, reward } from './bandit.js';
import { gaussianBestArm } from './best-arm.js';
import { linearThompson, linearThompsonPosterior } from './linear-thompson.js';

describe('linear-thompson', () => {
  checkPolicy({ create: (arms, common) => linearThompson(arms, 2, common), dimension: 2 });

  it('weighs arms by P(best) of N(θᵀx, v² xᵀA⁻¹x) (one feature, by hand)', () => {
    let s = linearThompson(['a', 'b'], 1, { variance: 0.5, ridge: 2 });
    s = reward(reward(s, 'a', 1, [1]), 'a', 0, [2]);
    s = reward(s, 'b', 1, [3]);
    const x = [1.5];
    const { mean, sd } = linearThompsonPosterior(s, x);
    expect(mean).toEqual([(1 / 7) * 1.5, (3 / 11) * 1.5].map((m) => expect.closeTo(m, 14)));
    expect(sd).toEqual(
      [Math.sqrt((0.5 * 1.5 ** 2) / 7), Math.sqrt((0.5 * 1.5 ** 2) / 11)].map((v) => expect.closeTo(v, 14)),
    );
    expect(probabilities(s, x)).toEqual(gaussianBestArm(mean, sd).map((p) => expect.closeTo(p, 9)));
  });

  it('learns a context-dependent best arm, keeping some exploration', () => {
    let s = linearThompson(['left', 'right'], 2, { variance: 0.05 });
    const rng = new Rng(1);
    const world = rng.fork('world');
    for (let t = 0; t < 1500; t++) {
      const x = [1, world.bernoulli(0.5) ? 1 : 0];
      const d = choose(s, x, rng);
      const rate = (d.arm === 'right') === (x[1] === 1) ? 0.7 : 0.2;
      s = reward(d.state, d.arm, world.bernoulli(rate) ? 1 : 0, x);
    }
    expect(probabilities(s, [1, 0])[0]).toBeGreaterThan(0.99);
    expect(probabilities(s, [1, 1])[1]).toBeGreaterThan(0.99);
  });

  it('is greedy at variance 0 and uniform on a zero context', () => {
    let s = linearThompson(['a', 'b'], 2, { variance: 0 });
    s = reward(s, 'a', 1, [1, 0]);
    expect(probabilities(s, [1, 0])).toEqual([1, 0]);
    expect(probabilities(s, [0, 0])).toEqual([0.5, 0.5]);
  });

  it('refuses bad settings, naming them', () => {
    expect(() => linearThompson(['a'], 2.5)).toThrow(/linear-thompson: dimension must be an integer/);
    expect(() => linearThompson(['a'], 2, { variance: -1 })).toThrow(
      /variance must be a finite number >= 0, got -1/,
    );
  });
});
