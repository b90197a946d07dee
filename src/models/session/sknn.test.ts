import { describe, expect, it } from 'vitest';
import { checkSessionModel, sessionsOf } from './session.conformance.js';
import { loadSknn, sknn } from './sknn.js';

describe('sknn', () => {
  checkSessionModel({ create: () => sknn(), load: loadSknn, sequential: true });

  // A = [1,2,3] (oldest), B = [2,4], C = [3,4,5] (newest).
  const data = sessionsOf(
    [
      [1, 2, 3],
      [2, 4],
      [3, 4, 5],
    ],
    6,
  );
  const cos = (shared: number, a: number, b: number) => shared / Math.sqrt(a * b);

  it('scores items by the summed cosine of the neighbors holding them', () => {
    const r = sknn().fit(data).recommend([2, 3], 10);
    const a = cos(2, 2, 3);
    const b = cos(1, 2, 2);
    const c = cos(1, 2, 3);
    expect([...r.items]).toEqual([2, 3, 4, 1, 5]);
    expect([...r.scores]).toEqual([a + b, a + c, b + c, a, c].map(Math.fround));
  });

  it('takes candidates from the most recent sessions and keeps the k most similar', () => {
    const recent = sknn({ sampleSize: 2 }).fit(data).recommend([2, 3], 10);
    expect([...recent.items]).toEqual([4, 2, 3, 5]); // A is too old; 3 and 5 tie, lower index first
    expect(sknn({ sampleSize: 0 }).fit(data).recommend([2, 3], 10)).toEqual(
      sknn().fit(data).recommend([2, 3], 10),
    );
    const one = sknn({ k: 1 }).fit(data).recommend([2, 3], 10);
    expect([...one.items]).toEqual([1, 2, 3]);
  });

  it('measures recency by the end of a session, not its start', () => {
    const t0 = Date.UTC(2025, 0, 1);
    // X starts first but ends last; Y starts later and ends early.
    const longFirst = {
      indptr: Uint32Array.of(0, 2, 4),
      items: Uint32Array.of(0, 1, 0, 2),
      times: Float64Array.of(t0, t0 + 10 * 3_600_000, t0 + 3_600_000, t0 + 3_660_000),
      itemCount: 3,
    };
    expect([...sknn({ sampleSize: 1 }).fit(longFirst).recommend([0], 5).items]).toEqual([0, 1]);
  });

  it('rejects bad parameters', () => {
    expect(() => sknn({ k: 0 })).toThrow(/k must/);
    expect(() => sknn({ sampleSize: -1 })).toThrow(/sampleSize/);
    expect(() => sknn({ neighbours: 5 } as never)).toThrow(/unknown parameter "neighbours"/);
  });
});
