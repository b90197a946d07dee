import { describe, expect, it } from 'vitest';
import { type Csr, csrFromCoo, row } from '../../core/csr.js';
import { Rng } from '../../core/rng.js';
import { kfold, predictRatings, rmse, syntheticRatings } from '../../eval/ratings.js';
import { baseline } from './baseline.js';
import { checkRecommender, twoTastes } from './recommender.conformance.js';
import { RatingOrder } from './svd.js';
import { loadSvdpp, svdpp } from './svdpp.js';

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

describe('svdpp', () => {
  const tuned = { nFactors: 4, nEpochs: 200, lrAll: 0.03, seed: 7 };

  checkRecommender({ create: () => svdpp(tuned), load: loadSvdpp, personalized: true, similarItems: false });

  it("matches Surprise's per-rating loop (which touches every y_j for every rating)", async () => {
    const fold = firstFold();
    const r = fold.train;
    const p = { nFactors: 4, nEpochs: 3, seed: 11, lrAll: 0.05 };
    const model = await svdpp(p).fit({ interactions: r, ratings: r });
    const ref = surpriseSvdpp(r, p.nFactors, p.nEpochs, p.seed, p.lrAll);
    const arrays = model.toArtifact().arrays;
    let compared = 0;
    for (let k = 0; k < fold.test.rating.length; k++) {
      const u = fold.test.user[k]!;
      const i = fold.test.item[k]!;
      if (arrays.userCounts![u] === 0 || arrays.itemCounts![i] === 0) continue;
      expect(model.predict!(u, i)).toBeCloseTo(ref(u, i), 4);
      compared++;
    }
    expect(compared).toBeGreaterThan(500);
  });

  it('finds planted structure that biases alone cannot', async () => {
    const fold = firstFold();
    const data = { interactions: fold.train, ratings: fold.train };
    const base = rmse(predictRatings(await baseline().fit(data), fold.test), fold.test.rating);
    const mine = rmse(predictRatings(await svdpp({ nEpochs: 60 }).fit(data), fold.test), fold.test.rating);
    expect(mine).toBeLessThan(base - 0.1);
  });

  it("folds in a new user from their ratings (implicit term included), close to a training user's scores", async () => {
    const fold = firstFold();
    const model = await svdpp({ nEpochs: 60 }).fit({ interactions: fold.train, ratings: fold.train });
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

  it('gives users and items without ratings the known biases only', async () => {
    const r = csrFromCoo(3, 3, [0, 0, 1, 1], [0, 1, 0, 1], [5, 3, 4, 2]);
    const model = await svdpp({ seed: 1 }).fit({ interactions: r, ratings: r });
    const { bu, bi } = model.toArtifact().arrays;
    expect(model.predict!(0, 2)).toBeCloseTo(3.5 + bu![0]!, 5);
    expect(model.predict!(2, 1)).toBeCloseTo(3.5 + bi![1]!, 5);
    const s = new Float32Array(3);
    model.score({ indices: Uint32Array.of(2), values: Float32Array.of(4) }, s);
    expect(s[0]).toBeCloseTo(3.5 + bi![0]!, 5); // the only rated item is unknown: nothing to fold in
  });

  it('reports progress per epoch and stops when cancelled mid-fit', async () => {
    const seen: number[] = [];
    await svdpp({ nEpochs: 2 }).fit(twoTastes(), { onProgress: (p) => seen.push(p.fraction) });
    expect(seen).toEqual([0.5, 1]);
    const controller = new AbortController();
    const fit = svdpp().fit(twoTastes(), { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(fit).rejects.toThrow();
  });
});

/**
 * surprise/prediction_algorithms/matrix_factorization.pyx, SVDpp.sgd, in plain doubles: the implicit
 * sum recomputed and every y_j of I_u updated for every rating. Same init and visiting order as ours.
 */
function surpriseSvdpp(
  r: Csr,
  f: number,
  epochs: number,
  seed: number,
  lr: number,
): (u: number, i: number) => number {
  const rng = new Rng(seed);
  const init = rng.fork('init');
  const pu = Array.from({ length: r.rows * f }, () => init.normal(0, 0.1));
  const qi = Array.from({ length: r.cols * f }, () => init.normal(0, 0.1));
  const yj = Array.from({ length: r.cols * f }, () => init.normal(0, 0.1));
  const bu = new Array(r.rows).fill(0);
  const bi = new Array(r.cols).fill(0);
  let mu = 0;
  for (const v of r.values) mu += v / r.values.length;
  const order = new RatingOrder(r);
  const orderRng = rng.fork('order');
  const reg = 0.02;
  const implicit = (u: number) => {
    const Iu = [...row(r, u).indices];
    const sqrtIu = Math.sqrt(Iu.length);
    const imp = new Array(f).fill(0);
    for (const j of Iu) for (let c = 0; c < f; c++) imp[c] += yj[j * f + c] / sqrtIu;
    return { Iu, sqrtIu, imp };
  };
  for (let epoch = 0; epoch < epochs; epoch++) {
    order.shuffle(orderRng);
    for (const u of order.users) {
      for (let k = r.indptr[u]!; k < r.indptr[u + 1]!; k++) {
        const e = order.entries[k]!;
        const i = r.indices[e]!;
        const { Iu, sqrtIu, imp } = implicit(u);
        let dot = 0;
        for (let c = 0; c < f; c++) dot += qi[i * f + c] * (pu[u * f + c] + imp[c]);
        const err = r.values[e]! - (mu + bu[u] + bi[i] + dot);
        bu[u] += lr * (err - reg * bu[u]);
        bi[i] += lr * (err - reg * bi[i]);
        for (let c = 0; c < f; c++) {
          const puf = pu[u * f + c];
          const qif = qi[i * f + c];
          pu[u * f + c] += lr * (err * qif - reg * puf);
          qi[i * f + c] += lr * (err * (puf + imp[c]) - reg * qif);
          for (const j of Iu) yj[j * f + c] += lr * ((err * qif) / sqrtIu - reg * yj[j * f + c]);
        }
      }
    }
  }
  return (u, i) => {
    const { imp } = implicit(u);
    let dot = 0;
    for (let c = 0; c < f; c++) dot += qi[i * f + c] * (pu[u * f + c] + imp[c]);
    return Math.min(5, Math.max(1, mu + bu[u] + bi[i] + dot));
  };
}
