import { describe, expect, it } from 'vitest';
import { content } from './content.js';
import { recommend } from './contract.js';
import { hybrid } from './hybrid.js';
import { itemKnn } from './item-knn.js';
import { popularity } from './popularity.js';
import { checkRecommender, twoTastes } from './recommender.conformance.js';
import { createRecommender, loadRecommender } from './registry.js';

describe('hybrid', () => {
  checkRecommender({
    create: () => hybrid([itemKnn(), popularity(), content()], { coldUserItems: 2 }),
    load: loadRecommender,
    personalized: true,
    similarItems: true,
  });

  it('switches users without history to the fallback component', async () => {
    const data = twoTastes();
    const model = await hybrid([itemKnn(), popularity()], { coldUserItems: 2 }).fit(data);
    const pop = await popularity().fit(data);
    const a = new Float32Array(11);
    const b = new Float32Array(11);
    const newcomer = { indices: Uint32Array.of(3), values: Float32Array.of(1) };
    model.score(newcomer, a);
    pop.score(newcomer, b);
    expect(a).toEqual(b);
  });

  it('lets the content fallback score items nobody interacted with', async () => {
    const data = twoTastes(); // item 10 (a lantern) has no interactions
    data.items = data.items!.map((it, i) =>
      i === 10 ? { ...it, title: 'red wool scarf', category: 'Clothing > Knitwear' } : it,
    );
    const model = await hybrid([itemKnn(), content()], { coldUserItems: 1 }).fit(data);
    const top = recommend(model, 0, 11, (i) => i >= 5 && i < 10);
    expect([...top.items]).toContain(10);
  });

  it('is built from the command line with components joined by "+"', () => {
    expect(createRecommender('hybrid', { components: 'ials+content', k: 10 }).name).toBe('hybrid');
    expect(() => createRecommender('hybrid', { components: 'ials+nope' })).toThrow(/unknown model "nope"/);
    expect(() => createRecommender('hybrid', { components: 'ials' })).toThrow(/at least two components/);
  });
});
