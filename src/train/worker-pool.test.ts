import { afterAll, describe, expect, it } from 'vitest';
import { bpr } from '../models/recommend/bpr.js';
import { ials } from '../models/recommend/ials.js';
import { itemKnn } from '../models/recommend/item-knn.js';
import { twoTastes } from '../models/recommend/recommender.conformance.js';
import { WorkerPool } from './worker-pool.js';

const pool = WorkerPool.create(2);
afterAll(() => pool.close());

describe('WorkerPool', () => {
  it('runs iALS, BPR and item-kNN on worker threads with the same result as one thread', async () => {
    const data = twoTastes();
    for (const estimator of [
      ials({ factors: 4, iterations: 3 }),
      bpr({ factors: 4, iterations: 3, batch: 8 }),
      itemKnn({ k: 3 }),
    ]) {
      const alone = (await estimator.fit(data)).toArtifact();
      const together = (await estimator.fit(data, { parallel: pool })).toArtifact();
      expect(together.arrays).toEqual(alone.arrays);
    }
  });

  it('reports a failing kernel as a rejected promise', async () => {
    await expect(pool.forRange('no-such-kernel', 4, {})).rejects.toThrow(/unknown kernel "no-such-kernel"/);
  });
});
