import { describe, expect, it } from 'vitest';
import { type AdjustedStatistic, pooledTheta } from './cuped.js';
import { effectMoments, withPooledTheta } from './effect.js';

/** CUPED behaviours the golden cases do not spell out: pooling, dropping, and what it buys. */

function adjusted(post: number[], pre: number[]): AdjustedStatistic {
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  return {
    kind: 'adjusted',
    n: post.length,
    post: { kind: 'mean', n: post.length, sum: sum(post), sumSquares: sum(post.map((x) => x * x)) },
    pre: { kind: 'mean', n: pre.length, sum: sum(pre), sumSquares: sum(pre.map((x) => x * x)) },
    sumProductPre: sum(post.map((x, i) => x * pre[i]!)),
    theta: null,
  };
}

const controlPre = [3, 8, 1, 9, 4, 6, 2, 7];
const controlPost = [4, 9, 2, 11, 4, 8, 3, 8];
const treatmentPre = [5, 2, 8, 3, 9, 1];
const treatmentPost = [7, 3, 10, 5, 11, 2];

describe('CUPED', () => {
  it('pools theta over the control and the treatment: the slope of post on pre over both arms', () => {
    const pre = [...controlPre, ...treatmentPre];
    const post = [...controlPost, ...treatmentPost];
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const [mx, my] = [mean(pre), mean(post)];
    const slope =
      pre.reduce((s, x, i) => s + (x - mx) * (post[i]! - my), 0) / pre.reduce((s, x) => s + (x - mx) ** 2, 0);
    expect(pooledTheta(adjusted(controlPost, controlPre), adjusted(treatmentPost, treatmentPre))).toBeCloseTo(
      slope,
      12,
    );
  });

  it('narrows the interval when the covariate predicts the outcome', () => {
    const a = adjusted(controlPost, controlPre);
    const b = adjusted(treatmentPost, treatmentPre);
    const withCuped = effectMoments(a, b, false);
    const without = effectMoments(a.post, b.post, false);
    if (!withCuped.ok || !without.ok) throw new Error('not estimable');
    expect(withCuped.se).toBeLessThan(without.se / 2);
  });

  it('drops the adjustment when the covariate does not vary, as gbstats', () => {
    const flat = [5, 5, 5, 5, 5, 5, 5, 5];
    const [a, b] = withPooledTheta(adjusted(controlPost, flat), adjusted(treatmentPost, flat.slice(0, 6)));
    expect(a.kind).toBe('mean');
    expect(b.kind).toBe('mean');
  });
});
