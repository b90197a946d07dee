import { describe, expect, it } from 'vitest';
import { csrFromCoo } from '../../core/csr.js';
import { recommend } from './contract.js';
import { loadPopularity, popularity } from './popularity.js';
import { checkRecommender, twoTastes } from './recommender.conformance.js';

describe('popularity (global)', () => {
  checkRecommender({
    create: () => popularity(),
    load: loadPopularity,
    personalized: false,
    similarItems: false,
  });

  it('ranks items by how many users touched them, or by total weight', async () => {
    const m = csrFromCoo(4, 3, [0, 1, 2, 0, 3], [0, 0, 0, 1, 1], [1, 1, 1, 9, 9]);
    const byUsers = await popularity().fit({ interactions: m });
    expect([...recommend(byUsers, 0, 3).items]).toEqual([0, 1, 2]);
    const byWeight = await popularity({ measure: 'weight' }).fit({ interactions: m });
    expect([...recommend(byWeight, 0, 3).items]).toEqual([1, 0, 2]);
  });

  it('rejects unknown parameters and values', () => {
    expect(() => popularity({ measure: 'clicks' as 'users' })).toThrow(/measure must be users or weight/);
    expect(() => popularity({ nope: 1 } as object)).toThrow(/unknown parameter "nope"/);
  });
});

describe('popularity (per category)', () => {
  checkRecommender({
    create: () => popularity({ scope: 'category' }),
    load: loadPopularity,
    personalized: true,
    similarItems: false,
  });

  it("puts the user's categories first, by popularity within them", async () => {
    const model = await popularity({ scope: 'category' }).fit(twoTastes());
    const top = recommend(model, 12, 5);
    expect([...top.items].every((i) => i >= 5 && i < 10)).toBe(true);
  });
});
