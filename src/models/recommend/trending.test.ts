import { describe, expect, it } from 'vitest';
import { csrFromCoo } from '../../core/csr.js';
import { recommend } from './contract.js';
import { checkRecommender } from './recommender.conformance.js';
import { latest, loadFixedList, trending } from './trending.js';

const DAY = 86_400_000;

describe('trending', () => {
  checkRecommender({
    create: () => trending(),
    load: loadFixedList,
    personalized: false,
    similarItems: false,
  });

  it('favors recent interactions and ignores those outside the window', async () => {
    const now = Date.UTC(2025, 5, 30);
    // Item 0: three interactions 20 days ago; item 1: two today; item 2: ten, 60 days ago.
    const m = csrFromCoo(
      15,
      3,
      [0, 1, 2, 3, 4, ...Array.from({ length: 10 }, (_, i) => 5 + i)],
      [0, 0, 0, 1, 1, ...new Array(10).fill(2)],
      new Array(15).fill(1),
    );
    const lastSeen = Float64Array.from([
      now - 20 * DAY,
      now - 20 * DAY,
      now - 20 * DAY,
      now,
      now,
      ...new Array(10).fill(now - 60 * DAY),
    ]);
    const model = await trending({ halfLifeDays: 7 }).fit({ interactions: m, lastSeen, now });
    expect([...recommend(model, 0, 2).items]).toEqual([1, 0]);
    const out = new Float32Array(3);
    model.score(0, out);
    expect(out[0]).toBeCloseTo(3 * 2 ** (-20 / 7), 5);
    expect(out[2]).toBe(0);
    await expect(trending().fit({ interactions: m })).rejects.toThrow(/lastSeen/);
  });
});

describe('latest', () => {
  checkRecommender({ create: () => latest(), load: loadFixedList, personalized: false, similarItems: false });

  it('puts the newest catalog items first, items nobody touched included, and never undated ones', async () => {
    const m = csrFromCoo(1, 3, [0], [0], [1]);
    const items = [{ createdAt: Date.UTC(2025, 0, 1) }, {}, { createdAt: Date.UTC(2025, 2, 1) }];
    const model = await latest().fit({ interactions: m, items });
    expect([...recommend(model, 0, 3).items]).toEqual([2, 0]);
  });
});
