import { describe, expect, it } from 'vitest';
import { type Csr, csrFromCoo, row } from '../../core/csr.js';
import { Rng } from '../../core/rng.js';
import { kfold, predictRatings, rmse, syntheticRatings } from '../../eval/ratings.js';
import { baseline } from './baseline.js';
import { loadNmf, nmf } from './nmf.js';
import { checkRecommender, twoTastes } from './recommender.conformance.js';

const firstFold = () =>
  kfold(
    syntheticRatings({
      users: 150,
      items: 90,
      ratings: 4000,
      minPerUser: 8,
      rank: 3,
      factorVariance: 1,
      noiseSd: 0.3,
      seed: 5,
    }),
    5,
    1,
  ).next().value!;

describe('nmf', () => {
  describe('unbiased, defaults (conformance)', () => {
    checkRecommender({ create: () => nmf(), load: loadNmf, personalized: true, similarItems: false });
  });

  describe('biased (conformance)', () => {
    checkRecommender({
      create: () => nmf({ biased: true, nFactors: 4, seed: 3 }),
      load: loadNmf,
      personalized: true,
      similarItems: false,
    });
  });

  it("matches a direct transcription of Surprise's multiplicative updates", async () => {
    const fold = firstFold();
    const r = fold.train;
    const model = await nmf({ nFactors: 5, nEpochs: 10, seed: 9 }).fit({ interactions: r, ratings: r });
    const ref = surpriseNmf(r, 5, 10, 9);
    const { userCounts, itemCounts } = model.toArtifact().arrays;
    let compared = 0;
    for (let k = 0; k < fold.test.rating.length; k++) {
      const u = fold.test.user[k]!;
      const i = fold.test.item[k]!;
      if (userCounts![u] === 0 || itemCounts![i] === 0) continue;
      expect(model.predict!(u, i)).toBeCloseTo(ref(u, i), 4);
      compared++;
    }
    expect(compared).toBeGreaterThan(500);
  });

  it('keeps factors non-negative and beats the baseline on planted structure', async () => {
    const fold = firstFold();
    const data = { interactions: fold.train, ratings: fold.train };
    const model = await nmf().fit(data);
    const { pu, qi } = model.toArtifact().arrays;
    expect([...pu!, ...qi!].every((x) => x >= 0)).toBe(true);
    const base = rmse(predictRatings(await baseline().fit(data), fold.test), fold.test.rating);
    expect(rmse(predictRatings(model, fold.test), fold.test.rating)).toBeLessThan(base - 0.1);
  });

  it('folds in a new user with non-negative factors close to the trained ones', async () => {
    const fold = firstFold();
    const model = await nmf().fit({ interactions: fold.train, ratings: fold.train });
    const trained = new Float32Array(model.items);
    const folded = new Float32Array(model.items);
    for (const u of [0, 1, 2]) {
      model.score(u, trained);
      model.score(row(fold.train, u), folded);
      let worst = 0;
      for (let i = 0; i < model.items; i++) worst = Math.max(worst, Math.abs(trained[i]! - folded[i]!));
      expect(worst).toBeLessThan(0.5);
    }
  });

  it('predicts the global mean when the user or item is unknown (unbiased, as Surprise)', async () => {
    const r = csrFromCoo(3, 3, [0, 0, 1, 1], [0, 1, 0, 1], [5, 3, 4, 2]);
    const model = await nmf({ seed: 1 }).fit({ interactions: r, ratings: r });
    expect(model.predict!(0, 2)).toBe(3.5);
    expect(model.predict!(2, 0)).toBe(3.5);
    const s = new Float32Array(3);
    model.score(0, s);
    expect(s[2]).toBe(3.5);
  });

  it('reports progress per epoch, stops when cancelled, and rejects a negative init', async () => {
    const seen: number[] = [];
    await nmf({ nEpochs: 2 }).fit(twoTastes(), { onProgress: (p) => seen.push(p.fraction) });
    expect(seen).toEqual([0.5, 1]);
    const controller = new AbortController();
    const fit = nmf().fit(twoTastes(), { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(fit).rejects.toThrow();
    expect(() => nmf({ initLow: -0.1 })).toThrow(/initLow/);
  });
});

/** surprise/prediction_algorithms/matrix_factorization.pyx, NMF.sgd (unbiased), in plain doubles. */
function surpriseNmf(r: Csr, f: number, epochs: number, seed: number): (u: number, i: number) => number {
  const init = new Rng(seed).fork('init');
  const pu = Array.from({ length: r.rows * f }, () => init.uniform(0, 1));
  const qi = Array.from({ length: r.cols * f }, () => init.uniform(0, 1));
  const reg = 0.06;
  const itemCount = new Array(r.cols).fill(0);
  for (const i of r.indices) itemCount[i]++;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const userNum = new Array(r.rows * f).fill(0);
    const userDen = new Array(r.rows * f).fill(0);
    const itemNum = new Array(r.cols * f).fill(0);
    const itemDen = new Array(r.cols * f).fill(0);
    for (let u = 0; u < r.rows; u++) {
      for (let k = r.indptr[u]!; k < r.indptr[u + 1]!; k++) {
        const i = r.indices[k]!;
        const rating = r.values[k]!;
        let est = 0;
        for (let c = 0; c < f; c++) est += qi[i * f + c] * pu[u * f + c];
        for (let c = 0; c < f; c++) {
          userNum[u * f + c] += qi[i * f + c] * rating;
          userDen[u * f + c] += qi[i * f + c] * est;
          itemNum[i * f + c] += pu[u * f + c] * rating;
          itemDen[i * f + c] += pu[u * f + c] * est;
        }
      }
    }
    for (let u = 0; u < r.rows; u++) {
      const n = r.indptr[u + 1]! - r.indptr[u]!;
      if (n === 0) continue;
      for (let c = 0; c < f; c++) {
        userDen[u * f + c] += n * reg * pu[u * f + c];
        pu[u * f + c] *= userNum[u * f + c] / userDen[u * f + c];
      }
    }
    for (let i = 0; i < r.cols; i++) {
      if (itemCount[i] === 0) continue;
      for (let c = 0; c < f; c++) {
        itemDen[i * f + c] += itemCount[i] * reg * qi[i * f + c];
        qi[i * f + c] *= itemNum[i * f + c] / itemDen[i * f + c];
      }
    }
  }
  return (u, i) => {
    let est = 0;
    for (let c = 0; c < f; c++) est += qi[i * f + c] * pu[u * f + c];
    return Math.min(5, Math.max(1, est));
  };
}
