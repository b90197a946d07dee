import { expect, it } from 'vitest';
import type { Ranked } from '../../core/topk.js';
import type { Artifact, FittedSession, SessionData, SessionEstimator } from './contract.js';

/**
 * The behaviour every session model shares, run by each model's test file: a small problem with a
 * known answer, k beyond the catalog, exclusions, determinism, refitting, artifacts, and requests
 * that are empty or name items the model does not know.
 */
export interface SessionModelCase {
  /** A fresh estimator. */
  create: () => SessionEstimator;
  /** Rebuilds a fitted model from its artifact. */
  load: (artifact: Artifact) => FittedSession;
  /** False for models that answer every session alike (popularity). */
  sequential: boolean;
}

/** Sessions from item lists, one hour apart, views one minute apart, in the order given. */
export function sessionsOf(lists: readonly (readonly number[])[], itemCount: number): SessionData {
  const indptr = new Uint32Array(lists.length + 1);
  lists.forEach((l, s) => {
    indptr[s + 1] = indptr[s]! + l.length;
  });
  const t0 = Date.UTC(2025, 0, 1);
  return {
    indptr,
    items: Uint32Array.from(lists.flat()),
    times: Float64Array.from(lists.flatMap((l, s) => l.map((_, j) => t0 + s * 3_600_000 + j * 60_000))),
    itemCount,
  };
}

/**
 * Two worlds: kitchen items 0-4 and garden items 5-9 viewed in chains (three rounds of
 * [0..4], [0,1,2], [1,2,3] and the garden alike), one session [10, 2], item 11 never viewed.
 * Item 2 is the most viewed (10 views); after garden 5, 6 comes 7 in every session.
 */
export function twoWorlds(): SessionData {
  const lists: number[][] = [];
  for (let round = 0; round < 3; round++) {
    lists.push([0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [0, 1, 2], [5, 6, 7], [1, 2, 3], [6, 7, 8]);
  }
  lists.push([10, 2]);
  return sessionsOf(lists, 12);
}

const same = (a: Ranked, b: Ranked) => {
  expect([...a.items]).toEqual([...b.items]);
  expect([...a.scores]).toEqual([...b.scores]);
};

/** Registers the shared session-model tests. */
export function checkSessionModel(c: SessionModelCase): void {
  const data = twoWorlds();
  const requests = [[5, 6], [0, 1, 2], [6], [10], [3, 8, 3]];

  it('answers the small problem as expected (known answer)', () => {
    const model = c.create().fit(data);
    expect(model.items).toBe(12);
    const garden = model.recommend([5, 6], 3, (i) => i === 5 || i === 6);
    if (c.sequential) {
      expect(garden.items[0]).toBe(7);
      expect([...garden.items].every((i) => i >= 7 && i <= 9)).toBe(true);
    } else {
      expect(garden.items[0]).toBe(2);
    }
  });

  it('returns at most the catalog when k is larger, best first, and honors exclusions', () => {
    const model = c.create().fit(data);
    for (const r of requests) {
      const all = model.recommend(r, 100);
      expect(all.items.length).toBeLessThanOrEqual(12);
      expect(all.items.length).toBe(all.scores.length);
      expect(new Set(all.items).size).toBe(all.items.length);
      expect(
        [...all.scores].every((x, i) => Number.isFinite(x) && (i === 0 || x <= all.scores[i - 1]!)),
      ).toBe(true);
      expect(all.items.includes(11)).toBe(false); // never viewed
      const odd = model.recommend(r, 100, (i) => i % 2 === 0);
      expect([...odd.items].every((i) => i % 2 === 1)).toBe(true);
      expect([...odd.items]).toEqual([...all.items].filter((i) => i % 2 === 1));
      expect(model.recommend(r, 0).items).toHaveLength(0);
    }
  });

  it('gives identical results on every fit, and a refit forgets the previous data', () => {
    const estimator = c.create();
    const a = estimator.fit(data);
    estimator.fit(
      sessionsOf(
        [
          [11, 10, 9],
          [9, 11],
        ],
        12,
      ),
    );
    const b = estimator.fit(data);
    const other = c.create().fit(data);
    for (const r of requests) {
      same(b.recommend(r, 20), a.recommend(r, 20));
      same(other.recommend(r, 20), a.recommend(r, 20));
      same(a.recommend(r, 20), a.recommend(r, 20));
    }
  });

  it('survives a round trip through its artifact', () => {
    const model = c.create().fit(data);
    const artifact = model.toArtifact();
    expect(artifact.name).toBe(model.name);
    const header = { name: artifact.name, params: artifact.params, meta: artifact.meta };
    expect(JSON.parse(JSON.stringify(header))).toEqual(header);
    const loaded = c.load(structuredClone(artifact));
    expect(loaded.name).toBe(model.name);
    expect(loaded.params).toEqual(model.params);
    for (const r of requests) same(loaded.recommend(r, 20), model.recommend(r, 20));
    expect(() => c.load({ ...artifact, name: 'something-else' })).toThrow();
  });

  it('handles an empty session and items it does not know without throwing', () => {
    const model = c.create().fit(data);
    const empty = model.recommend([], 5);
    expect(empty.items.length).toBe(c.sequential ? 0 : 5);
    same(model.recommend([5, 99, 6, -1, 2.5, Number.NaN, 12], 20), model.recommend([5, 6], 20));
    expect(model.recommend([99, 12], 5).items.length).toBe(c.sequential ? 0 : 5);
    expect(model.recommend(Uint32Array.of(5, 6), 5).items.length).toBeGreaterThan(0);
  });

  it('fits no sessions, and refuses malformed data', () => {
    const model = c.create().fit(sessionsOf([], 12));
    expect(model.recommend([5, 6], 5).items).toHaveLength(0);
    expect(() => c.create().fit({ ...data, itemCount: 5 })).toThrow(/itemCount/);
    expect(() => c.create().fit({ ...data, times: new Float64Array(1) })).toThrow(/times/);
  });
}
