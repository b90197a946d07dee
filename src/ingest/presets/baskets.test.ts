import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles } from '../import.js';
import { MemorySink } from './memory-sink.js';

const dir = mkdtempSync(join(tmpdir(), 'cartwise-baskets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('baskets preset', () => {
  it('turns each line into an anonymous order and each name into an item', async () => {
    const path = join(dir, 'baskets.csv');
    writeFileSync(path, 'milk,bread,milk\n\n"eggs, free range",bread\n,\n');
    const sink = new MemorySink();
    const summary = await importFiles([path], { preset: 'baskets', start: '2020-01-01T00:00:00Z' }, sink);
    expect(summary.events).toEqual({ read: 3, accepted: 2, rejected: 1, duplicates: 0 });
    expect(summary.rejects[0]).toMatchObject({ line: 4, message: 'products: the basket lists no items' });
    expect([...sink.items.keys()]).toEqual(['milk', 'bread', 'eggs, free range']);
    expect(sink.events.map((e) => [e.anonymousId, e.orderId, e.timestamp, e.products])).toEqual([
      [
        'basket-1',
        'basket-1',
        Date.parse('2020-01-01T00:00:00Z'),
        [
          { productId: 'milk', price: null, quantity: 2 },
          { productId: 'bread', price: null, quantity: 1 },
        ],
      ],
      [
        'basket-3',
        'basket-3',
        Date.parse('2020-01-01T00:00:02Z'),
        [
          { productId: 'eggs, free range', price: null, quantity: 1 },
          { productId: 'bread', price: null, quantity: 1 },
        ],
      ],
    ]);
    expect((await importFiles([path], { preset: 'baskets' }, sink)).events.duplicates).toBe(2);
  });
});

const REAL = fileURLToPath(new URL('../../../../shared/datasets/groceries/groceries.csv', import.meta.url));
const haveReal = existsSync(REAL);

describe('baskets preset on the real Groceries file', () => {
  it.skipIf(!haveReal)(
    haveReal
      ? 'reproduces the manifest figures exactly'
      : 'reproduces the manifest figures exactly (SKIPPED: ../shared/datasets/groceries/groceries.csv not found)',
    async () => {
      const sink = new MemorySink();
      const summary = await importFiles([REAL], { preset: 'baskets' }, sink);
      expect(summary.rows).toBe(9_835);
      expect(summary.events).toEqual({ read: 9_835, accepted: 9_835, rejected: 0, duplicates: 0 });
      expect(summary.items).toEqual({ read: 169, accepted: 169, rejected: 0, duplicates: 0 });
      const counts = new Map<string, number>();
      let occurrences = 0;
      for (const e of sink.events) {
        for (const p of e.products!) {
          occurrences += p.quantity!;
          counts.set(p.productId, (counts.get(p.productId) ?? 0) + p.quantity!);
        }
      }
      expect(occurrences).toBe(43_367);
      expect(counts.size).toBe(169);
      const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3);
      expect(top).toEqual([
        ['whole milk', 2_513],
        ['other vegetables', 1_903],
        ['rolls/buns', 1_809],
      ]);
      expect(sink.events[0]!.timestamp).toBe(Date.UTC(2000, 0, 1));
      expect(sink.events.at(-1)!.timestamp).toBe(Date.UTC(2000, 0, 1) + 9_834_000);
    },
  );
});
