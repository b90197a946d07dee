import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { sqlString } from '../files/parquet.js';
import { importFiles } from '../import.js';
import { kindFromName } from './generic.js';
import { MemorySink } from './memory-sink.js';

const root = mkdtempSync(join(tmpdir(), 'cartwise-generic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function file(name: string, body: string | Buffer): string {
  const path = join(root, name);
  writeFileSync(path, body);
  return path;
}

describe('generic preset', () => {
  it('reads events, items and users CSVs with dotted columns, in catalog-first order', async () => {
    const events = file(
      'events.csv',
      'event,userId,timestamp,properties.product_id,properties.price,campaign\n' +
        'Product Viewed,u1,2024-01-01T10:00:00Z,sku-1,9.99,spring\n' +
        ',u2,2024-01-01T10:00:00Z,sku-1,,\n',
    );
    const items = file(
      'items.csv',
      'id,title,price,category,tags,available,attributes.color,color_family,createdAt\n' +
        'sku-1,"Shoe, red",9.99,Shoes > Running,sale|new,no,red,warm,1700000000\n',
    );
    const users = file('customers.csv', 'userId,traits.plan,email\nu1,pro,a@example.com\n');
    const sink = new MemorySink();
    const summary = await importFiles([events, items, users], {}, sink);
    expect(summary.files.map((f) => [f.path.split('/').at(-1), f.preset])).toEqual([
      ['items.csv', 'generic'],
      ['customers.csv', 'generic'],
      ['events.csv', 'generic'],
    ]);
    expect(sink.events[0]).toMatchObject({
      type: 'track',
      event: 'Product Viewed',
      itemId: 'sku-1',
      price: 9.99,
      properties: { product_id: 'sku-1', price: 9.99, campaign: 'spring' },
    });
    expect(summary.rejects).toEqual([
      expect.objectContaining({ kind: 'event', line: 3, field: 'event', message: 'event: is required' }),
    ]);
    expect(sink.items.get('sku-1')).toMatchObject({
      title: 'Shoe, red',
      price: 9.99,
      category: 'Shoes > Running',
      tags: ['sale', 'new'],
      available: false,
      attributes: { color: 'red', color_family: 'warm' },
      createdAt: 1_700_000_000_000,
    });
    expect(sink.users.get('u1')!.traits).toEqual({ plan: 'pro', email: 'a@example.com' });
  });

  it('reads JSON Lines (gzipped) and Parquet, and a forced kind', async () => {
    const items = file(
      'catalog.jsonl.gz',
      gzipSync('{"id":"a","title":"A","price":"2.5","material":"wool"}\nnot json\n[1]\n'),
    );
    const pq = join(root, 'users.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run(
      `COPY (SELECT 'u' || i AS userId, i::BIGINT AS "traits.visits", TIMESTAMP '2024-06-01 12:00:00' AS createdAt
             FROM range(3) t(i)) TO ${sqlString(pq)} (FORMAT parquet)`,
    );
    conn.closeSync();
    db.closeSync();
    const odd = file('stuff.csv', 'id,title\nz,Zed\n');
    const sink = new MemorySink();
    const summary = await importFiles([items, pq], { timezone: 'Europe/London' }, sink);
    expect(summary.items).toMatchObject({ read: 3, accepted: 1, rejected: 2 });
    expect(summary.rejects.map((r) => [r.line, r.message.split(':')[0]])).toEqual([
      [2, 'invalid JSON'],
      [3, 'expected a JSON object on each line'],
    ]);
    expect(sink.items.get('a')).toMatchObject({ price: 2.5, attributes: { material: 'wool' } });
    expect(sink.users.get('u2')).toMatchObject({
      traits: { visits: '2' },
      createdAt: Date.parse('2024-06-01T11:00:00Z'),
    });
    await expect(importFiles([odd], {}, sink)).rejects.toThrow(/stuff\.csv: cannot tell what it holds/);
    await importFiles([odd], { preset: 'generic', kind: 'items' }, sink);
    expect(sink.items.get('z')!.title).toBe('Zed');
  });

  it('imports the matching files of a directory', async () => {
    const dir = join(root, 'export');
    mkdirSync(dir);
    writeFileSync(join(dir, 'items.jsonl'), '{"id":"x"}\n');
    writeFileSync(
      join(dir, 'events.jsonl'),
      '{"event":"Signed Up","userId":"u","type":"track","messageId":"m1"}\n',
    );
    writeFileSync(join(dir, 'notes.txt'), 'ignored\n');
    const sink = new MemorySink();
    const summary = await importFiles([dir], {}, sink);
    expect(summary.files.map((f) => f.path.split('/').at(-1))).toEqual(['items.jsonl', 'events.jsonl']);
    expect(sink.events[0]).toMatchObject({ messageId: 'm1', event: 'Signed Up' });
  });

  it('tells kinds from names', () => {
    expect(kindFromName('events.csv')).toBe('event');
    expect(kindFromName('event_log.jsonl.gz')).toBe('event');
    expect(kindFromName('Products-2024.parquet')).toBe('item');
    expect(kindFromName('customers.csv')).toBe('user');
    expect(kindFromName('eventually.csv')).toBeNull();
  });
});
