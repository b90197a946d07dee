import { describe, expect, it } from 'vitest';
import type { FittedSession, SessionData } from '../models/session/contract.js';
import { evaluateNextItems, filterSessions, sessionProtocol, splitSessions } from './sessions.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2016, 0, 1);

/** Sessions given as [[item, day], ...] lists (views of a session one minute apart within the day given). */
function sessions(lists: [number, number][][], itemCount: number): SessionData {
  const indptr = new Uint32Array(lists.length + 1);
  lists.forEach((l, s) => {
    indptr[s + 1] = indptr[s]! + l.length;
  });
  return {
    indptr,
    items: Uint32Array.from(lists.flat(), ([i]) => i),
    times: Float64Array.from(lists.flatMap((l) => l.map(([, d], j) => T0 + d * DAY + j * 60_000))),
    itemCount,
  };
}

const lists = (d: SessionData) =>
  Array.from({ length: d.indptr.length - 1 }, (_, s) => [
    ...d.items.subarray(d.indptr[s]!, d.indptr[s + 1]!),
  ]);

describe('filterSessions', () => {
  it('drops short sessions, then rare items, then sessions made short, once', () => {
    // Item 9 is viewed 3 times but twice in a single-view session dropped first: support 1.
    const data = sessions(
      [
        [
          [1, 0],
          [2, 0],
        ],
        [[9, 1]],
        [[9, 1]],
        [
          [1, 2],
          [9, 2],
          [2, 2],
        ],
        [
          [3, 3],
          [1, 3],
        ],
        [
          [2, 4],
          [1, 4],
        ],
      ],
      10,
    );
    expect(lists(filterSessions(data, { minItemSupport: 2 }))).toEqual([
      [1, 2],
      [1, 2],
      [2, 1],
    ]);
    // Without the length filter, 9 keeps its three views and 3 (one view) goes.
    expect(lists(filterSessions(data, { minItemSupport: 2, minSessionLength: 1 }))).toEqual([
      [1, 2],
      [9],
      [9],
      [1, 9, 2],
      [1],
      [2, 1],
    ]);
    expect(lists(filterSessions(data, { minItemSupport: 1 }))).toEqual([
      [1, 2],
      [1, 9, 2],
      [3, 1],
      [2, 1],
    ]);
  });
});

describe('splitSessions', () => {
  it('puts sessions ending in the last days into the test set, with items known from training', () => {
    const data = sessions(
      [
        [
          [1, 0],
          [2, 0],
          [3, 0],
        ],
        [
          [2, 5],
          [3, 5],
        ],
        [
          [1, 8],
          [4, 8],
          [2, 9],
        ], // starts before the cut, ends after it: test
        [
          [4, 10],
          [5, 10],
        ], // 4 and 5 unknown to training: dropped
        [
          [3, 10],
          [2, 10],
        ],
      ],
      6,
    );
    const { train, test, testFrom } = splitSessions(data, { testDays: 2 });
    expect(testFrom).toBe(T0 + 10 * DAY + 60_000 - 2 * DAY);
    expect(lists(train)).toEqual([
      [1, 2, 3],
      [2, 3],
    ]);
    expect(lists(test)).toEqual([
      [1, 2],
      [3, 2],
    ]);
    expect(train.itemCount).toBe(6);
    expect(test.times[1]).toBe(T0 + 9 * DAY + 2 * 60_000);
  });

  it('filters first when asked for the whole protocol', () => {
    const data = sessions(
      [
        [
          [1, 0],
          [2, 0],
        ],
        [
          [1, 1],
          [2, 1],
        ],
        [
          [1, 9],
          [2, 9],
          [3, 9],
        ],
      ],
      4,
    );
    expect(lists(sessionProtocol(data, { minItemSupport: 1, testDays: 1 }).test)).toEqual([[1, 2]]);
    expect(lists(sessionProtocol(data, { testDays: 1 }).test)).toEqual([]); // support 3 < 5 for all
  });
});

describe('evaluateNextItems', () => {
  // Recommends (last + 1, last + 2, ..., last + 5) mod 10.
  const stepper: FittedSession = {
    name: 'stepper',
    params: {},
    items: 10,
    recommend(session, k) {
      const last = session[session.length - 1]!;
      const items = Uint32Array.from({ length: Math.min(k, 5) }, (_, j) => (last + j + 1) % 10);
      return { items, scores: Float32Array.from(items, (_, j) => 1 - j / 10) };
    },
    toArtifact: () => ({ name: 'stepper', params: {}, meta: {}, arrays: {} }),
  };

  it('predicts every view after the first from its prefix: HR@k and MRR@k with intervals', () => {
    // Predictions: 1->2 rank 1, 2->4 rank 2, 4->0 not in list, 5->9 rank 4.
    const test = sessions(
      [
        [
          [1, 0],
          [2, 0],
          [4, 0],
          [0, 0],
        ],
        [
          [5, 1],
          [9, 1],
        ],
      ],
      10,
    );
    const report = evaluateNextItems(stepper, test, { ks: [3, 5] });
    expect(report.sessions).toBe(2);
    expect(report.predictions).toBe(4);
    expect(report.metrics['hr@3']!.mean).toBe(2 / 4);
    expect(report.metrics['hr@5']!.mean).toBe(3 / 4);
    expect(report.metrics['mrr@3']!.mean).toBe((1 + 1 / 2) / 4);
    expect(report.metrics['mrr@5']!.mean).toBe((1 + 1 / 2 + 1 / 4) / 4);
    const ci = report.metrics['hr@5']!.ci;
    expect(ci[0]).toBeLessThan(0.75);
    expect(ci[1]).toBeGreaterThan(0.75);
    expect(Object.keys(evaluateNextItems(stepper, test).metrics)).toEqual([
      'hr@20',
      'mrr@20',
      'hr@10',
      'mrr@10',
    ]);
  });
});
