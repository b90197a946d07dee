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
});
