import { describe, expect, it } from 'vitest';
import { row } from '../../core/csr.js';
import { ials, loadIals } from './ials.js';
import { checkRecommender, twoTastes } from './recommender.conformance.js';

describe('ials', () => {
  // Two factors for two tastes: with more, the 11-item toy matrix is fitted zeros and all.
  checkRecommender({
    create: () => ials({ factors: 2, iterations: 10, alpha: 10 }),
    load: loadIals,
    personalized: true,
    similarItems: true,
  });

  it('folds a training user back in to (nearly) the factor training found', async () => {
    const data = twoTastes();
    // With many CG steps per sweep each row is solved exactly, so a fold-in must agree.
    const model = await ials({ factors: 4, iterations: 20, cgSteps: 10, regularization: 0.1 }).fit(data);
    const trained = new Float32Array(11);
    const folded = new Float32Array(11);
    model.score(3, trained);
    model.score(row(data.interactions, 3), folded);
    for (let i = 0; i < 11; i++) expect(folded[i]).toBeCloseTo(trained[i]!, 3);
  });

  it('is deterministic for a seed and depends on it', async () => {
    const data = twoTastes();
    const a = (await ials({ factors: 4, seed: 1 }).fit(data)).toArtifact().arrays.itemFactors;
    const b = (await ials({ factors: 4, seed: 1 }).fit(data)).toArtifact().arrays.itemFactors;
    const c = (await ials({ factors: 4, seed: 2 }).fit(data)).toArtifact().arrays.itemFactors;
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('reports progress per iteration', async () => {
    const seen: string[] = [];
    await ials({ factors: 2, iterations: 3 }).fit(twoTastes(), { onProgress: (p) => seen.push(p.message) });
    expect(seen).toEqual(['iteration 1/3', 'iteration 2/3', 'iteration 3/3']);
  });
});
