import { describe, expect, it } from 'vitest';
import { csrFromCoo } from '../../core/csr.js';
import { Rng } from '../../core/rng.js';
import { topK } from '../../core/topk.js';
import { ease } from './ease.js';
import { ials } from './ials.js';
import { TopLists } from './top-lists.js';

/** A random implicit matrix: 60 users x 40 items, ~15% filled. */
function randomMatrix(seed: number) {
  const rng = new Rng(seed);
  const r: number[] = [];
  const c: number[] = [];
  for (let u = 0; u < 60; u++)
    for (let i = 0; i < 40; i++)
      if (rng.float() < 0.15) {
        r.push(u);
        c.push(i);
      }
  return csrFromCoo(60, 40, r, c, new Array(r.length).fill(1));
}

describe('TopLists', () => {
  it('gives exactly the live topK under any filter whenever it says its answer is final', async () => {
    const x = randomMatrix(7);
    const rng = new Rng(11);
    for (const model of [
      await ease({ lambda: 5 }).fit({ interactions: x }),
      await ials({ factors: 4, seed: 3 }).fit({ interactions: x }),
    ]) {
      const users = TopLists.forUsers(model, x.rows, 12);
      const items = TopLists.forItems(model, 12)!;
      let final = 0;
      let ranOut = 0;
      for (let trial = 0; trial < 200; trial++) {
        const byUser = trial % 2 === 0;
        const lists = byUser ? users : items;
        const row = rng.int(lists.rows);
        const n = 1 + rng.int(10);
        const keep = rng.float();
        const drop = new Set(Array.from({ length: 40 }, (_, i) => i).filter(() => rng.float() > keep));
        const got: number[] = [];
        const scores: number[] = [];
        const done = lists.walk(row, n, (i, s) => {
          if (drop.has(i)) return false;
          got.push(i);
          scores.push(s);
          return true;
        });
        const live = new Float32Array(40);
        if (byUser) model.score(row, live);
        else model.similarItems!(row, live);
        const expected = topK(live, n, (i) => drop.has(i));
        if (done) {
          final++;
          expect(got).toEqual([...expected.items]);
          expect(scores).toEqual([...expected.scores]);
        } else {
          ranOut++;
          // The list ran out: what it gave is the head of the live answer.
          expect(got).toEqual([...expected.items].slice(0, got.length));
        }
      }
      expect(final).toBeGreaterThan(50);
      expect(ranOut).toBeGreaterThan(5);
    }
  });

  it('survives its artifact and refuses a damaged one', async () => {
    const model = await ease({ lambda: 5 }).fit({ interactions: randomMatrix(1) });
    const lists = TopLists.forUsers(model, 60, 5);
    const back = TopLists.fromArtifact(lists.toArtifact('users'));
    expect(back.model).toBe('ease');
    const walked = (l: TopLists) => {
      const out: number[] = [];
      l.walk(3, 5, (i) => out.push(i) > 0);
      return out;
    };
    expect(walked(back)).toEqual(walked(lists));
    const bad = lists.toArtifact('users');
    bad.arrays.items = (bad.arrays.items as Uint32Array).subarray(1);
    expect(() => TopLists.fromArtifact(bad)).toThrow(/inconsistent/);
  });
});
