import { describe, expect, it } from 'vitest';
import { csrFromCoo } from '../../core/csr.js';
import { recommend, similar } from './contract.js';
import { itemKnn, loadItemKnn } from './item-knn.js';
import { checkRecommender } from './recommender.conformance.js';

describe('itemknn', () => {
  checkRecommender({ create: () => itemKnn(), load: loadItemKnn, personalized: true, similarItems: true });
  describe('with bm25', () => {
    checkRecommender({
      create: () => itemKnn({ weighting: 'bm25' }),
      load: loadItemKnn,
      personalized: true,
      similarItems: true,
    });
  });
  describe('with tfidf', () => {
    checkRecommender({
      create: () => itemKnn({ weighting: 'tfidf' }),
      load: loadItemKnn,
      personalized: true,
      similarItems: true,
    });
  });

  it('computes cosine similarity with shrinkage', async () => {
    // Items 0 and 1 share users 0 and 1; item 2 shares only user 1 with item 0.
    const m = csrFromCoo(3, 3, [0, 0, 1, 1, 1, 2], [0, 1, 0, 1, 2, 2], [1, 1, 1, 1, 1, 1]);
    const model = await itemKnn({ shrink: 0 }).fit({ interactions: m });
    const out = new Float32Array(3);
    model.similarItems!(0, out);
    expect(out[1]).toBeCloseTo(2 / (Math.SQRT2 * Math.SQRT2), 6);
    expect(out[2]).toBeCloseTo(1 / (Math.SQRT2 * Math.SQRT2), 6);
    const shrunk = await itemKnn({ shrink: 2 }).fit({ interactions: m });
    shrunk.similarItems!(0, out);
    expect(out[1]).toBeCloseTo(2 / 4, 6);
  });

  it('keeps only the k nearest neighbors', async () => {
    const m = csrFromCoo(4, 4, [0, 0, 0, 0, 1, 1, 2], [0, 1, 2, 3, 0, 1, 0], [1, 1, 1, 1, 1, 1, 1]);
    const model = await itemKnn({ k: 1, shrink: 0 }).fit({ interactions: m });
    expect([...similar(model, 0, 5).items]).toEqual([1]);
    // A user who has item 0 is offered only what its single neighbor suggests.
    expect(
      [
        ...recommend(model, { indices: Uint32Array.of(0), values: Float32Array.of(1) }, 5, (i) => i === 0)
          .items,
      ][0],
    ).toBe(1);
  });
});
