import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { checkStore, event } from '../store.conformance.js';
import { type Store, StoreLockedError } from '../store.js';
import { DuckDBStore } from './duckdb-store.js';

const root = mkdtempSync(join(tmpdir(), 'cartwise-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const paths = new WeakMap<Store, string>();

async function open(path: string): Promise<Store> {
  const store = await DuckDBStore.open(path);
  paths.set(store, path);
  return store;
}

describe('DuckDBStore', () => {
  checkStore({
    fresh: () => open(join(root, `s${n++}`, 'cartwise.duckdb')),
    async reopen(store) {
      await store.close();
      return open(paths.get(store)!);
    },
  });

  it('commits concurrent appends in few transactions', async () => {
    const commits: number[] = [];
    const store = await DuckDBStore.open(join(root, 'group', 'c.duckdb'), {
      onCommit: (c) => commits.push(c.requests),
    });
    await Promise.all(
      Array.from({ length: 500 }, (_, i) => store.appendEvents([event({ event: 'X', userId: `u${i}` })])),
    );
    expect(commits.reduce((a, b) => a + b, 0)).toBe(500);
    expect(commits.length).toBeLessThan(50);
    await store.close();
  });

  it('migrates a version 1 database: Recommendation Shown events become impressions', async () => {
    const path = join(root, 'v1', 'c.duckdb');
    let store = await DuckDBStore.open(path);
    await store.appendEvents([
      event({
        event: 'Recommendation Shown',
        userId: 'u1',
        messageId: 'r1',
        properties: {
          recommendation_id: 'r1',
          strategy: 'A',
          model: 'ease',
          version: 'v1',
          item_ids: ['a', 'b'],
        },
      }),
      event(
        { event: 'Product Clicked', userId: 'u1', properties: { product_id: 'b', recommendation_id: 'r1' } },
        5,
      ),
    ]);
    await store.close();
    const db = await DuckDBInstance.create(path);
    const conn = await db.connect();
    await conn.run("UPDATE meta SET value = '1' WHERE key = 'schema_version'");
    conn.closeSync();
    db.closeSync();

    store = await DuckDBStore.open(path);
    expect(await store.recommendationStats({ attributionMs: 86_400_000 })).toEqual([
      {
        strategy: 'A',
        model: 'ease',
        version: 'v1',
        impressions: 1,
        clicked: 1,
        converted: 0,
        orders: 0,
        revenue: 0,
      },
    ]);
    expect((await store.stats()).eventsByType).toEqual({ 'Product Clicked': 1 });
    await store.close();
  });

  it('refuses a second opener of the same file, in this process or another, with a clear error', async () => {
    const path = join(root, 'locked', 'c.duckdb');
    const store = await DuckDBStore.open(path);
    await expect(DuckDBStore.open(path)).rejects.toThrow(/already open in this process/);
    await store.close();

    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { DuckDBInstance } from '@duckdb/node-api';
        await DuckDBInstance.create(${JSON.stringify(path)}); console.log('open'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await once(holder.stdout!, 'data');
      const error = await DuckDBStore.open(path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreLockedError);
      expect((error as Error).message).toMatch(
        new RegExp(`in use by another process \\(pid ${holder.pid}\\)`),
      );
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
