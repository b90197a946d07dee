import { describe, expect, it } from 'vitest';
import { csrFromCoo } from '../../core/csr.js';
import { recommend } from './contract.js';
import { checkRecommender } from './recommender.conformance.js';
import { loadUserKnn, userKnn } from './user-knn.js';

describe('userknn', () => {
  checkRecommender({
    create: () => userKnn({ k: 5 }),
    load: loadUserKnn,
    personalized: true,
    similarItems: false,
  });

  it('recommends what the nearest users have, weighted by similarity, and never uses the user as their own neighbor', async () => {
    // User 0 shares items 0,1 with user 1 (who also has 2) and item 0 with user 2 (who also has 3).
    const m = csrFromCoo(3, 4, [0, 0, 1, 1, 1, 2, 2], [0, 1, 0, 1, 2, 0, 3], [1, 1, 1, 1, 1, 1, 1]);
    const model = await userKnn({ k: 2, shrink: 0 }).fit({ interactions: m });
    expect([...recommend(model, 0, 2, (i) => i < 2).items]).toEqual([2, 3]);
    const out = new Float32Array(4);
    model.score(0, out);
    expect(out[2]).toBeCloseTo(2 / (Math.SQRT2 * Math.sqrt(3)), 6);
    expect(out[3]).toBeCloseTo(1 / (Math.SQRT2 * Math.SQRT2), 6);
  });
});
