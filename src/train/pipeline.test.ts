import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { twoTasteStore } from '../../test/two-taste-store.js';
import { openStore } from '../store/open.js';
import { ModelVersions } from './model-versions.js';
import { trainBundle } from './pipeline.js';
import { TrainingSettings } from './training-settings.js';

async function freshStore() {
  const dir = mkdtempSync(join(tmpdir(), 'cw-pipeline-'));
  const store = await openStore(`duckdb:${join(dir, 'db.duckdb')}`);
  const { events, items } = twoTasteStore();
  await store.upsertItems(items);
  await store.appendEvents(events);
  return { dir, store };
}

const settings = (extra: Record<string, unknown> = {}) =>
  TrainingSettings.parse({
    models: [
      { id: 'popularity' },
      { id: 'itemknn' },
      { id: 'ials', params: { factors: 4, iterations: 4 } },
      { id: 'content' },
    ],
    holdout: { fraction: 0.2 },
    ...extra,
  });

describe('trainBundle', () => {
  it('judges every model on a time holdout, fits it, and publishes one whole version', async () => {
    const { dir, store } = await freshStore();
    const versions = new ModelVersions(join(dir, 'models'));
    const messages: string[] = [];
    const manifest = await trainBundle(store, versions, settings(), {
      onProgress: (m) => messages.push(m),
      clock: () => Date.UTC(2026, 10, 22, 17, 30),
    });
    expect(manifest.version).toBe('v20261122-173000');
    expect(versions.current()).toBe(manifest.version);
    expect(manifest.data).toMatchObject({ users: 60, items: 21 });
    expect(manifest.models.map((m) => m.id)).toEqual(['popularity', 'itemknn', 'ials', 'content']);
    for (const m of manifest.models) {
      expect(m.holdout?.['ndcg@10']).toBeGreaterThanOrEqual(0);
      expect(m.fitSeconds).toBeGreaterThanOrEqual(0);
    }
    // The run's seed reached iALS; popularity takes none.
    expect(manifest.models[2]!.params.seed).toBe(42);
    expect(manifest.models[0]!.params).not.toHaveProperty('seed');
    // Taste is planted: a personal model beats popularity on the holdout and serves.
    expect(['itemknn', 'ials', 'content']).toContain(manifest.surfaces.personalized);
    expect(manifest.surfaces).toMatchObject({ similar: 'itemknn', content: 'content' });
    expect(messages).toContain('ials: judging on the holdout');
    expect(messages.at(-1)).toBe(`writing version ${manifest.version}`);
    // Orders are tracked so serving can leave out what a shopper already bought.
    const tracked = versions.readArtifact(manifest.version, 'tracked.bin');
    const bit = 1 << manifest.track.indexOf('Order Completed');
    const bought = new Set(
      twoTasteStore()
        .events.filter((e) => e.event === 'Order Completed')
        .flatMap((e) => e.products!.map((p) => `${e.userId}/${p.productId}`)),
    );
    expect(Array.from(tracked.arrays.values!).filter((v) => (v & bit) !== 0).length).toBe(bought.size);
    // Rules come from the orders, the session model from the views.
    expect(manifest.rules?.orders).toBe(120);
    expect(manifest.rules?.rules).toBeGreaterThan(0);
    expect(manifest.session).toMatchObject({ model: 'vsknn' });

    // The same seed gives the same model, byte for byte.
    const again = await trainBundle(store, versions, settings(), {
      clock: () => Date.UTC(2026, 10, 22, 17, 30),
    });
    expect(again.version).toBe('v20261122-173000-2');
    const bytes = (v: string) => readFileSync(join(dir, 'models', v, 'ials.bin'));
    expect(bytes(again.version).equals(bytes(manifest.version))).toBe(true);
    await store.close();
  });

  it('leaves the current version alone when a run is cancelled, and names bad settings', async () => {
    const { dir, store } = await freshStore();
    const versions = new ModelVersions(join(dir, 'models'));
    const first = await trainBundle(store, versions, settings({ models: [{ id: 'popularity' }] }));
    const controller = new AbortController();
    const run = trainBundle(
      store,
      versions,
      settings({ models: [{ id: 'bpr', params: { iterations: 100_000 } }], holdout: null }),
      {
        signal: controller.signal,
        onProgress: (m) => {
          if (m.startsWith('bpr:')) controller.abort();
        },
      },
    );
    await expect(run).rejects.toThrow(/cancelled/);
    expect(versions.current()).toBe(first.version);
    expect(versions.list()).toEqual([first.version]);

    expect(() => TrainingSettings.parse({ models: [{ id: 'svd' }] })).toThrow(/must be one of/);
    expect(() => TrainingSettings.parse({ models: [{ id: 'ials', parms: {} }] })).toThrow(/parms/);
    await expect(
      trainBundle(store, versions, settings({ models: [{ id: 'popularity' }], personalized: 'ials' })),
    ).rejects.toThrow('training.personalized: "ials" is not among the fitted models');
    await store.close();
  });
});
