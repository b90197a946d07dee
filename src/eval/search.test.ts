import { describe, expect, it } from 'vitest';
import { csrFromCoo } from '../core/csr.js';
import { Rng } from '../core/rng.js';
import type { Estimator } from '../models/recommend/contract.js';
import { ials } from '../models/recommend/ials.js';
import { itemKnn } from '../models/recommend/item-knn.js';
import { search } from './search.js';

/** 80 users in two tastes over 30 items. */
function data() {
  const rng = new Rng(3);
  const r: number[] = [];
  const c: number[] = [];
  for (let u = 0; u < 80; u++) {
    const base = u % 2 ? 15 : 0;
    const picked = new Set<number>();
    while (picked.size < 6) picked.add(base + rng.int(15));
    for (const i of picked) {
      r.push(u);
      c.push(i);
    }
  }
  return { interactions: csrFromCoo(80, 30, r, c, new Array(r.length).fill(1)) };
}

describe('search', () => {
  it('finds a better neighborhood size than a bad one, judged on validation data only', async () => {
    const { best, trials } = await search(
      (p) => itemKnn(p as never),
      { k: { kind: 'choice', values: [1, 20] } },
      data(),
      { trials: 6, seed: 1 },
    );
    expect(best.k).toBe(20);
    expect(trials.length).toBe(6);
  });

  it('halves the candidates and grows their budget each round', async () => {
    const budgets: number[] = [];
    const create = (p: Record<string, unknown>): Estimator => {
      budgets.push(p.iterations as number);
      return ials({ factors: 2, ...(p as object) });
    };
    const { trials, best } = await search(
      create,
      { regularization: { kind: 'log', min: 0.001, max: 10 } },
      data(),
      {
        trials: 9,
        eta: 3,
        budget: { param: 'iterations', max: 9 },
        seed: 2,
      },
    );
    expect(budgets).toEqual([...new Array(9).fill(1), 3, 3, 3, 9]);
    expect(trials).toHaveLength(13);
    expect(best.iterations).toBe(9);
    const again = await search(create, { regularization: { kind: 'log', min: 0.001, max: 10 } }, data(), {
      trials: 9,
      budget: { param: 'iterations', max: 9 },
      seed: 2,
    });
    expect(again.best).toEqual(best);
  });
});
