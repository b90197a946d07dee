import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectPreset } from './detect.js';

const dir = mkdtempSync(join(tmpdir(), 'cartwise-detect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, body = ''): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

describe('detectPreset', () => {
  it('recognizes each family by names and first lines', async () => {
    const gen = join(dir, 'gen');
    mkdirSync(gen);
    writeFileSync(join(gen, 'cartwise-store.json'), '{}');
    expect(await detectPreset(gen)).toBe('cartwise');
    const ml = join(dir, 'ml');
    mkdirSync(ml);
    writeFileSync(join(ml, 'u.data'), '');
    expect(await detectPreset(ml)).toBe('movielens');
    expect(await detectPreset(file('ratings.dat'))).toBe('movielens');
    expect(await detectPreset(file('retail.csv', 'InvoiceNo,StockCode,Description\n'))).toBe('online-retail');
    expect(await detectPreset(file('retail2.csv', 'Invoice,StockCode,Description\n'))).toBe('online-retail');
    expect(await detectPreset(file('export.json', '{"type":"track","event":"x"}\n'))).toBe('segment');
    expect(await detectPreset(file('items.jsonl', '{"id":"a","type":"shoe"}\n'))).toBe('generic');
    expect(await detectPreset(file('events.csv', 'event,userId\n'))).toBe('generic');
  });

  it('explains what to do when it cannot tell', async () => {
    await expect(detectPreset(file('groceries.csv', 'milk,bread\n'))).rejects.toThrow(
      /groceries\.csv: cannot tell what it holds \(.*\); pass --preset with one of segment, movielens, online-retail, baskets, interactions, cartwise, generic/,
    );
    await expect(detectPreset(join(dir, 'missing.csv'))).rejects.toThrow(
      /missing\.csv: no such file or directory/,
    );
  });
});
