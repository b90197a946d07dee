import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../store/records.js';
import { type ImportProgress, importFiles } from './import.js';
import { MemorySink } from './presets/memory-sink.js';

const dir = mkdtempSync(join(tmpdir(), 'cartwise-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

const interactions = (n: number) =>
  Array.from(
    { length: n },
    (_, i) => `user-${i % 1000},item-${i % 977},${(i % 5) + 1},${1_700_000_000 + i}`,
  ).join('\n');

describe('importFiles', () => {
  it('streams: writes batches while the file is still being read, each write awaited', async () => {
    const path = file('big.csv', `${interactions(120_000)}\n`); // ~4.4 MB, read in 1 MiB chunks
    let progress: ImportProgress | null = null;
    let firstWriteAt: number | null = null;
    let writing = false;
    let maxBatch = 0;
    let stored = 0;
    const sink = {
      async appendEvents(events: readonly StoredEvent[]) {
        expect(writing).toBe(false); // the import never has two writes in flight
        writing = true;
        firstWriteAt ??= progress?.bytesRead ?? 0;
        maxBatch = Math.max(maxBatch, events.length);
        stored += events.length;
        await new Promise((r) => setTimeout(r, 1));
        writing = false;
        return { stored: events.length, duplicates: 0 };
      },
      async upsertItems() {},
      async upsertUsers() {},
    };
    const summary = await importFiles([path], { preset: 'interactions', batchSize: 10_000 }, sink, (p) => {
      progress = p;
    });
    expect(summary.events).toEqual({ read: 120_000, accepted: 120_000, rejected: 0, duplicates: 0 });
    expect(stored).toBe(120_000);
    expect(maxBatch).toBe(10_000);
    expect(firstWriteAt).toBeGreaterThan(0);
    expect(firstWriteAt!).toBeLessThan(summary.files[0]!.bytes / 2);
    expect(progress).toEqual({
      file: path,
      bytesRead: summary.files[0]!.bytes,
      bytesTotal: summary.files[0]!.bytes,
      records: 120_000,
    });
  });

  it('summarizes read, accepted, rejected and duplicates, keeping the first rejects with their lines', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `u${i},,${i}`).join('\n');
    const path = file('rejects.csv', `u,i,1\n${rows}\n`);
    const sink = new MemorySink();
    const summary = await importFiles([path], { preset: 'interactions', batchSize: 7 }, sink);
    expect(summary.events).toEqual({ read: 31, accepted: 1, rejected: 30, duplicates: 0 });
    expect(summary.rejects).toHaveLength(20);
    expect(summary.rejects[0]).toEqual({
      file: path,
      line: 2,
      kind: 'event',
      field: 'properties.product_id',
      message: 'properties.product_id: must not be empty',
    });
    expect(summary.seconds).toBeGreaterThanOrEqual(0);
    const again = await importFiles([path], { preset: 'interactions', maxRejects: 2 }, sink);
    expect(again.events.duplicates).toBe(1);
    expect(again.rejects).toHaveLength(2);
  });

  it('imports several files and presets in one call, with one progress total', async () => {
    const a = file('plays.csv', 'u1,i1\n');
    const b = file('events.jsonl', '{"type":"track","event":"E","userId":"u","messageId":"x"}\n');
    const seen: ImportProgress[] = [];
    const sink = new MemorySink();
    const summary = await importFiles([b], {}, sink, (p) => seen.push(p));
    expect(summary.files.map((f) => f.preset)).toEqual(['segment']);
    expect(seen.at(-1)!.bytesRead).toBe(seen.at(-1)!.bytesTotal);
    const both = await importFiles([a, b], { preset: 'interactions' }, sink);
    expect(both.files.map((f) => f.preset)).toEqual(['interactions', 'interactions']);
  });

  it('stops on an abort signal', async () => {
    const path = file('abort.csv', `${interactions(50_000)}\n`);
    const controller = new AbortController();
    const sink = {
      async appendEvents(events: readonly StoredEvent[]) {
        controller.abort();
        return { stored: events.length, duplicates: 0 };
      },
      async upsertItems() {},
      async upsertUsers() {},
    };
    await expect(
      importFiles([path], { preset: 'interactions', batchSize: 100, signal: controller.signal }, sink),
    ).rejects.toThrow(/abort/i);
  });

  it('fails with one-line errors naming the file or option', async () => {
    const ok = file('ok.csv', 'u,i\n');
    const sink = new MemorySink();
    await expect(importFiles([], {}, sink)).rejects.toThrow('import: no files given');
    await expect(importFiles([join(dir, 'nope.csv')], { preset: 'interactions' }, sink)).rejects.toThrow(
      /nope\.csv: no such file or directory/,
    );
    // biome-ignore lint/suspicious/noExplicitAny: an invalid preset name, as the CLI could pass one
    await expect(importFiles([ok], { preset: 'excel' as any }, sink)).rejects.toThrow(
      '--preset: unknown preset "excel"; choose one of segment, movielens, online-retail, baskets, interactions, cartwise, generic',
    );
    const header = file('header.csv', 'user,item\nu,i\n');
    await expect(importFiles([header], { preset: 'interactions', map: 'x=user' }, sink)).rejects.toThrow(
      '--map: unknown column "x"; available columns: user, item',
    );
    await expect(importFiles([ok], { preset: 'interactions', map: 'x=user' }, sink)).rejects.toThrow(
      '--map: unknown column "x"; available columns: (none: these files have no named columns)',
    );
    await expect(importFiles([ok], { preset: 'interactions', timezone: 'Nowhere' }, sink)).rejects.toThrow(
      /--timezone: unknown time zone "Nowhere"/,
    );
    await expect(importFiles([ok], { preset: 'baskets', start: 'soon' }, sink)).rejects.toThrow(
      '--start: expected an ISO 8601 date-time, got "soon"',
    );
    // biome-ignore lint/suspicious/noExplicitAny: an invalid kind, as the CLI could pass one
    await expect(importFiles([ok], { kind: 'orders' as any }, sink)).rejects.toThrow(
      /--kind: expected events, items or users/,
    );
  });
});
