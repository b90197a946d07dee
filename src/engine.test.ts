import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { twoTasteStore } from '../test/two-taste-store.js';
import { Engine } from './engine.js';

const root = mkdtempSync(join(tmpdir(), 'cartwise-engine-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('Engine', () => {
  it('retrains on the configured schedule and serves each new version', async () => {
    const engine = await Engine.open({
      storeUrl: `duckdb:${join(root, 'db.duckdb')}`,
      dataDir: root,
      // Every 0.6 s, so the test sees two scheduled runs.
      settings: { training: { models: [{ id: 'popularity' }], holdout: null, everyMinutes: 0.01 } },
    });
    const { events, items } = twoTasteStore();
    await engine.store.upsertItems(items);
    await engine.store.appendEvents(events);
    await engine.startServing();
    expect(engine.model()).toBeNull();
    const seen = new Set<string>();
    for (let i = 0; i < 100 && seen.size < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const version = engine.model()?.version;
      if (version) seen.add(version);
    }
    expect(seen.size).toBe(2);
    const list = await engine.recommendForUser('u0', { k: 3 }, false);
    expect(seen.has(list.version!)).toBe(true);
    await engine.close();
  });

  it('answers from precomputed top lists exactly as from live scoring, also when filters drain a list', async () => {
    const open = async (name: string, candidates: number) => {
      const engine = await Engine.open({
        storeUrl: `duckdb:${join(root, name, 'db.duckdb')}`,
        dataDir: join(root, name),
        settings: {
          training: {
            models: [
              { id: 'popularity' },
              { id: 'itemknn' },
              { id: 'ials', params: { factors: 4, iterations: 5 } },
            ],
            personalized: 'ials',
            holdout: null,
            candidates,
          },
        },
      });
      const { events, items } = twoTasteStore();
      await engine.store.upsertItems(items);
      await engine.store.appendEvents(events);
      await engine.startServing();
      await engine.train();
      return engine;
    };
    const live = await open('live', 0);
    const listed = await open('listed', 4);
    expect(live.model()?.candidates).toBeNull();
    expect(listed.model()?.candidates).toEqual({ size: 4, users: 'ials', items: 'itemknn' });
    const strip = (l: { items: readonly unknown[]; model: string }) => ({ model: l.model, items: l.items });
    const queries = [
      { k: 3 },
      { k: 3, exclude: ['k0', 'k1', 'k2', 'g0', 'g1', 'g2'] },
      { k: 8, category: 'Garden' },
    ];
    for (let u = 0; u < 12; u++)
      for (const q of queries)
        expect(strip(await listed.recommendForUser(`u${u}`, q, false))).toEqual(
          strip(await live.recommendForUser(`u${u}`, q, false)),
        );
    for (const id of ['k0', 'k5', 'g3'])
      for (const q of queries)
        expect(strip(await listed.similarItems(id, q))).toEqual(strip(await live.similarItems(id, q)));
    await live.close();
    await listed.close();
  });

  it('keeps similar-item answers for identical requests until the catalog, the rules or the version change', async () => {
    const engine = await Engine.open({
      storeUrl: `duckdb:${join(root, 'cache', 'db.duckdb')}`,
      dataDir: join(root, 'cache'),
      settings: { training: { models: [{ id: 'itemknn' }], holdout: null } },
    });
    const { events, items } = twoTasteStore();
    await engine.store.upsertItems(items);
    await engine.store.appendEvents(events);
    await engine.startServing();
    await engine.train();
    const lookups = (result: string) =>
      Number(
        new RegExp(`cartwise_similar_cache_lookups_total\\{result="${result}"\\} (\\d+)`).exec(
          engine.metrics.render(),
        )?.[1],
      );
    const ids = (l: { items: readonly { itemId: string }[] }) => l.items.map((i) => i.itemId);

    const first = await engine.similarItems('k0', { k: 3 });
    const again = await engine.similarItems('k0', { k: 3, userId: 'u1' });
    expect(again.items).toBe(first.items);
    expect(Object.isFrozen(again.items) && Object.isFrozen(again.items[0])).toBe(true);
    expect(again.recommendationId).not.toBe(first.recommendationId);
    expect([lookups('miss'), lookups('hit')]).toEqual([1, 1]);
    const other = await engine.similarItems('k0', { k: 3, exclude: [ids(first)[0]!] });
    expect(ids(other)).not.toContain(ids(first)[0]);

    // An item going out of stock leaves every kept answer.
    const gone = ids(first)[0]!;
    expect(await engine.upsertItems([{ id: gone, title: 'sold out', stock: 0 }])).toMatchObject({
      upserted: 1,
    });
    expect(ids(await engine.similarItems('k0', { k: 3 }))).not.toContain(gone);

    // New rules apply to the next answer.
    const now = await engine.similarItems('k0', { k: 3 });
    await engine.setMerchandising({ bury: [{ itemId: ids(now)[0]! }] });
    expect(ids(await engine.similarItems('k0', { k: 3 }))).not.toContain(ids(now)[0]);

    // A new version answers afresh.
    const before = await engine.similarItems('k0', { k: 3 });
    await engine.train();
    const after = await engine.similarItems('k0', { k: 3 });
    expect(after.version).not.toBe(before.version);
    expect(after.items).not.toBe(before.items);
    expect(now.items).not.toBe(before.items);
    await engine.close();
  });
});
