import { describe, expect, it } from 'vitest';
import { csrFromCoo, type SparseRow } from '../../core/csr.js';
import { content, loadContent } from './content.js';
import { type ItemText, recommend, similar, type TrainingData } from './contract.js';
import { checkRecommender, twoTastes } from './recommender.conformance.js';

describe('content', () => {
  checkRecommender({
    create: () => content(),
    load: loadContent,
    personalized: true,
    similarItems: true,
  });
});

const scores = (
  model: { items: number; score(u: number | SparseRow, out: Float32Array): void },
  u: number | SparseRow,
) => {
  const out = new Float32Array(model.items);
  model.score(u, out);
  return out;
};

/** A small shop: teas, kettles and jumpers; item 6 is a brand-new tea nobody has touched. */
function shop(): TrainingData {
  const items: ItemText[] = [
    { title: 'Green sencha tea', category: 'Food > Tea', brand: 'Leafy', tags: ['organic'] },
    { title: 'Jasmine green tea', category: 'Food > Tea', brand: 'Leafy' },
    { title: 'Steel kettle', category: 'Home > Kitchen', brand: 'Forge', attributes: { material: 'steel' } },
    { title: 'Glass kettle', category: 'Home > Kitchen', brand: 'Forge', attributes: { material: 'glass' } },
    { title: 'Red wool jumper', category: 'Clothing > Knitwear', brand: 'Nordic' },
    { title: 'Blue wool jumper', category: 'Clothing > Knitwear', brand: 'Nordic' },
    { title: 'Organic green matcha tea', description: 'Stone-ground green tea', category: 'Food > Tea' },
    {},
  ];
  // user 0 drinks tea, user 1 boils water, user 2 knits; nobody touched items 6 and 7.
  const interactions = csrFromCoo(
    3,
    items.length,
    [0, 0, 1, 1, 2, 2],
    [0, 1, 2, 3, 4, 5],
    [3, 1, 2, 2, 1, 1],
  );
  return { interactions, items };
}

describe('content recommendations', () => {
  it('ranks a cold item with similar text above unrelated items', async () => {
    const model = await content().fit(shop());
    const s = scores(model, 0);
    expect(s[6]).toBeGreaterThan(0);
    for (const unrelated of [2, 3, 4, 5, 7]) expect(s[6]).toBeGreaterThan(s[unrelated]!);
    const top = recommend(model, 0, 1, (i) => i <= 1);
    expect(top.items[0]).toBe(6);
    // and a kettle lover is not offered it
    expect(scores(model, 1)[6]).toBe(0);
  });

  it('gives items without text a score of 0 (never NaN), even in a catalog without any text', async () => {
    const model = await content().fit(shop());
    expect(scores(model, 0)[7]).toBe(0);
    const sim = new Float32Array(model.items);
    model.similarItems(7, sim);
    expect([...sim].every((x) => x === 0)).toBe(true);
    const blank = await content().fit({ interactions: shop().interactions });
    expect([...scores(blank, 0)].every((x) => x === 0)).toBe(true);
    expect(blank.vocabulary).toEqual([]);
  });

  it('scores an unknown user from their row exactly as the training user with that row', async () => {
    const data = shop();
    const model = await content().fit(data);
    const row: SparseRow = { indices: Uint32Array.of(0, 1), values: Float32Array.of(3, 1) };
    expect(scores(model, row)).toEqual(scores(model, 0));
    // unknown indices and empty rows score nothing rather than failing
    expect([...scores(model, 99)].every((x) => x === 0)).toBe(true);
    const stray: SparseRow = { indices: Uint32Array.of(2, 500), values: Float32Array.of(1, 1) };
    expect(scores(model, stray)).toEqual(
      scores(model, { indices: Uint32Array.of(2), values: Float32Array.of(1) }),
    );
  });

  it('weights the profile by interaction strength', async () => {
    const model = await content().fit(shop());
    const teaHeavy: SparseRow = { indices: Uint32Array.of(0, 2), values: Float32Array.of(10, 1) };
    const kettleHeavy: SparseRow = { indices: Uint32Array.of(0, 2), values: Float32Array.of(1, 10) };
    expect(scores(model, teaHeavy)[1]).toBeGreaterThan(scores(model, teaHeavy)[3]!);
    expect(scores(model, kettleHeavy)[3]).toBeGreaterThan(scores(model, kettleHeavy)[1]!);
  });

  it('scores cosine similarity: 1 for identical text, 0 for nothing shared, symmetric', async () => {
    const data = shop();
    data.items = [...data.items!, { ...data.items![4]! }];
    data.interactions = csrFromCoo(1, 9, [0], [0], [1]);
    const model = await content().fit(data);
    const sim = (a: number) => {
      const out = new Float32Array(model.items);
      model.similarItems(a, out);
      return out;
    };
    expect(sim(4)[4]).toBeCloseTo(1, 6);
    expect(sim(4)[8]).toBeCloseTo(1, 6);
    expect(sim(4)[0]).toBe(0);
    for (const [a, b] of [
      [0, 6],
      [2, 3],
      [4, 5],
    ] as const) {
      expect(sim(a)[b]).toBeCloseTo(sim(b)[a]!, 6);
      expect(sim(a)[b]).toBeGreaterThan(0);
      expect(sim(a)[b]).toBeLessThan(1);
    }
    expect([...similar(model, 2, 1).items]).toEqual([3]);
  });

  it('decays old interactions when halfLifeDays is set', async () => {
    const data = shop();
    const day = 86_400_000;
    const now = Date.UTC(2025, 5, 1);
    // one user: the tea long ago, the kettle yesterday, equally strong
    data.interactions = csrFromCoo(1, 8, [0, 0], [0, 2], [1, 1]);
    data.lastSeen = Float64Array.of(now - 300 * day, now - day);
    data.now = now;
    const plain = await content().fit(data);
    const decayed = await content({ halfLifeDays: 30 }).fit(data);
    expect(scores(decayed, 0)[3]).toBeGreaterThan(scores(plain, 0)[3]!);
    expect(scores(decayed, 0)[1]).toBeLessThan(scores(plain, 0)[1]!);
    expect(scores(decayed, 0)[3]).toBeGreaterThan(scores(decayed, 0)[1]!);
    // without timestamps there is nothing to decay
    const undated = await content({ halfLifeDays: 30 }).fit({ ...data, lastSeen: undefined });
    expect(scores(undated, 0)).toEqual(scores(plain, 0));
  });

  it('embeds an item it was not fitted with in the fitted vocabulary', async () => {
    const data = shop();
    const model = await content().fit(data);
    // The text of item 0, embedded as if new: the same vector, so the same neighbors and scores.
    const vector = model.embed(data.items![0]!);
    const viaVector = new Float32Array(model.items);
    model.similarToVector(vector, viaVector);
    const viaItem = new Float32Array(model.items);
    model.similarItems(0, viaItem);
    for (let i = 0; i < model.items; i++) expect(viaVector[i]).toBeCloseTo(viaItem[i]!, 6);
    expect(model.affinity(0, vector)).toBeCloseTo(scores(model, 0)[0]!, 6);
    // A new tea ranks with the teas for the tea drinker; unknown words are ignored.
    const tea = model.embed({ title: 'Smoky green tea zzqx', category: 'Food > Tea' });
    expect(model.affinity(0, tea)).toBeGreaterThan(model.affinity(1, tea));
    expect(model.embed({ title: 'zzqx' }).indices.length).toBe(0);
  });

  it('explains a score with the terms behind it', async () => {
    const model = await content().fit(shop());
    const why = model.explain(0, 6, 3);
    expect(why.length).toBeGreaterThan(0);
    expect(why.map((w) => w.term)).toContain('tea');
    expect(why.every((w, i) => i === 0 || w.weight <= why[i - 1]!.weight)).toBe(true);
    const all = model.explain(0, 6, 100).reduce((s, w) => s + w.weight, 0);
    expect(all).toBeCloseTo(scores(model, 0)[6]!, 5);
    // explain leaves no trace in later scores
    expect(scores(model, 1)).toEqual(scores(await content().fit(shop()), 1));
  });
});

describe('content vocabulary and fields', () => {
  it('applies the vocabulary pruning params', async () => {
    const data = shop();
    const full = await content({ maxDfRatio: 1 }).fit(data);
    const capped = await content({ maxDfRatio: 1, maxFeatures: 5 }).fit(data);
    const common = await content({ minDf: 2, maxDfRatio: 1 }).fit(data);
    const noUbiquity = await content({ maxDfRatio: 0.4 }).fit(data);
    expect(capped.vocabulary).toHaveLength(5);
    expect(full.vocabulary.length).toBeGreaterThan(15);
    expect(common.vocabulary).toContain('tea');
    expect(common.vocabulary).not.toContain('sencha');
    expect(full.vocabulary).toContain('sencha');
    // "tea" and "cat:food" are in 3 of the 7 items with text: more than 40%
    expect(noUbiquity.vocabulary).not.toContain('tea');
    expect(noUbiquity.vocabulary).not.toContain('cat:food');
    expect(noUbiquity.vocabulary).toContain('kettle');
    // the 5 kept are the most frequent terms
    expect(capped.vocabulary).toEqual(expect.arrayContaining(['tea', 'cat:food', 'cat:food>tea', 'green']));
  });

  it('builds prefixed tokens for category levels, brand, attributes and tags', async () => {
    const model = await content({ maxDfRatio: 1 }).fit(shop());
    expect(model.vocabulary).toEqual(
      expect.arrayContaining([
        'cat:food',
        'cat:food>tea',
        'cat:home>kitchen',
        'brand:leafy',
        'attr:material=steel',
        'tag:organic',
        'organic',
        'kettle',
      ]),
    );
  });

  it('lets field weights shift the ranking', async () => {
    const items: ItemText[] = [
      { title: 'Kettle', brand: 'Forge' },
      { title: 'Kettle', brand: 'Acme' },
      { title: 'Teapot', brand: 'Forge' },
    ];
    const data = { interactions: csrFromCoo(1, 3, [0], [0], [1]), items };
    const byTitle = await content({ brandWeight: 0.2 }).fit(data);
    const byBrand = await content({ titleWeight: 0.2 }).fit(data);
    expect(scores(byTitle, 0)[1]).toBeGreaterThan(scores(byTitle, 0)[2]!);
    expect(scores(byBrand, 0)[2]).toBeGreaterThan(scores(byBrand, 0)[1]!);
  });

  it('is deterministic: the same data gives the same artifact', async () => {
    const a = (await content().fit(twoTastes())).toArtifact();
    const b = (await content().fit(twoTastes())).toArtifact();
    expect(b).toEqual(a);
    const loaded = loadContent(structuredClone(a));
    expect(loaded.vocabulary).toEqual(JSON.parse(String(a.meta.vocabulary)));
    expect(loaded.explain(0, 0)).toEqual((await content().fit(twoTastes())).explain(0, 0));
  });

  it('rejects bad params, foreign artifacts and a catalog larger than the matrix', async () => {
    expect(() => content({ minDf: 0 })).toThrow(/minDf/);
    expect(() => content({ maxDfRatio: 0 })).toThrow(/maxDfRatio/);
    expect(() => content({ maxFeatures: 1.5 })).toThrow(/maxFeatures/);
    expect(() => content({ titleWeight: -1 })).toThrow(/titleWeight/);
    expect(() => content({ stem: 'yes' as unknown as boolean })).toThrow(/stem/);
    const model = await content().fit(shop());
    expect(() => loadContent({ ...model.toArtifact(), name: 'popularity' })).toThrow(/popularity/);
    const data = shop();
    await expect(content().fit({ ...data, interactions: csrFromCoo(1, 3, [], [], []) })).rejects.toThrow(
      /catalog/,
    );
  });

  it('reports progress', async () => {
    const seen: number[] = [];
    await content().fit(shop(), { onProgress: ({ fraction }) => seen.push(fraction) });
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(1);
  });
});
