import { describe, expect, it } from 'vitest';
import { csrFromCoo } from '../../core/csr.js';
import { ease, loadEase } from './ease.js';
import { checkRecommender, twoTastes } from './recommender.conformance.js';

describe('ease', () => {
  checkRecommender({
    create: () => ease({ lambda: 5 }),
    load: loadEase,
    personalized: true,
    similarItems: true,
  });

  it('matches the closed form on a small matrix', async () => {
    const x = csrFromCoo(3, 3, [0, 0, 1, 1, 2], [0, 1, 1, 2, 2], [1, 1, 1, 1, 1]);
    const model = await ease({ lambda: 1 }).fit({ interactions: x });
    // G = XᵀX + I = [[2,1,0],[1,3,1],[0,1,3]]; P = G⁻¹; B[i][j] = -P[i][j] / P[j][j], B[j][j] = 0.
    const det = 2 * (9 - 1) - 1 * (3 - 0);
    const p = [
      [8 / det, -3 / det, 1 / det],
      [-3 / det, 6 / det, -2 / det],
      [1 / det, -2 / det, 5 / det],
    ];
    const out = new Float32Array(3);
    for (let i = 0; i < 3; i++) {
      model.similarItems!(i, out);
      for (let j = 0; j < 3; j++) expect(out[j]).toBeCloseTo(i === j ? 0 : -p[i]![j]! / p[j]![j]!, 6);
    }
  });

  it('refuses a catalog above maxItems with a clear message', async () => {
    await expect(ease({ maxItems: 10 }).fit(twoTastes())).rejects.toThrow(
      /11 items, above maxItems 10.*itemknn or ials/,
    );
  });
});
