import { describe, expect, it } from 'vitest';
import { type Csr, csrFromCoo, row } from '../../core/csr.js';
import { Rng } from '../../core/rng.js';
import { kfold, predictRatings, rmse, syntheticRatings } from '../../eval/ratings.js';
import { baseline } from './baseline.js';
import { checkRecommender, twoTastes } from './recommender.conformance.js';
import { loadSvd, RatingOrder, svd } from './svd.js';

/** Strong planted structure, so a factor model has something to find that biases cannot. */
const planted = (seed = 5) =>
  syntheticRatings({
    users: 150,
    items: 90,
    ratings: 4000,
    minPerUser: 8,
    rank: 3,
    factorVariance: 1,
    noiseSd: 0.3,
    seed,
  });

const firstFold = (seed = 5) => kfold(planted(seed), 5, 1).next().value!;

const correlation = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let k = 0; k < n; k++) {
    ma += a[k]! / n;
    mb += b[k]! / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let k = 0; k < n; k++) {
    sab += (a[k]! - ma) * (b[k]! - mb);
    saa += (a[k]! - ma) ** 2;
    sbb += (b[k]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
};

describe('svd', () => {
  const tuned = { nFactors: 4, nEpochs: 200, lrAll: 0.03, seed: 7 };

  describe('biased (conformance)', () => {
    checkRecommender({ create: () => svd(tuned), load: loadSvd, personalized: true, similarItems: false });
  });

  describe('unbiased, order fixed once per fit (conformance)', () => {
    checkRecommender({
      create: () => svd({ ...tuned, biased: false, reshuffle: false }),
      load: loadSvd,
      personalized: true,
      similarItems: false,
    });
  });

  it("matches a direct transcription of Surprise's SGD loop (same init, same order)", async () => {
    const fold = firstFold();
    const r = fold.train;
    const p = { nFactors: 5, nEpochs: 3, seed: 11 };
    const model = await svd(p).fit({ interactions: r, ratings: r });
    const ref = surpriseSvd(r, p.nFactors, p.nEpochs, p.seed);
    const counts = model.toArtifact().arrays;
    for (let k = 0; k < 300; k++) {
      const u = fold.test.user[k]!;
      const i = fold.test.item[k]!;
      if (counts.userCounts![u] === 0 || counts.itemCounts![i] === 0) continue;
      expect(model.predict!(u, i)).toBeCloseTo(ref(u, i), 4);
    }
  });

  it('finds planted structure that biases alone cannot', async () => {
    const fold = firstFold();
    const data = { interactions: fold.train, ratings: fold.train };
    const base = await baseline().fit(data);
    const model = await svd({ nFactors: 10, nEpochs: 60, lrAll: 0.01 }).fit(data);
    const baseRmse = rmse(predictRatings(base, fold.test), fold.test.rating);
    const svdRmse = rmse(predictRatings(model, fold.test), fold.test.rating);
    expect(svdRmse).toBeLessThan(baseRmse - 0.1);
  });

  it('folds in a new user close to what training learned for them', async () => {
    const fold = firstFold();
    const data = { interactions: fold.train, ratings: fold.train };
    const model = await svd({ nFactors: 10, nEpochs: 60, lrAll: 0.01 }).fit(data);
    const trained = new Float32Array(model.items);
    const folded = new Float32Array(model.items);
    for (const u of [0, 1, 2, 3]) {
      model.score(u, trained);
      model.score(row(fold.train, u), folded);
      expect(correlation(trained, folded)).toBeGreaterThan(0.9);
    }
  });

  it('falls back like Surprise for users and items it never saw', async () => {
    // Item 2 and user 2 have no ratings.
    const r = csrFromCoo(3, 3, [0, 0, 1, 1], [0, 1, 0, 1], [5, 3, 4, 2]);
    const biased = await svd({ nFactors: 3, seed: 1 }).fit({ interactions: r, ratings: r });
    const a = biased.toArtifact();
    const mu = 3.5;
    const bu = a.arrays.bu!;
    const bi = a.arrays.bi!;
    expect(biased.predict!(0, 2)).toBeCloseTo(mu + bu[0]!, 5);
    expect(biased.predict!(2, 0)).toBeCloseTo(mu + bi[0]!, 5);
    expect(biased.predict!(2, 2)).toBeCloseTo(mu, 5);
    const s = new Float32Array(3);
    biased.score(0, s);
    expect(s[2]).toBeCloseTo(mu + bu[0]!, 5);
    const plain = await svd({ nFactors: 3, seed: 1, biased: false }).fit({ interactions: r, ratings: r });
    expect(plain.predict!(0, 2)).toBeCloseTo(mu, 5);
    expect(plain.predict!(2, 0)).toBeCloseTo(mu, 5);
    plain.score(2, s);
    expect([...s]).toEqual([mu, mu, mu]);
  });

  it('is reproducible by seed, and its order options differ', async () => {
    const data = twoTastes();
    const arrays = async (p: object) => (await svd({ nFactors: 4, ...p }).fit(data)).toArtifact().arrays;
    expect(await arrays({ seed: 3 })).toEqual(await arrays({ seed: 3 }));
    expect((await arrays({ seed: 3 })).qi).not.toEqual((await arrays({ seed: 4 })).qi);
    expect((await arrays({ seed: 3 })).qi).not.toEqual((await arrays({ seed: 3, reshuffle: false })).qi);
  });

  it('reports progress per epoch and stops when cancelled mid-fit', async () => {
    const seen: string[] = [];
    await svd({ nEpochs: 3 }).fit(twoTastes(), { onProgress: (p) => seen.push(p.message) });
    expect(seen).toEqual(['svd epoch 1/3', 'svd epoch 2/3', 'svd epoch 3/3']);
    const controller = new AbortController();
    const fit = svd({ nEpochs: 50 }).fit(twoTastes(), {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(fit).rejects.toThrow();
  });

  it('rejects bad parameters', () => {
    expect(() => svd({ nFactors: 0 })).toThrow(/nFactors/);
    expect(() => svd({ lrAll: '0.1' as unknown as number })).toThrow(/lrAll/);
  });
});

/**
 * surprise/prediction_algorithms/matrix_factorization.pyx, SVD.sgd, in plain doubles, visiting
 * the ratings in the order our model uses (users, then each user's ratings, reshuffled per epoch).
 */
function surpriseSvd(r: Csr, f: number, epochs: number, seed: number): (u: number, i: number) => number {
  const rng = new Rng(seed);
  const init = rng.fork('init');
  const pu = Array.from({ length: r.rows * f }, () => init.normal(0, 0.1));
  const qi = Array.from({ length: r.cols * f }, () => init.normal(0, 0.1));
  const bu = new Array(r.rows).fill(0);
  const bi = new Array(r.cols).fill(0);
  let mu = 0;
  for (const v of r.values) mu += v / r.values.length;
  const order = new RatingOrder(r);
  const orderRng = rng.fork('order');
  const lr = 0.005;
  const reg = 0.02;
  for (let epoch = 0; epoch < epochs; epoch++) {
    order.shuffle(orderRng);
    for (const u of order.users) {
      for (let k = r.indptr[u]!; k < r.indptr[u + 1]!; k++) {
        const e = order.entries[k]!;
        const i = r.indices[e]!;
        let dot = 0;
        for (let c = 0; c < f; c++) dot += qi[i * f + c] * pu[u * f + c];
        const err = r.values[e]! - (mu + bu[u] + bi[i] + dot);
        bu[u] += lr * (err - reg * bu[u]);
        bi[i] += lr * (err - reg * bi[i]);
        for (let c = 0; c < f; c++) {
          const puf = pu[u * f + c];
          const qif = qi[i * f + c];
          pu[u * f + c] += lr * (err * qif - reg * puf);
          qi[i * f + c] += lr * (err * puf - reg * qif);
        }
      }
    }
  }
  return (u, i) => {
    let dot = 0;
    for (let c = 0; c < f; c++) dot += qi[i * f + c] * pu[u * f + c];
    return Math.min(5, Math.max(1, mu + bu[u] + bi[i] + dot));
  };
}
