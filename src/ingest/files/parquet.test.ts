import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetColumns, readParquet, sqlString } from './parquet.js';

const dir = mkdtempSync(join(tmpdir(), "cartwise-parquet-it's-"));
const path = join(dir, "items o'brien.parquet");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`COPY (
      SELECT 'sku-' || i AS id, 'Item ' || i AS title, (i * 1.5)::DOUBLE AS price, i::BIGINT AS stock,
             CASE WHEN i % 2 = 0 THEN NULL ELSE 'red' END AS "attributes.color",
             TIMESTAMP '2024-01-01 10:00:00' + INTERVAL (i) MINUTE AS "createdAt",
             ['a', 'b'] AS tags
      FROM range(5000) t(i)
    ) TO ${sqlString(path)} (FORMAT parquet)`);
  conn.closeSync();
  db.closeSync();
});

describe('readParquet', () => {
  it('streams rows chunk by chunk as JSON-friendly objects, leaving NULLs out', async () => {
    const batches: number[] = [];
    const rows: Record<string, unknown>[] = [];
    let progress: [number, number] = [0, 0];
    for await (const batch of readParquet(path, { onRows: (r, t) => (progress = [r, t]) })) {
      batches.push(batch.length);
      rows.push(...batch);
    }
    expect(rows).toHaveLength(5000);
    expect(batches.length).toBeGreaterThan(1);
    expect(Math.max(...batches)).toBeLessThanOrEqual(2048);
    expect(progress).toEqual([5000, 5000]);
    expect(rows[1]).toEqual({
      id: 'sku-1',
      title: 'Item 1',
      price: 1.5,
      stock: '1',
      'attributes.color': 'red',
      createdAt: '2024-01-01 10:01:00',
      tags: ['a', 'b'],
    });
    expect(rows[0]).not.toHaveProperty('attributes.color');
  });

  it('lists columns', async () => {
    expect(await parquetColumns(path)).toEqual([
      'id',
      'title',
      'price',
      'stock',
      'attributes.color',
      'createdAt',
      'tags',
    ]);
  });

  it('names the file when it is missing or not Parquet', async () => {
    const drain = async (p: string) => {
      for await (const _ of readParquet(p));
    };
    await expect(drain(join(dir, 'none.parquet'))).rejects.toThrow(/none\.parquet: no such file/);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'fake.parquet'), 'not parquet');
    await expect(drain(join(dir, 'fake.parquet'))).rejects.toThrow(/fake\.parquet: cannot read as Parquet/);
  });
});
