import { describe, expect, it } from 'vitest';
import { normalCdf } from '../../stats/distributions.js';
import { checkPolicy } from './bandit.conformance.js';
import { probabilities, reward } from './bandit.js';
import { gaussianPosterior, thompsonGaussian } from './thompson-gaussian.js';

describe('thompson-gaussian', () => {
  checkPolicy({ create: (arms, common) => thompsonGaussian(arms, { variance: 0.25, ...common }) });

  it('has the documented posterior with an estimated variance', () => {
    let s = thompsonGaussian(['a', 'b'], { priorMean: 10, priorWeight: 2, variance: 4, varianceWeight: 3 });
    for (const v of [12, 14, 19]) s = reward(s, 'a', v);
    const { mean, sd } = gaussianPosterior(s);
    // n = 3, mean 15, SS = 9 + 1 + 16 = 26; sigma² = (3 * 4 + 26) / (3 + 2) = 7.6; posterior n = 5.
    expect(mean[0]).toBeCloseTo((2 * 10 + 45) / 5, 12);
    expect(sd[0]).toBeCloseTo(Math.sqrt(7.6 / 5), 12);
    // No data: the prior, with the prior variance guess.
    expect(mean[1]).toBe(10);
    expect(sd[1]).toBeCloseTo(Math.sqrt(4 / 2), 12);
    const p = probabilities(s);
    expect(p[0]).toBeCloseTo(normalCdf((13 - 10) / Math.hypot(Math.sqrt(7.6 / 5), Math.sqrt(2))), 9);
  });

  it('uses the known variance when asked to', () => {
    let s = thompsonGaussian(['a', 'b'], { variance: 9, estimateVariance: false, priorWeight: 1 });
    for (const v of [100, 110]) s = reward(s, 'a', v);
    for (const v of [95, 96, 97]) s = reward(s, 'b', v);
    const { mean, sd } = gaussianPosterior(s);
    expect(mean).toEqual([210 / 3, 288 / 4].map((x) => expect.closeTo(x, 12)));
    expect(sd).toEqual([Math.sqrt(9 / 3), Math.sqrt(9 / 4)].map((x) => expect.closeTo(x, 12)));
  });

  it('keeps revenue-sized sums accurate (Welford)', () => {
    let s = thompsonGaussian(['a']);
    for (let i = 0; i < 1000; i++) s = reward(s, 'a', 1e9 + (i % 2));
    expect(s.means[0]).toBeCloseTo(1e9 + 0.5, 6);
    expect(s.m2[0]).toBeCloseTo(250, 6);
  });

  it('refuses impossible priors, naming them', () => {
    expect(() => thompsonGaussian(['a'], { priorWeight: 0 })).toThrow(
      /priorWeight must be a finite number > 0, got 0/,
    );
    expect(() => thompsonGaussian(['a'], { variance: -1 })).toThrow(
      /variance must be a finite number > 0, got -1/,
    );
    expect(() => thompsonGaussian(['a'], { estimateVariance: 'yes' as never })).toThrow(
      /parameter "estimateVariance" must be a boolean/,
    );
  });
});
