import { describe, expect, it } from 'vitest';
import { bpr, loadBpr } from './bpr.js';
import { checkRecommender, twoTastes } from './recommender.conformance.js';

describe('bpr', () => {
  checkRecommender({
    create: () => bpr({ factors: 8, iterations: 150, shards: 2, batch: 16 }),
    load: loadBpr,
    personalized: true,
    similarItems: true,
  });

  it('gives the same model whether the shards run in one thread or in several', async () => {
    const data = twoTastes();
    const serial = await bpr({ factors: 4, iterations: 5, shards: 2, batch: 8 }).fit(data);
    // A stand-in for the worker pool: runs each shard separately, in reverse order.
    const { trainShards } = await import('./bpr.js');
    const parallel = {
      threads: 2,
      async forRange(_name: string, n: number, args: Record<string, unknown>) {
        for (let b = n - 1; b >= 0; b--) trainShards(args, b, b + 1);
      },
    };
    const split = await bpr({ factors: 4, iterations: 5, shards: 2, batch: 8 }).fit(data, { parallel });
    expect(split.toArtifact().arrays.itemFactors).toEqual(serial.toArtifact().arrays.itemFactors);
  });
});
