import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSize, isGzipFile, readFirstLine, readTextFile } from './text-file.js';

const dir = mkdtempSync(join(tmpdir(), 'cartwise-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(path: string, options = {}) {
  let text = '';
  for await (const chunk of readTextFile(path, options)) text += chunk;
  return text;
}

describe('readTextFile', () => {
  it('reads gzip transparently, whatever the name, and reports compressed bytes', async () => {
    const body = 'héllo,wörld\n'.repeat(5000);
    const gz = gzipSync(Buffer.from(body));
    const path = join(dir, 'data.csv'); // no .gz: detected from the magic bytes
    writeFileSync(path, gz);
    expect(await isGzipFile(path)).toBe(true);
    const seen: number[] = [];
    expect(await readAll(path, { highWaterMark: 1024, onBytes: (n: number) => seen.push(n) })).toBe(body);
    expect(seen.at(-1)).toBe(gz.length);
    expect(seen.length).toBeGreaterThan(1);
  });

  it('decodes UTF-8 across chunk boundaries and drops a BOM', async () => {
    const path = join(dir, 'utf8.txt');
    writeFileSync(path, `\uFEFF${'€𝄞'.repeat(1000)}`);
    expect(await readAll(path, { highWaterMark: 7 })).toBe('€𝄞'.repeat(1000));
  });

  it('decodes ISO-8859-1', async () => {
    const path = join(dir, 'latin1.txt');
    writeFileSync(path, Buffer.from([0x43, 0x69, 0x74, 0xe9, 0x0a])); // "Cité\n"
    expect(await readAll(path, { encoding: 'latin1' })).toBe('Cité\n');
    expect(await readFirstLine(path, 'latin1')).toBe('Cité');
  });

  it('names the file when it is missing or corrupt', async () => {
    await expect(readAll(join(dir, 'nope.csv'))).rejects.toThrow(/nope\.csv: no such file or directory/);
    await expect(fileSize(join(dir, 'nope.csv'))).rejects.toThrow(/nope\.csv: no such file/);
    const bad = join(dir, 'bad.gz');
    writeFileSync(bad, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    await expect(readAll(bad)).rejects.toThrow(/bad\.gz/);
  });

  it('closes the file when the reader stops early', async () => {
    const path = join(dir, 'big.txt');
    writeFileSync(path, 'x\n'.repeat(100_000));
    for await (const _ of readTextFile(path, { highWaterMark: 16 })) break;
    expect(await readFirstLine(path)).toBe('x');
  });
});
