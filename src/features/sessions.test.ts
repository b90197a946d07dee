import { describe, expect, it } from 'vitest';
import type { InteractionBatch } from '../store/store.js';
import { buildSessions } from './sessions.js';

const MIN = 60_000;
const T0 = Date.UTC(2025, 0, 1);

/** Rows [user, item, event, minutes after T0], split into batches of two as a store would stream them. */
async function* batches(rows: [string, string, string, number][]): AsyncGenerator<InteractionBatch> {
  for (let i = 0; i < rows.length; i += 2) {
    const part = rows.slice(i, i + 2);
    yield {
      user: part.map((r) => r[0]),
      item: part.map((r) => r[1]),
      event: part.map((r) => r[2]),
      timestamp: Float64Array.from(part, (r) => T0 + r[3] * MIN),
      rating: new Float64Array(part.length).fill(Number.NaN),
      quantity: new Float64Array(part.length).fill(Number.NaN),
    };
  }
}

const V = 'Product Viewed';
const listOf = (s: Awaited<ReturnType<typeof buildSessions>>) =>
  Array.from({ length: s.sessions.indptr.length - 1 }, (_, j) =>
    [...s.sessions.items.subarray(s.sessions.indptr[j]!, s.sessions.indptr[j + 1]!)].map((i) =>
      s.items.id(i),
    ),
  );

describe('buildSessions', () => {
  const rows: [string, string, string, number][] = [
    ['anon:a', 'shoe', V, 0],
    ['u1', 'hat', V, 1],
    ['anon:a', 'sock', 'Product Clicked', 10],
    ['u1', 'hat', 'Order Completed', 2],
    ['u1', 'scarf', 'Product Added', 20],
    ['anon:a', 'shoe', V, 45], // 35 minutes later: a new session, alone, dropped
    ['u1', 'hat', V, 50], // 30 minutes after scarf: same session
    ['anon:b', 'sock', V, 60],
    ['anon:b', 'belt', V, 61],
    ['anon:b', 'shoe', V, 62],
  ];

  it('splits each shopper by inactivity, keeps sessions of two or more, sorted by start', async () => {
    const s = await buildSessions(batches(rows));
    expect(listOf(s)).toEqual([
      ['shoe', 'sock'],
      ['hat', 'scarf', 'hat'],
      ['sock', 'belt', 'shoe'],
    ]);
    expect(s.items.list()).toEqual(['shoe', 'sock', 'hat', 'scarf', 'belt']);
    expect(s.sessions.itemCount).toBe(5);
    expect([...s.sessions.times.subarray(2, 5)]).toEqual([1, 20, 50].map((m) => T0 + m * MIN));
    expect(s.counts).toEqual({ read: 10, events: 9, shoppers: 3, sessions: 3, short: 1 });
  });

  it('takes the gap, the minimum length and the event names as options', async () => {
    const one = await buildSessions(batches(rows), { gapMinutes: Number.POSITIVE_INFINITY });
    expect(listOf(one)[0]).toEqual(['shoe', 'sock', 'shoe']);
    const tight = await buildSessions(batches(rows), { gapMinutes: 5, minLength: 1 });
    expect(listOf(tight)).toEqual([
      ['shoe'],
      ['hat'],
      ['sock'],
      ['scarf'],
      ['shoe'],
      ['hat'],
      ['sock', 'belt', 'shoe'],
    ]);
    const viewsOnly = await buildSessions(batches(rows), { events: [V] });
    expect(listOf(viewsOnly)).toEqual([['sock', 'belt', 'shoe']]);
    await expect(buildSessions(batches(rows), { minLength: 0 })).rejects.toThrow(/minLength/);
  });

  it('returns empty sessions from an empty store', async () => {
    const s = await buildSessions(batches([]));
    expect(s.sessions.indptr).toEqual(Uint32Array.of(0));
    expect(s.sessions.itemCount).toBe(0);
  });
});
