import { execFile } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `cartwise import` end to end, as a user runs it: the built CLI, a real data directory, the real
 * datasets with the counts of their manifests, and a file far larger than the memory it may use.
 */

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../dist/cli/bin.js');
const DATASETS = resolve(import.meta.dirname, '../../shared/datasets');
const RETAIL = join(DATASETS, 'online-retail/online_retail.csv');
const GROCERIES = join(DATASETS, 'groceries/groceries.csv');
const root = mkdtempSync(join(tmpdir(), 'cartwise-import-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cartwise(args: string[], nodeFlags: string[] = []): Promise<string> {
  const { stdout } = await run(process.execPath, [...nodeFlags, BIN, ...args], { maxBuffer: 1 << 26 });
  return stdout;
}

describe('cartwise import', () => {
  it.skipIf(!existsSync(RETAIL))(
    'loads UCI Online Retail with the counts of its manifest, and again stores nothing twice',
    async () => {
      const data = join(root, 'retail');
      const summary = JSON.parse(await cartwise(['import', '--data', data, '--json', RETAIL]));
      expect(summary).toMatchObject({
        rows: 541_909,
        events: { read: 25_900, accepted: 25_900, rejected: 0, duplicates: 0 },
        items: { accepted: 4_070, rejected: 0 },
      });
      const stats = JSON.parse(await cartwise(['stats', '--data', data, '--json']));
      expect(stats).toMatchObject({ events: 25_900, items: 4_070, users: 4_372 });
      expect(stats.eventsByType).toEqual({
        'Order Completed': 20_725,
        'Order Refunded': 3_836,
        'Stock Adjusted': 1_336,
        'Bad Debt Adjusted': 3,
      });
      expect(new Date(stats.firstEvent).toISOString()).toBe('2010-12-01T08:26:00.000Z');

      const again = JSON.parse(await cartwise(['import', '--data', data, '--json', RETAIL]));
      expect(again.events).toMatchObject({ accepted: 25_900, duplicates: 25_900 });
      expect(JSON.parse(await cartwise(['stats', '--data', data, '--json'])).events).toBe(25_900);
    },
  );

  it.skipIf(!existsSync(GROCERIES))(
    'loads the Groceries baskets with the counts of its manifest',
    async () => {
      const data = join(root, 'groceries');
      const summary = JSON.parse(
        await cartwise(['import', '--data', data, '--preset', 'baskets', '--json', GROCERIES]),
      );
      expect(summary).toMatchObject({ events: { accepted: 9_835, rejected: 0 }, items: { accepted: 169 } });
      const stats = JSON.parse(await cartwise(['stats', '--data', data, '--json']));
      expect(stats).toMatchObject({ events: 9_835, items: 169, eventsByType: { 'Order Completed': 9_835 } });
    },
  );

  it('streams a file much larger than the memory it is allowed', async () => {
    const file = join(root, 'big.jsonl');
    const out = createWriteStream(file);
    const padding = 'x'.repeat(700);
    const N = 160_000;
    for (let i = 0; i < N; i++) {
      const line = `${JSON.stringify({ type: 'track', userId: `u${i % 5000}`, event: 'Product Viewed', messageId: `big-${i}`, timestamp: '2025-03-01T10:00:00Z', properties: { product_id: `p${i % 900}`, note: padding } })}\n`;
      if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
    expect(statSync(file).size).toBeGreaterThan(120 * 1024 * 1024);
    // A JavaScript heap of 64 MB cannot hold the file: only streaming gets through.
    const summary = JSON.parse(
      await cartwise(['import', '--data', join(root, 'big'), '--json', file], ['--max-old-space-size=64']),
    );
    expect(summary.events).toMatchObject({ read: N, accepted: N, rejected: 0 });
  });

  it('reports the first rejects with file, line and field, and fails when nothing is valid', async () => {
    const file = join(root, 'bad.jsonl');
    const out = createWriteStream(file);
    out.write(
      `${JSON.stringify({ type: 'track', userId: 'u', event: 'Product Viewed', properties: { product_id: 'p', price: -1 } })}\n`,
    );
    out.write('{not json\n');
    await new Promise<void>((r) => out.end(() => r()));
    const failed = await cartwise(['import', '--data', join(root, 'bad'), '--json', file]).catch(
      (e: { code: number; stdout: string }) => e,
    );
    expect(typeof failed === 'object' && 'code' in failed && failed.code).toBe(1);
    const summary = JSON.parse((failed as { stdout: string }).stdout);
    expect(summary.rejects.map((r: { line: number; field: string }) => [r.line, r.field])).toEqual([
      [1, 'properties.price'],
      [2, '(line)'],
    ]);
  });
});
