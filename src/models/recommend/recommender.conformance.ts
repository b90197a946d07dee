import { expect, it } from 'vitest';
import { csrFromCoo, type SparseRow } from '../../core/csr.js';
import {
  type Artifact,
  type Estimator,
  type Fitted,
  recommend,
  similar,
  type TrainingData,
} from './contract.js';

/**
 * The behaviour every recommender shares, run by each model's test file: a small problem with a
 * known answer, k beyond the catalog, exclusions, determinism, refitting, artifacts and users the
 * model never saw.
 */
export interface RecommenderCase {
  /** A fresh estimator (with its seed fixed by the test). */
  create: () => Estimator;
  /** Rebuilds a fitted model from its artifact. */
  load: (artifact: Artifact) => Fitted;
  /** False for models that give every user the same list (popularity, trending, latest). */
  personalized: boolean;
  /** True when `similarItems` must be offered. */
  similarItems: boolean;
}

/**
 * Two tastes: users 0-9 like items 0-4, users 10-19 like items 5-9; user u skips item u % 5 of
 * their group. Item 10 is liked by nobody. Ratings mirror it: 5 inside the group, 1 for the few
 * cross-group items each user also rated.
 */
export function twoTastes(): TrainingData {
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  const rr: number[] = [];
  const rc: number[] = [];
  const rv: number[] = [];
  for (let u = 0; u < 20; u++) {
    const base = u < 10 ? 0 : 5;
    const other = u < 10 ? 5 : 0;
    for (let j = 0; j < 5; j++) {
      if (j === u % 5) continue;
      r.push(u);
      c.push(base + j);
      v.push(1 + ((u + j) % 3));
      rr.push(u);
      rc.push(base + j);
      rv.push(4 + ((u + j) % 2));
    }
    // Each user also rated two items of the other group, low.
    for (const j of [(u + 1) % 5, (u + 3) % 5]) {
      rr.push(u);
      rc.push(other + j);
      rv.push(1 + (u % 2));
    }
  }
  return {
    interactions: csrFromCoo(20, 11, r, c, v),
    ratings: csrFromCoo(20, 11, rr, rc, rv),
    lastSeen: Float64Array.from(r, (_, i) => Date.UTC(2025, 0, 1) + i * 3_600_000),
    now: Date.UTC(2025, 0, 10),
    items: Array.from({ length: 11 }, (_, i) => ({
      title: i < 5 ? `red wool jumper ${i}` : i < 10 ? `blue steel kettle ${i}` : 'green paper lantern',
      category: i < 5 ? 'Clothing > Knitwear' : i < 10 ? 'Home > Kitchen' : 'Home > Decor',
      brand: i < 5 ? 'Nordic' : 'Forge',
      createdAt: Date.UTC(2024, 0, 1 + i),
    })),
  };
}

const scoresOf = (model: Fitted, user: number | SparseRow) => {
  const out = new Float32Array(model.items);
  model.score(user, out);
  return out;
};

/** Registers the shared recommender tests. */
export function checkRecommender(c: RecommenderCase): void {
  const data = twoTastes();
  const seen = (u: number) => {
    const m = c.create().kind === 'explicit' ? data.ratings! : data.interactions;
    const set = new Set<number>();
    for (let k = m.indptr[u]!; k < m.indptr[u + 1]!; k++) set.add(m.indices[k]!);
    return set;
  };

  it('scores every item with finite or -Infinity numbers', async () => {
    const model = await c.create().fit(data);
    expect(model.items).toBe(11);
    const s = scoresOf(model, 0);
    expect(s).toHaveLength(11);
    expect([...s].every((x) => Number.isFinite(x) || x === Number.NEGATIVE_INFINITY)).toBe(true);
  });

  if (c.personalized) {
    it("ranks a user's own taste above the other one (known answer)", async () => {
      const model = await c.create().fit(data);
      for (const u of [0, 3, 12, 19]) {
        const mine = u < 10 ? [0, 1, 2, 3, 4] : [5, 6, 7, 8, 9];
        const theirs = u < 10 ? [5, 6, 7, 8, 9] : [0, 1, 2, 3, 4];
        const s = scoresOf(model, u);
        const missing = mine[u % 5]!;
        for (const t of theirs) if (!seen(u).has(t)) expect(s[missing]).toBeGreaterThan(s[t]!);
      }
    });
  }

  it('returns at most the catalog when k is larger, and honors exclusions', async () => {
    const model = await c.create().fit(data);
    const all = recommend(model, 0, 100);
    expect(all.items.length).toBeLessThanOrEqual(11);
    expect(new Set(all.items).size).toBe(all.items.length);
    expect([...all.scores].every((x, i) => i === 0 || x <= all.scores[i - 1]!)).toBe(true);
    const excluded = recommend(model, 0, 100, (i) => i % 2 === 0);
    expect([...excluded.items].every((i) => i % 2 === 1)).toBe(true);
  });

  it('gives identical results for the same seed, and fitting twice equals fitting once', async () => {
    const estimator = c.create();
    const a = await estimator.fit(data);
    const b = await estimator.fit(data);
    const other = await c.create().fit(data);
    for (const u of [0, 7, 15]) {
      expect(scoresOf(b, u)).toEqual(scoresOf(a, u));
      expect(scoresOf(other, u)).toEqual(scoresOf(a, u));
    }
  });

  it('survives a round trip through its artifact', async () => {
    const model = await c.create().fit(data);
    const artifact = structuredClone(model.toArtifact());
    expect(artifact.name).toBe(model.name);
    const loaded = c.load(artifact);
    for (const u of [0, 11]) expect(scoresOf(loaded, u)).toEqual(scoresOf(model, u));
    const row: SparseRow = { indices: Uint32Array.of(5, 6), values: Float32Array.of(4, 5) };
    expect(scoresOf(loaded, row)).toEqual(scoresOf(model, row));
    if (model.predict) expect(loaded.predict!(3, 2)).toBe(model.predict(3, 2));
  });

  it('scores a user it never saw from their interactions', async () => {
    const model = await c.create().fit(data);
    const row: SparseRow = { indices: Uint32Array.of(5, 6, 7), values: Float32Array.of(5, 4, 5) };
    const s = scoresOf(model, row);
    expect([...s].some((x) => Number.isFinite(x))).toBe(true);
    if (c.personalized) {
      // Someone who likes items 5-7 should be offered 8 or 9 before anything of the other taste.
      const best = recommend(model, row, 1, (i) => i <= 7 && i >= 5);
      expect([8, 9]).toContain(best.items[0]);
    }
  });

  if (c.similarItems) {
    it('finds similar items within the same taste', async () => {
      const model = await c.create().fit(data);
      const near = similar(model, 1, 3);
      expect([...near.items].every((i) => i < 5 && i !== 1)).toBe(true);
    });

    it('answers one pair as similarItems answers the whole row', async () => {
      const model = await c.create().fit(data);
      expect(model.similarity).toBeDefined();
      const row = new Float32Array(model.items);
      for (const a of [0, 1, 7]) {
        model.similarItems!(a, row);
        for (let b = 0; b < model.items; b++) {
          const expected = row[b] === Number.NEGATIVE_INFINITY ? 0 : row[b]!;
          expect(model.similarity!(a, b)).toBeCloseTo(expected, 5);
        }
      }
    });
  }

  it('refuses a cancelled fit', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(c.create().fit(data, { signal: controller.signal })).rejects.toThrow();
  });
}
