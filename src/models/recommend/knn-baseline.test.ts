import { describe, expect, it } from 'vitest';
import { type Csr, csrFromCoo, row, transpose } from '../../core/csr.js';
import { kfold, predictRatings, rmse, syntheticRatings } from '../../eval/ratings.js';
import { alsBiases, baseline } from './baseline.js';
import { type KnnSimilarity, knnBaseline, loadKnnBaseline } from './knn-baseline.js';
import { checkRecommender, twoTastes } from './recommender.conformance.js';

const small = () => syntheticRatings({ users: 40, items: 30, ratings: 500, minPerUser: 5, seed: 2 });
const asCsr = (d: ReturnType<typeof small>) => csrFromCoo(d.users, d.items, d.user, d.item, d.rating);

describe('knnbaseline', () => {
  describe('user-based, pearson_baseline (conformance)', () => {
    checkRecommender({
      create: () => knnBaseline(),
      load: loadKnnBaseline,
      personalized: true,
      similarItems: false,
    });
  });

  describe('user-based, msd (conformance)', () => {
    checkRecommender({
      create: () => knnBaseline({ similarity: 'msd' }),
      load: loadKnnBaseline,
      personalized: true,
      similarItems: false,
    });
  });

  describe('item-based (conformance)', () => {
    checkRecommender({
      create: () => knnBaseline({ userBased: false }),
      load: loadKnnBaseline,
      personalized: true,
      similarItems: true,
    });
  });

  for (const similarity of ['pearson_baseline', 'msd', 'cosine', 'pearson'] as KnnSimilarity[]) {
    for (const userBased of [true, false]) {
      it(`computes Surprise's ${similarity} similarities (${userBased ? 'users' : 'items'})`, async () => {
        const r = asCsr(small());
        const model = await knnBaseline({ similarity, userBased, minSupport: 2 }).fit({
          interactions: r,
          ratings: r,
        });
        const sim = model.toArtifact().arrays.sim!;
        const ref = surpriseSimilarities(r, similarity, userBased, 2, 100);
        expect(sim.length).toBe(ref.length);
        for (let k = 0; k < ref.length; k++) expect(sim[k]).toBeCloseTo(ref[k]!, 5);
      });
    }
  }

  for (const [similarity, userBased, k] of [
    ['pearson_baseline', true, 5],
    ['pearson_baseline', false, 5],
    // msd on integer ratings ties a lot: the k-th place must go to the first in line, as a stable sort.
    ['msd', true, 3],
    ['msd', false, 2],
  ] as const) {
    it(`predicts as Surprise's KNNBaseline.estimate (${similarity}, ${userBased ? 'user' : 'item'}-based, k=${k})`, async () => {
      const data = small();
      const fold = kfold(data, 5, 3).next().value!;
      const r = fold.train;
      const model = await knnBaseline({ similarity, userBased, k }).fit({ interactions: r, ratings: r });
      const ref = surpriseEstimate(r, similarity, userBased, k, 1);
      for (let t = 0; t < fold.test.rating.length; t++) {
        const u = fold.test.user[t]!;
        const i = fold.test.item[t]!;
        expect(model.predict!(u, i)).toBeCloseTo(Math.min(5, Math.max(1, ref(u, i))), 4);
      }
    });
  }

  it('beats the baseline on planted structure', async () => {
    const d = syntheticRatings({
      users: 150,
      items: 90,
      ratings: 4000,
      minPerUser: 8,
      rank: 3,
      factorVariance: 1,
      noiseSd: 0.3,
      seed: 5,
    });
    const fold = kfold(d, 5, 1).next().value!;
    const data = { interactions: fold.train, ratings: fold.train };
    const base = rmse(predictRatings(await baseline().fit(data), fold.test), fold.test.rating);
    const knn = rmse(predictRatings(await knnBaseline().fit(data), fold.test), fold.test.rating);
    expect(knn).toBeLessThan(base - 0.1);
  });

  it("item-based: a training user's own ratings, folded in, give exactly their scores", async () => {
    const r = asCsr(small());
    const model = await knnBaseline({ userBased: false }).fit({ interactions: r, ratings: r });
    const a = new Float32Array(model.items);
    const b = new Float32Array(model.items);
    for (const u of [0, 5, 17]) {
      model.score(u, a);
      model.score(row(r, u), b);
      for (let i = 0; i < model.items; i++) expect(b[i]).toBeCloseTo(a[i]!, 5);
    }
  });

  it('offers similar items only when item-based, and falls back to the baseline below minK', async () => {
    const data = twoTastes();
    expect((await knnBaseline().fit(data)).similarItems).toBeUndefined();
    const items = await knnBaseline({ userBased: false }).fit(data);
    const s = new Float32Array(11);
    items.similarItems!(2, s);
    expect(s[2]).toBe(1);
    const strict = await knnBaseline({ minK: 1000 }).fit(data);
    const base = await baseline().fit(data);
    for (const [u, i] of [
      [0, 0],
      [12, 3],
    ] as const)
      expect(strict.predict!(u, i)).toBeCloseTo(base.predict!(u, i), 5);
  });

  it('refuses a dense similarity matrix that cannot fit, and bad parameters', async () => {
    const r = csrFromCoo(20_001, 2, [0], [0], [4]);
    await expect(knnBaseline().fit({ interactions: r, ratings: r })).rejects.toThrow(/similarity matrix/);
    expect(() => knnBaseline({ similarity: 'jaccard' as KnnSimilarity })).toThrow(/similarity must be/);
    expect(() => knnBaseline({ k: 0 })).toThrow(/k must be/);
  });
});

/** surprise/similarities.pyx, pair by pair over explicit common-rating lists. */
function surpriseSimilarities(
  r: Csr,
  name: KnnSimilarity,
  userBased: boolean,
  minSupport: number,
  shrinkage: number,
): Float64Array {
  const xr = userBased ? r : transpose(r);
  const n = xr.rows;
  let mu = 0;
  for (const v of r.values) mu += v / r.values.length;
  const { bu, bi } = alsBiases(r, mu, 10, 15, 10);
  const bx = userBased ? bu : bi;
  const by = userBased ? bi : bu;
  const sim = new Float64Array(n * n);
  const ratingsOf = (x: number) => new Map([...row(xr, x).indices].map((y, k) => [y, row(xr, x).values[k]!]));
  for (let a = 0; a < n; a++) {
    sim[a * n + a] = 1;
    const ra = ratingsOf(a);
    for (let b = a + 1; b < n; b++) {
      const rb = ratingsOf(b);
      const common = [...ra.keys()].filter((y) => rb.has(y));
      const m = common.length;
      const ri = common.map((y) => ra.get(y)!);
      const rj = common.map((y) => rb.get(y)!);
      const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
      let s = 0;
      if (name === 'pearson_baseline') {
        if (m >= Math.max(2, minSupport)) {
          const di = common.map((y, k) => ri[k]! - (mu + by[y]! + bx[a]!));
          const dj = common.map((y, k) => rj[k]! - (mu + by[y]! + bx[b]!));
          s =
            sum(di.map((d, k) => d * dj[k]!)) /
            Math.sqrt(sum(di.map((d) => d * d)) * sum(dj.map((d) => d * d)));
          s *= (m - 1) / (m - 1 + shrinkage);
        }
      } else if (m >= minSupport) {
        if (name === 'msd') s = 1 / (sum(ri.map((x, k) => (x - rj[k]!) ** 2)) / m + 1);
        else if (name === 'cosine')
          s =
            sum(ri.map((x, k) => x * rj[k]!)) /
            Math.sqrt(sum(ri.map((x) => x * x)) * sum(rj.map((x) => x * x)));
        else {
          const num = m * sum(ri.map((x, k) => x * rj[k]!)) - sum(ri) * sum(rj);
          const den = Math.sqrt(
            (m * sum(ri.map((x) => x * x)) - sum(ri) ** 2) * (m * sum(rj.map((x) => x * x)) - sum(rj) ** 2),
          );
          s = den === 0 ? 0 : num / den;
        }
      }
      sim[a * n + b] = s;
      sim[b * n + a] = s;
    }
  }
  return sim;
}

/** surprise/prediction_algorithms/knns.py, KNNBaseline.estimate, with a stable sort for nlargest. */
function surpriseEstimate(
  r: Csr,
  similarity: KnnSimilarity,
  userBased: boolean,
  k: number,
  minK: number,
): (u: number, i: number) => number {
  let mu = 0;
  for (const v of r.values) mu += v / r.values.length;
  const { bu, bi } = alsBiases(r, mu, 10, 15, 10);
  const sim = surpriseSimilarities(r, similarity, userBased, 1, 100);
  const byItem = transpose(r);
  const userCount = (u: number) => r.indptr[u + 1]! - r.indptr[u]!;
  const itemCount = (i: number) => byItem.indptr[i + 1]! - byItem.indptr[i]!;
  return (u, i) => {
    let est = mu + (userCount(u) ? bu[u]! : 0) + (itemCount(i) ? bi[i]! : 0);
    if (!userCount(u) || !itemCount(i)) return est;
    const [x, y, yr, bx, by, n] = userBased ? [u, i, byItem, bu, bi, r.rows] : [i, u, r, bi, bu, r.cols];
    const neighbours = [...row(yr, y).indices].map((x2, m) => ({
      x2,
      r: row(yr, y).values[m]!,
      s: sim[x * n + x2]!,
    }));
    const best = neighbours.sort((a, b) => b.s - a.s).slice(0, k);
    let sumSim = 0;
    let sumDev = 0;
    let actual = 0;
    for (const { x2, r: rating, s } of best) {
      if (s > 0) {
        sumSim += s;
        sumDev += s * (rating - (mu + bx[x2]! + by[y]!));
        actual++;
      }
    }
    if (actual >= minK && sumSim > 0) est += sumDev / sumSim;
    return est;
  };
}
