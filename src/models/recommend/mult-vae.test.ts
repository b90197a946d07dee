import { describe, expect, it } from 'vitest';
import { csrFromCoo, row } from '../../core/csr.js';
import { Rng } from '../../core/rng.js';
import { recommend } from './contract.js';
import { loadMultVae, multVae, multVaeInit, multVaeLayout, multVaeLoss } from './mult-vae.js';
import { checkRecommender, twoTastes } from './recommender.conformance.js';

const tiny = { hidden: 16, latent: 4, epochs: 150, lr: 0.01, seed: 7 };

describe('multvae', () => {
  checkRecommender({
    create: () => multVae(tiny),
    load: loadMultVae,
    personalized: true,
    similarItems: true,
  });

  it('computes the gradient of the loss (finite differences on a tiny network)', () => {
    const shape = { items: 7, hidden: 5, latent: 3 };
    const rng = new Rng(11);
    const r: number[] = [];
    const c: number[] = [];
    for (let u = 0; u < 5; u++)
      for (let i = 0; i < 7; i++)
        if (rng.bernoulli(0.5) || i === u) {
          r.push(u);
          c.push(i);
        }
    const x = csrFromCoo(5, 7, r, c, new Array(r.length).fill(1));
    const users = Uint32Array.of(2, 0, 4, 3, 1);
    // Dropout, noise, KL and weight decay all active; the same seed fixes the masks and the noise.
    const settings = { beta: 0.7, dropout: 0.5, l2: 0.05 };
    const params = multVaeInit(shape, 5);
    // Larger biases than the initial 0.001 so that their gradients are not negligible.
    const p0 = new Rng(3);
    for (let i = 0; i < params.length; i++) params[i] = params[i]! + p0.uniform(-0.3, 0.3);
    const grad = new Float32Array(params.length);
    const loss = multVaeLoss(shape, params, x, users, 99, settings, grad);
    expect(Number.isFinite(loss)).toBe(true);
    const scratch = new Float32Array(params.length);
    const l = multVaeLayout(shape);
    const blocks = [l.w1, l.b1, l.w2, l.b2, l.w3, l.b3, l.w4, l.b4, l.size];
    let checked = 0;
    let worst = 0;
    for (let t = 0; t < blocks.length - 1; t++) {
      for (let i = blocks[t]!; i < blocks[t + 1]!; i++) {
        const saved = params[i]!;
        const h = 1e-2;
        params[i] = saved + h;
        const up = multVaeLoss(shape, params, x, users, 99, settings, scratch);
        params[i] = saved - h;
        const down = multVaeLoss(shape, params, x, users, 99, settings, scratch);
        params[i] = saved;
        // The step actually taken in float32.
        const numeric = (up - down) / (Math.fround(saved + h) - Math.fround(saved - h));
        worst = Math.max(worst, Math.abs(grad[i]! - numeric) / (1e-3 + Math.abs(numeric)));
        checked++;
      }
    }
    expect(checked).toBe(l.size);
    // Relative error (with a floor for tiny gradients); float32 rounding alone stays well below 1%.
    expect(worst).toBeLessThan(1e-2);
    // Some gradients are far from zero, so the comparison is not vacuous.
    expect(grad.some((g) => Math.abs(g) > 0.05)).toBe(true);
  });

  it('folds in a row exactly like the training user with that row', async () => {
    const data = twoTastes();
    const model = await multVae(tiny).fit(data);
    const a = new Float32Array(11);
    const b = new Float32Array(11);
    model.score(4, a);
    model.score(row(data.interactions, 4), b);
    expect([...b].map((v, i) => Math.abs(v - a[i]!) < 1e-5)).toEqual(new Array(11).fill(true));
    // Interaction strengths are binarized: the same items with other weights score the same.
    const heavy = row(data.interactions, 4);
    model.score({ indices: heavy.indices, values: heavy.values.map((v) => v * 10) }, a);
    expect(a).toEqual(b);
  });

  it('reports one progress event per epoch with a falling loss', async () => {
    const events: { fraction: number; message: string }[] = [];
    await multVae({ ...tiny, epochs: 60 }).fit(twoTastes(), { onProgress: (e) => events.push(e) });
    expect(events).toHaveLength(60);
    expect(events.at(-1)!.fraction).toBe(1);
    const lossOf = (m: string) => Number(/loss (\S+)/.exec(m)![1]);
    expect(lossOf(events.at(-1)!.message)).toBeLessThan(lossOf(events[0]!.message));
  });

  it('stops between epochs when cancelled', async () => {
    const controller = new AbortController();
    let epochs = 0;
    const fit = multVae({ ...tiny, epochs: 1000 }).fit(twoTastes(), {
      signal: controller.signal,
      onProgress: () => {
        if (++epochs === 3) controller.abort();
      },
    });
    await expect(fit).rejects.toThrow();
    expect(epochs).toBe(3);
  });

  it('gives an item similarity of one with itself and the cold-start user a full list', async () => {
    const model = await multVae(tiny).fit(twoTastes());
    const out = new Float32Array(11);
    model.similarItems!(6, out);
    expect(out[6]).toBeCloseTo(1, 5);
    expect([...out].every((s) => s <= 1 + 1e-6 && s >= -1 - 1e-6)).toBe(true);
    const empty = recommend(model, { indices: new Uint32Array(0), values: new Float32Array(0) }, 11);
    expect(empty.items).toHaveLength(11);
    expect(recommend(model, 999, 11).items).toEqual(empty.items);
  });

  it('rejects bad parameters and mismatched artifacts', async () => {
    expect(() => multVae({ hidden: 0 })).toThrow(/hidden must be a positive integer/);
    expect(() => multVae({ dropout: 1 })).toThrow(/dropout must be in/);
    expect(() => multVae({ lr: -1 })).toThrow(/lr must be positive/);
    expect(() => multVae({ units: 3 } as object)).toThrow(/unknown parameter "units"/);
    const model = await multVae({ ...tiny, epochs: 1 }).fit(twoTastes());
    const artifact = model.toArtifact();
    expect(() => loadMultVae({ ...artifact, params: { ...artifact.params, hidden: 8 } })).toThrow(/match/);
  });
});
