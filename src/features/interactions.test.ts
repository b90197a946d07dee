import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { row } from '../core/csr.js';
import { DuckDBStore } from '../store/duckdb/duckdb-store.js';
import { event } from '../store/store.conformance.js';
import type { InteractionBatch } from '../store/store.js';
import { buildInteractions } from './interactions.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);

async function* batches(rows: [string, string, string, number, number?][]): AsyncIterable<InteractionBatch> {
  yield {
    user: rows.map((r) => r[0]),
    item: rows.map((r) => r[1]),
    event: rows.map((r) => r[2]),
    timestamp: Float64Array.from(rows, (r) => r[3]),
    rating: Float64Array.from(rows, (r) => r[4] ?? Number.NaN),
    quantity: new Float64Array(rows.length).fill(Number.NaN),
  };
}

const cell = (x: Awaited<ReturnType<typeof buildInteractions>>, user: string, item: string) => {
  const r = row(x.matrix, x.users.get(user)!);
  const k = [...r.indices].indexOf(x.items.get(item)!);
  return k < 0 ? 0 : r.values[k]!;
};

describe('buildInteractions', () => {
  it('weights events (view < cart < order), sums repeats, takes refunds back and keeps the latest time', async () => {
    const x = await buildInteractions(
      batches([
        ['u1', 'a', 'Product Viewed', T0],
        ['u1', 'a', 'Product Viewed', T0 + DAY],
        ['u1', 'a', 'Product Added', T0 + 2 * DAY],
        ['u1', 'b', 'Order Completed', T0 + 3 * DAY],
        ['u1', 'b', 'Order Refunded', T0 + 4 * DAY],
        ['u2', 'a', 'Order Completed', T0 + 5 * DAY],
        ['u2', 'c', 'Page Scrolled', T0 + 6 * DAY],
      ]),
    );
    expect(cell(x, 'u1', 'a')).toBe(1 + 1 + 3);
    expect(cell(x, 'u1', 'b')).toBe(0); // refunded: no signal left
    expect(cell(x, 'u2', 'a')).toBe(5);
    expect(x.items.get('c')).toBeUndefined(); // an event that carries no weight adds nothing
    expect(x.lastSeen[x.matrix.indptr[x.users.get('u1')!]!]).toBe(T0 + 2 * DAY);
    expect(x.now).toBe(T0 + 6 * DAY);
    expect(x.counts).toMatchObject({ events: 7, weighted: 6 });
  });

  it('decays old events, keeps the strongest repeat on request, and uses given weights', async () => {
    const rows: [string, string, string, number][] = [
      ['u', 'old', 'Order Completed', T0],
      ['u', 'new', 'Order Completed', T0 + 14 * DAY],
      ['u', 'new', 'Product Viewed', T0 + 14 * DAY],
    ];
    const decayed = await buildInteractions(batches(rows), { halfLifeDays: 7, now: T0 + 14 * DAY });
    expect(cell(decayed, 'u', 'old')).toBeCloseTo(5 / 4, 5);
    expect(cell(decayed, 'u', 'new')).toBe(6);
    const max = await buildInteractions(batches(rows), { combine: 'max' });
    expect(cell(max, 'u', 'new')).toBe(5);
    const custom = await buildInteractions(batches(rows), { weights: { 'Product Viewed': 1 } });
    expect(cell(custom, 'u', 'new')).toBe(1);
    expect(cell(custom, 'u', 'old')).toBe(0);
  });

  it('keeps the latest rating per user and item, and indexes the whole catalog', async () => {
    const x = await buildInteractions(
      batches([
        ['u', 'a', 'Product Reviewed', T0, 2],
        ['u', 'a', 'Product Reviewed', T0 + DAY, 4.5],
        ['v', 'b', 'Product Reviewed', T0, 3],
      ]),
      { catalog: ['z', 'a'] },
    );
    expect(x.items.list()).toEqual(['z', 'a', 'b']);
    expect(row(x.ratings, x.users.get('u')!).values[0]).toBe(4.5);
    expect(x.ratings.indices.length).toBe(2);
  });

  it('applies minimum support until stable (the k-core)', async () => {
    const rows: [string, string, string, number][] = [];
    for (const u of ['a', 'b', 'c']) for (const i of ['x', 'y']) rows.push([u, i, 'Product Viewed', T0]);
    rows.push(['d', 'x', 'Product Viewed', T0], ['a', 'lonely', 'Product Viewed', T0]);
    const x = await buildInteractions(batches(rows), { minUserItems: 2, minItemUsers: 2 });
    expect(x.matrix.indices.length).toBe(6);
    expect(x.counts).toMatchObject({ droppedUsers: 1, droppedItems: 1 });
  });
});

describe('buildInteractions over a real store', () => {
  const root = mkdtempSync(join(tmpdir(), 'cartwise-features-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('explodes order lines, resolves shoppers and can leave anonymous ones out', async () => {
    const store = await DuckDBStore.open(join(root, 'db.duckdb'));
    await store.appendEvents([
      event({ event: 'Product Viewed', anonymousId: 'anon-1', properties: { product_id: 'a' } }, 0),
      event({ type: 'identify', userId: 'ada', anonymousId: 'anon-1' }, 1),
      event(
        {
          event: 'Order Completed',
          userId: 'ada',
          properties: { order_id: 'o', products: [{ product_id: 'a' }, { product_id: 'b' }] },
        },
        2,
      ),
      event({ event: 'Product Viewed', anonymousId: 'anon-2', properties: { product_id: 'c' } }, 3),
      event({ event: 'Product Reviewed', userId: 'bob', properties: { product_id: 'b', rating: 4 } }, 4),
    ]);
    const all = await buildInteractions(store.scanInteractions());
    expect(all.users.list()).toEqual(['ada', 'anon:anon-2', 'bob']);
    expect(cell(all, 'ada', 'a')).toBe(1 + 5);
    expect(cell(all, 'ada', 'b')).toBe(5);
    expect(row(all.ratings, all.users.get('bob')!).values[0]).toBe(4);
    const known = await buildInteractions(store.scanInteractions({ includeAnonymous: false }));
    expect(known.users.list()).toEqual(['ada', 'bob']);
    const early = await buildInteractions(store.scanInteractions({ to: Date.UTC(2025, 0, 1) + 2 * 60_000 }));
    expect(early.users.list()).toEqual(['ada']);
    await store.close();
  });
});
