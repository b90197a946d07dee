import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles } from '../import.js';
import { detectPreset } from './detect.js';
import { MemorySink } from './memory-sink.js';

const dir = mkdtempSync(join(tmpdir(), 'cartwise-diginetica-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('diginetica preset', () => {
  it('turns each row into a view of the anonymous shopper dgn-<session_id>', async () => {
    const path = join(dir, 'train-item-views.csv');
    writeFileSync(
      path,
      [
        'session_id;user_id;item_id;timeframe;eventdate',
        '1;NA;81766;526309;2016-05-09',
        '1;NA;31331;1031018;2016-05-09',
        '2;278;32118;0;2016-01-31',
        '3;NA;;5;2016-05-09',
        '3;NA;9654;5.5;2016-05-09',
        '3;NA;9654;5;2016-02-30',
        '',
      ].join('\n'),
    );
    expect(await detectPreset(path)).toBe('diginetica');
    const sink = new MemorySink();
    const summary = await importFiles([path], {}, sink);
    expect(summary.files[0]!.preset).toBe('diginetica');
    expect(summary.rows).toBe(6);
    expect(summary.events).toEqual({ read: 6, accepted: 3, rejected: 3, duplicates: 0 });
    expect(summary.rejects.map((r) => [r.line, r.field, r.message])).toEqual([
      [5, 'item_id', 'item_id: is empty'],
      [6, 'timeframe', 'timeframe: expected whole milliseconds, got "5.5"'],
      [7, 'eventdate', 'eventdate: expected YYYY-MM-DD, got "2016-02-30"'],
    ]);
    expect(sink.events.map((e) => [e.type, e.event, e.userId, e.anonymousId, e.itemId, e.timestamp])).toEqual(
      [
        ['track', 'Product Viewed', null, 'dgn-1', '81766', Date.UTC(2016, 4, 9) + 526_309],
        ['track', 'Product Viewed', null, 'dgn-1', '31331', Date.UTC(2016, 4, 9) + 1_031_018],
        ['track', 'Product Viewed', null, 'dgn-2', '32118', Date.UTC(2016, 0, 31)],
      ],
    );
    expect(sink.events[2]!.properties).toEqual({ product_id: '32118', diginetica_user_id: '278' });
    expect(sink.events[0]!.messageId).toMatch(/^diginetica-/);
    expect((await importFiles([path], { preset: 'diginetica' }, sink)).events.duplicates).toBe(3);
  });

  it('names missing columns', async () => {
    const path = join(dir, 'other-item-views.csv');
    writeFileSync(path, 'session_id;user_id;item;timeframe;eventdate\n1;NA;2;3;2016-01-01\n');
    await expect(importFiles([path], { preset: 'diginetica' }, new MemorySink())).rejects.toThrow(
      /missing column\(s\) item_id/,
    );
  });
});

const REAL = fileURLToPath(
  new URL('../../../../shared/datasets/diginetica-sample/sample_train-item-views.csv', import.meta.url),
);
const haveReal = existsSync(REAL);

describe('diginetica preset on the real sample', () => {
  it.skipIf(!haveReal)(
    haveReal
      ? 'reproduces the manifest counts exactly'
      : 'reproduces the manifest counts exactly (SKIPPED: ../shared/datasets/diginetica-sample/sample_train-item-views.csv not found)',
    async () => {
      const sink = new MemorySink();
      const summary = await importFiles([REAL], {}, sink);
      expect(summary.rows).toBe(12_391);
      expect(summary.events).toEqual({ read: 12_391, accepted: 12_391, rejected: 0, duplicates: 0 });
      expect(new Set(sink.events.map((e) => e.anonymousId)).size).toBe(2_986);
      expect(new Set(sink.events.map((e) => e.itemId)).size).toBe(7_139);
      expect(sink.events.filter((e) => e.properties?.diginetica_user_id !== undefined)).toHaveLength(4_710);
      const times = sink.events.map((e) => e.timestamp);
      expect(new Date(Math.min(...times)).toISOString().slice(0, 10)).toBe('2016-01-03');
      expect(new Date(Math.max(...times)).toISOString().slice(0, 10)).toBe('2016-06-01');
    },
  );
});
