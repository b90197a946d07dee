import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles } from '../import.js';
import { MemorySink } from './memory-sink.js';

const dir = mkdtempSync(join(tmpdir(), 'cartwise-generated-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cartwise preset', () => {
  it('imports a generated directory as a whole: items, then users, then events', async () => {
    writeFileSync(
      join(dir, 'cartwise-store.json'),
      JSON.stringify({
        format: 'cartwise-store',
        version: 1,
        seed: 42,
        files: { items: 'items.jsonl', users: 'users.jsonl', events: 'events.jsonl' },
      }),
    );
    writeFileSync(
      join(dir, 'items.jsonl'),
      '{"id":"sku-1","title":"Mug","price":8,"category":["Home","Kitchen"]}\n',
    );
    writeFileSync(
      join(dir, 'users.jsonl'),
      '{"userId":"u1","traits":{"segment":"vip"},"createdAt":"2024-01-01T00:00:00Z"}\n',
    );
    writeFileSync(
      join(dir, 'events.jsonl'),
      '{"type":"track","event":"Product Viewed","userId":"u1","messageId":"e1","timestamp":"2024-01-02T00:00:00Z","properties":{"product_id":"sku-1"}}\n' +
        '{"type":"track","event":"Order Completed","userId":"u1","timestamp":"2024-01-02T00:05:00Z","properties":{"order_id":"o1","products":[{"product_id":"sku-1","price":8,"quantity":1}]}}\n',
    );
    const sink = new MemorySink();
    const summary = await importFiles([dir], {}, sink);
    expect(summary.files.map((f) => [f.path.split('/').at(-1), f.preset])).toEqual([
      ['items.jsonl', 'cartwise'],
      ['users.jsonl', 'cartwise'],
      ['events.jsonl', 'cartwise'],
    ]);
    expect(summary.items.accepted + summary.users.accepted + summary.events.accepted).toBe(4);
    expect(sink.items.get('sku-1')!.category).toBe('Home > Kitchen');
    expect(sink.users.get('u1')!.traits).toEqual({ segment: 'vip' });
    expect(sink.events[1]!.messageId).toMatch(/^cartwise-/);
    expect(sink.batches.map((b) => b.kind)).toEqual(['items', 'users', 'events']);
  });

  it('refuses a manifest of another format or version', async () => {
    const other = mkdtempSync(join(dir, 'v2-'));
    writeFileSync(join(other, 'cartwise-store.json'), '{"format":"cartwise-store","version":2,"files":{}}');
    await expect(importFiles([other], {}, new MemorySink())).rejects.toThrow(
      /unsupported cartwise-store version 2/,
    );
  });
});
