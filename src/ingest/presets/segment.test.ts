import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles } from '../import.js';
import { MemorySink } from './memory-sink.js';
import { exportedMessage } from './segment.js';

const dir = mkdtempSync(join(tmpdir(), 'cartwise-segment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = [
  {
    type: 'track',
    event: 'Product Added',
    userId: 'u1',
    messageId: 'seg-1',
    timestamp: '2024-03-01T10:00:00.000Z',
    properties: { product_id: 'p1', price: 10, quantity: 1 },
    receivedAt: '2024-03-01T10:00:01.000Z',
    _metadata: { bundled: ['Segment.io'] },
    projectId: 'abc',
  },
  {
    type: 'identify',
    userId: 'u1',
    traits: { email: 'a@b.c' },
    messageId: 'seg-2',
    timestamp: '2024-03-01T10:00:00Z',
  },
  {
    type: 'page',
    anonymousId: 'anon-9',
    name: 'Home',
    rudderId: 'r-1',
    channel: 'web',
    originalTimestamp: '2024-03-01T09:59:58.000Z',
    sentAt: '2024-03-01T10:00:00.000Z',
    receivedAt: '2024-03-01T10:00:05.000Z',
  },
  {
    type: 'alias',
    previousId: 'anon-9',
    userId: 'u1',
    messageId: 'seg-4',
    timestamp: '2024-03-01T10:01:00Z',
  },
  { type: 'group', userId: 'u1', groupId: 'acme', messageId: 'seg-5', timestamp: '2024-03-01T10:02:00Z' },
  { type: 'screen', userId: 'u1', name: 'Cart', messageId: 'seg-6', timestamp: '2024-03-01T10:03:00Z' },
];

describe('segment preset', () => {
  it('imports gzipped Segment/RudderStack exports, ignoring export-only fields', async () => {
    const path = join(dir, 'export.jsonl.gz');
    const body = `${lines.map((l) => JSON.stringify(l)).join('\r\n')}\r\n{broken\n{"type":"track","event":"X"}\n`;
    writeFileSync(path, gzipSync(body));
    const sink = new MemorySink();
    const summary = await importFiles([path], {}, sink);
    expect(summary.files[0]!.preset).toBe('segment');
    expect(summary.events).toMatchObject({ read: 8, accepted: 6, rejected: 2 });
    expect(summary.rejects.map((r) => [r.line, r.field])).toEqual([
      [7, '(line)'],
      [8, 'userId'],
    ]);
    expect(sink.events.map((e) => e.type)).toEqual(['track', 'identify', 'page', 'alias', 'group', 'screen']);
    const page = sink.events[2]!;
    // No timestamp: Segment's skew correction with the export's own receivedAt.
    expect(page.timestamp).toBe(Date.parse('2024-03-01T10:00:03.000Z'));
    expect(page.messageId).toMatch(/^segment-[A-Za-z0-9_-]{22}$/);
    expect(sink.events[3]).toMatchObject({ type: 'alias', targetId: 'anon-9' });
    const again = await importFiles([path], {}, sink);
    expect(again.events.duplicates).toBe(6);
  });

  it('renames fields with --map', async () => {
    const path = join(dir, 'mapped.jsonl');
    writeFileSync(path, '{"type":"track","event":"E","user_id":"u9","timestamp":"2024-01-01T00:00:00Z"}\n');
    const sink = new MemorySink();
    await importFiles([path], { map: 'user_id=userId' }, sink);
    expect(sink.events[0]!.userId).toBe('u9');
  });

  it('fixes exported time fields', () => {
    expect(exportedMessage({ timestamp: '2024-01-01 10:00:00' }, 'Europe/Berlin')).toEqual({
      timestamp: '2024-01-01T09:00:00.000Z',
    });
    expect(exportedMessage({ originalTimestamp: '2024-01-01T10:00:00Z' }, 'UTC').timestamp).toBe(
      '2024-01-01T10:00:00.000Z',
    );
    const same = { timestamp: '2024-01-01T10:00:00Z' };
    expect(exportedMessage(same, 'UTC')).toBe(same);
  });
});
