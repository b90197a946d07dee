import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles } from '../import.js';
import { isInteractionsHeader } from './interactions.js';
import { MemorySink } from './memory-sink.js';

const dir = mkdtempSync(join(tmpdir(), 'cartwise-interactions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

describe('interactions preset', () => {
  it('reads headerless user,item,value,timestamp rows with any timestamp form', async () => {
    const path = file(
      'plain.csv',
      'u1,i1,1,1700000000\nu1,i2,2,1700000000123\nu2,i1,,2023-11-14 22:13:20\nu2,i3\nu3,i4,lots\n',
    );
    const sink = new MemorySink();
    const summary = await importFiles([path], { preset: 'interactions' }, sink);
    expect(summary.events).toMatchObject({ read: 5, accepted: 4, rejected: 1 });
    expect(summary.rejects[0]).toMatchObject({
      line: 5,
      field: 'value',
      message: 'value: expected a number, got "lots"',
    });
    expect(sink.events.map((e) => [e.event, e.userId, e.itemId, e.properties!.value, e.timestamp])).toEqual([
      ['Product Viewed', 'u1', 'i1', 1, 1_700_000_000_000],
      ['Product Viewed', 'u1', 'i2', 2, 1_700_000_000_123],
      ['Product Viewed', 'u2', 'i1', undefined, Date.parse('2023-11-14T22:13:20Z')],
      ['Product Viewed', 'u2', 'i3', undefined, sink.events[3]!.receivedAt],
    ]);
  });

  it('finds columns by header name, with tabs or semicolons, and makes ratings of Product Reviewed', async () => {
    const tsv = file('ratings.tsv', 'timestamp\tuser_id\titem_id\trating\n1700000000\t7\t9\t4.5\n');
    const semi = file('semi.csv', 'customer;sku;qty\nc1;s1;3\n');
    const sink = new MemorySink();
    await importFiles([tsv], { preset: 'interactions', eventName: 'Product Reviewed' }, sink);
    expect(sink.events[0]).toMatchObject({
      event: 'Product Reviewed',
      userId: '7',
      itemId: '9',
      rating: 4.5,
    });
    await importFiles([semi], { preset: 'interactions', eventName: 'Product Added' }, sink);
    expect(sink.events[1]).toMatchObject({
      event: 'Product Added',
      userId: 'c1',
      itemId: 's1',
      properties: { value: 3 },
    });
  });

  it('applies --map before finding columns, and the timezone to naive times', async () => {
    const path = file('mapped.csv', 'who,what,when\na,b,2024-07-01 12:00\n');
    const sink = new MemorySink();
    await importFiles(
      [path],
      { preset: 'interactions', map: 'who=user,what=item,when=timestamp', timezone: 'Europe/Paris' },
      sink,
    );
    expect(sink.events[0]).toMatchObject({
      userId: 'a',
      itemId: 'b',
      timestamp: Date.parse('2024-07-01T10:00:00Z'),
    });
  });

  it('detects header rows', () => {
    expect(isInteractionsHeader(['user', 'item'])).toBe(true);
    expect(isInteractionsHeader(['customer', 'sku', 'qty'])).toBe(true);
    expect(isInteractionsHeader(['u1', 'i1', '3'])).toBe(false);
    expect(isInteractionsHeader(['u1', 'i1', '2024-01-01'])).toBe(false);
    expect(isInteractionsHeader(['u1', 'i1'])).toBe(false);
  });

  it('is idempotent: the same rows imported twice are duplicates', async () => {
    const path = file('again.csv', 'u1,i1,1,1700000000\nu1,i1\nu1,i1\n');
    const sink = new MemorySink();
    await importFiles([path], { preset: 'interactions' }, sink);
    const again = await importFiles([path], { preset: 'interactions' }, sink);
    expect(again.events.duplicates).toBe(3);
    expect(sink.events).toHaveLength(3);
  });
});
