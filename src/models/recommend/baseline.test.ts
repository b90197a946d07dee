import { describe, expect, it } from 'vitest';
import { csrFromCoo, row } from '../../core/csr.js';
import { kfold, predictRatings, rmse, syntheticRatings } from '../../eval/ratings.js';
import { alsBiases, baseline, loadBaseline } from './baseline.js';
import { checkRecommender, twoTastes } from './recommender.conformance.js';

/** A few ratings with an empty user (3) and an unrated item (4). */
const small = () =>
  csrFromCoo(5, 5, [0, 0, 0, 1, 1, 2, 2, 2, 4], [0, 1, 2, 0, 3, 1, 2, 3, 0], [5, 3, 4, 4, 1, 2, 5, 3, 1]);

describe('baseline', () => {
  checkRecommender({
    create: () => baseline(),
    load: loadBaseline,
    personalized: false,
    similarItems: false,
  });

  it("matches Surprise's baseline_als step by step", async () => {
    const r = small();
    const triplets: [number, number, number][] = [];
    for (let u = 0; u < r.rows; u++) {
      const x = row(r, u);
      x.indices.forEach((i, k) => {
        triplets.push([u, i, x.values[k]!]);
      });
    }
    const mu = triplets.reduce((s, t) => s + t[2], 0) / triplets.length;
    // A direct transcription of surprise/prediction_algorithms/optimize_baselines.pyx.
    const bu = new Array(5).fill(0);
    const bi = new Array(5).fill(0);
    for (let epoch = 0; epoch < 3; epoch++) {
      for (let i = 0; i < 5; i++) {
        const mine = triplets.filter((t) => t[1] === i);
        bi[i] = mine.reduce((s, [u, , v]) => s + v - mu - bu[u], 0) / (10 + mine.length);
      }
      for (let u = 0; u < 5; u++) {
        const mine = triplets.filter((t) => t[0] === u);
        bu[u] = mine.reduce((s, [, i, v]) => s + v - mu - bi[i], 0) / (15 + mine.length);
      }
    }
    const fitted = alsBiases(r, mu, 3, 15, 10);
    for (let u = 0; u < 5; u++) expect(fitted.bu[u]).toBeCloseTo(bu[u], 12);
    for (let i = 0; i < 5; i++) expect(fitted.bi[i]).toBeCloseTo(bi[i], 12);

    const model = await baseline({ nEpochs: 3 }).fit({ interactions: r, ratings: r });
    expect(model.predict!(0, 1)).toBeCloseTo(mu + bu[0] + bi[1], 6);
    // Unknown user (no ratings) and unknown item fall back to the known terms.
    expect(model.predict!(3, 1)).toBeCloseTo(mu + bi[1], 6);
    expect(model.predict!(0, 4)).toBeCloseTo(mu + bu[0], 6);
    expect(model.predict!(99, 99)).toBeCloseTo(mu, 6);
  });

  it('clips predictions to the scale seen in training, but not scores', async () => {
    // User 0 rates the unpopular item 1 high (a generous user); item 0 is loved by everyone else.
    const r = csrFromCoo(3, 2, [0, 1, 1, 2, 2], [1, 1, 0, 1, 0], [5, 1, 5, 1, 5]);
    const model = await baseline({ regU: 0, regI: 0, nEpochs: 1 }).fit({ interactions: r, ratings: r });
    const s = new Float32Array(2);
    model.score(0, s);
    expect(s[0]).toBeCloseTo(3.4 + (5 - 3.4 + 3.2 / 3) + 1.6, 5);
    expect(model.predict!(0, 0)).toBe(5);
    model.score(1, s);
    expect(model.predict!(1, 1)).toBeCloseTo(Math.max(1, s[1]!), 5);
  });

  it("folds in a new user exactly like the last ALS step, so a training user's own row gives their scores", async () => {
    const data = twoTastes();
    const model = await baseline().fit(data);
    for (const u of [0, 13]) {
      const known = new Float32Array(11);
      const folded = new Float32Array(11);
      model.score(u, known);
      model.score(row(data.ratings!, u), folded);
      for (let i = 0; i < 11; i++) expect(folded[i]).toBeCloseTo(known[i]!, 5);
    }
  });

  it('beats the global mean on held-out planted ratings', async () => {
    const data = syntheticRatings({ users: 120, items: 80, ratings: 3000, minPerUser: 5, seed: 3 });
    const fold = kfold(data, 5, 1).next().value!;
    const model = await baseline().fit({ interactions: fold.train, ratings: fold.train });
    let mean = 0;
    for (const v of fold.train.values) mean += v / fold.train.values.length;
    const flat = rmse(new Float32Array(fold.test.rating.length).fill(mean), fold.test.rating);
    expect(rmse(predictRatings(model, fold.test), fold.test.rating)).toBeLessThan(flat - 0.05);
  });

  it('reports progress per epoch and stops when cancelled mid-fit', async () => {
    const data = twoTastes();
    const seen: number[] = [];
    await baseline({ nEpochs: 4 }).fit(data, { onProgress: (p) => seen.push(p.fraction) });
    expect(seen).toEqual([0.25, 0.5, 0.75, 1]);
    const controller = new AbortController();
    const fit = baseline({ nEpochs: 4 }).fit(data, {
      signal: controller.signal,
      onProgress: () => controller.abort(new Error('stop')),
    });
    await expect(fit).rejects.toThrow('stop');
  });

  it('needs ratings and valid parameters', async () => {
    const data = twoTastes();
    await expect(baseline().fit({ interactions: data.interactions })).rejects.toThrow(/data\.ratings/);
    expect(() => baseline({ regU: -1 })).toThrow(/regU/);
    expect(() => baseline({ nEpochs: 1.5 })).toThrow(/nEpochs/);
    expect(() => baseline({ reg: 1 } as object)).toThrow(/unknown parameter "reg"/);
    const model = await baseline().fit(data);
    expect(() => loadBaseline({ ...model.toArtifact(), name: 'svd' })).toThrow(/baseline artifact/);
  });
});
