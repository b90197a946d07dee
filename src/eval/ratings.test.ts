import { describe, expect, it } from 'vitest';
import { row } from '../core/csr.js';
import { baseline } from '../models/recommend/baseline.js';
import { kfold, mae, predictRatings, type RatingTriplets, rmse, syntheticRatings } from './ratings.js';

const triplets = (n: number): RatingTriplets => ({
  user: Uint32Array.from({ length: n }, (_, k) => k % 7),
  item: Uint32Array.from({ length: n }, (_, k) => k),
  rating: Float32Array.from({ length: n }, (_, k) => 1 + (k % 5)),
  users: 7,
  items: n,
});

describe('kfold', () => {
  it('puts every rating in exactly one test fold, in sizes like scikit-learn, and trains on the rest', () => {
    const data = triplets(23);
    const folds = [...kfold(data, 5, 0)];
    expect(folds.map((f) => f.test.rating.length)).toEqual([5, 5, 5, 4, 4]);
    const tested = folds.flatMap((f) => [...f.test.item]).sort((a, b) => a - b);
    expect(tested).toEqual([...data.item]);
    for (const f of folds) {
      expect(f.train.rows).toBe(7);
      expect(f.train.cols).toBe(23);
      expect(f.train.indices.length).toBe(23 - f.test.rating.length);
      const inTest = new Set(f.test.item);
      for (let u = 0; u < 7; u++) {
        const r = row(f.train, u);
        r.indices.forEach((i, k) => {
          expect(inTest.has(i)).toBe(false);
          expect(r.values[k]).toBe(data.rating[i]);
          expect(data.user[i]).toBe(u);
        });
      }
      f.test.item.forEach((i, k) => {
        expect(f.test.user[k]).toBe(data.user[i]);
        expect(f.test.rating[k]).toBe(data.rating[i]);
      });
    }
  });

  it('shuffles by seed: same seed, same folds; another seed, other folds', () => {
    const data = triplets(50);
    const tests = (seed: number) => [...kfold(data, 5, seed)].map((f) => [...f.test.item]);
    expect(tests(1)).toEqual(tests(1));
    expect(tests(1)).not.toEqual(tests(2));
    expect(tests(1)[0]).not.toEqual([...Array(10).keys()]);
  });

  it('rejects impossible fold counts and misaligned arrays', () => {
    expect(() => kfold(triplets(3), 4, 0).next()).toThrow(/folds/);
    expect(() => kfold(triplets(3), 1, 0).next()).toThrow(/folds/);
    expect(() => kfold({ ...triplets(3), rating: new Float32Array(2) }, 2, 0).next()).toThrow(/length/);
  });
});

describe('rmse and mae', () => {
  it('score predictions against truths', () => {
    expect(rmse([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(rmse([2, 2], [0, 4])).toBe(2);
    expect(rmse([3, 0], [0, 4])).toBeCloseTo(Math.sqrt(12.5), 12);
    expect(mae([3, 0], [0, 4])).toBe(3.5);
    expect(() => rmse([1], [1, 2])).toThrow(/length/);
    expect(() => mae([], [])).toThrow(/no predictions/);
  });

  it("predict a model's ratings for a test fold", async () => {
    const fold = kfold(syntheticRatings({ users: 30, items: 20, ratings: 200, seed: 1 }), 4, 0).next().value!;
    const model = await baseline().fit({ interactions: fold.train, ratings: fold.train });
    const p = predictRatings(model, fold.test);
    expect(p).toHaveLength(fold.test.rating.length);
    expect(p[3]).toBe(Math.fround(model.predict!(fold.test.user[3]!, fold.test.item[3]!)));
  });
});

describe('syntheticRatings', () => {
  it('has the requested shape, distinct pairs, the minimum per user and an integer scale', () => {
    const d = syntheticRatings({ users: 60, items: 40, ratings: 900, minPerUser: 5, seed: 4 });
    expect(d.rating).toHaveLength(900);
    const pairs = new Set([...d.user].map((u, k) => u * 40 + d.item[k]!));
    expect(pairs.size).toBe(900);
    const perUser = new Array(60).fill(0);
    for (const u of d.user) perUser[u]++;
    expect(Math.min(...perUser)).toBeGreaterThanOrEqual(5);
    expect([...d.rating].every((r) => Number.isInteger(r) && r >= 1 && r <= 5)).toBe(true);
    expect(syntheticRatings({ users: 60, items: 40, ratings: 900, seed: 4 })).toEqual(
      syntheticRatings({ users: 60, items: 40, ratings: 900, seed: 4 }),
    );
    expect(() => syntheticRatings({ users: 2, items: 4, ratings: 5 })).toThrow(/cannot place/);
  });
});
