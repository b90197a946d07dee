import { describe, expect, it } from 'vitest';
import { twoTastes } from '../models/recommend/recommender.conformance.js';
import { createRecommender, loadRecommender } from '../models/recommend/registry.js';
import { fitInWorker } from './fit-job.js';

describe('fitInWorker', () => {
  it('fits in a worker thread, reports progress, and returns the same model as a fit here', async () => {
    const data = twoTastes();
    const progress: string[] = [];
    const { artifact, seconds } = await fitInWorker('ials', { factors: 4, iterations: 3 }, data, {
      threads: 2,
      onProgress: (p) => progress.push(p.message),
    });
    expect(progress).toEqual(['iteration 1/3', 'iteration 2/3', 'iteration 3/3']);
    expect(seconds).toBeGreaterThan(0);
    const here = await createRecommender('ials', { factors: 4, iterations: 3 }).fit(data);
    const out = new Float32Array(11);
    const expected = new Float32Array(11);
    loadRecommender(artifact).score(3, out);
    here.score(3, expected);
    expect(out).toEqual(expected);
  });

  it('stops a running fit when cancelled, and names a bad request', async () => {
    const controller = new AbortController();
    const running = fitInWorker('bpr', { factors: 8, iterations: 100_000 }, twoTastes(), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.fraction > 0) controller.abort();
      },
    });
    await expect(running).rejects.toThrow(/cancelled/);
    await expect(fitInWorker('nope', {}, twoTastes())).rejects.toThrow(/unknown model "nope"/);
  });
});
