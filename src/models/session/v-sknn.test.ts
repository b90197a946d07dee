import { describe, expect, it } from 'vitest';
import { checkSessionModel, sessionsOf } from './session.conformance.js';
import { loadVsknn, vsknn } from './v-sknn.js';

describe('vsknn', () => {
  checkSessionModel({ create: () => vsknn(), load: loadVsknn, sequential: true });

  // A = [1,2,3] (oldest), B = [2,4], C = [3,4,5] (newest).
  const data = sessionsOf(
    [
      [1, 2, 3],
      [2, 4],
      [3, 4, 5],
    ],
    6,
  );

  it("follows session-rec's formulas: position weights, shared weight / session length, step decay", () => {
    // Session [3, 2]: 3 weighs 1/2, 2 weighs 2/2.
    const a = (0.5 + 1) / 2; // shares 3 and 2, the latest at step 1
    const b = 1 / 2; // shares 2 (step 1)
    const c = 0.5 / 2 / 2; // shares 3 only, one view back: step 2 halves it
    const r = vsknn().fit(data).recommend([3, 2], 10);
    expect([...r.items]).toEqual([2, 3, 1, 4, 5]);
    expect([...r.scores]).toEqual([a + b, a + c, a, b + c, c].map(Math.fround));
  });

  it('counts the last occurrence of a repeated item, and other position decays', () => {
    // [2, 3, 2]: 2 at position 3 of 3 weighs 1, 3 weighs 2/3; C shares 3, two views back.
    const r = vsknn().fit(data).recommend([2, 3, 2], 10);
    const c = (2 / 3 / 2) * (1 / 2);
    expect(r.scores[[...r.items].indexOf(5)]).toBeCloseTo(c, 6);
    const q = vsknn({ weighting: 'quadratic' }).fit(data).recommend([3, 2], 10);
    expect(q.scores[[...q.items].indexOf(1)]).toBeCloseTo((0.25 + 1) / 2, 6);
    const l = vsknn({ weighting: 'log', scoreWeighting: 'same' }).fit(data).recommend([3, 2], 10);
    expect(l.scores[[...l.items].indexOf(5)]).toBeCloseTo(1 / Math.log10(1 + 1.7) / 2, 6);
  });

  it('weights by IDF = ln(sessions / views), on scored items or on the session', () => {
    const idf = (views: number) => Math.log(3 / views);
    const w = vsknn({ idfWeighting: 10 }).fit(data).recommend([3, 2], 10);
    expect(w.scores[[...w.items].indexOf(1)]).toBeCloseTo(0.75 * (1 + idf(1) * 10), 5);
    const s = vsknn({ idfSession: true }).fit(data).recommend([3, 2], 10);
    // A shares 3 and 2 (2 views each): (idf(2) + idf(2)) / 2.
    expect(s.scores[[...s.items].indexOf(1)]).toBeCloseTo(idf(2), 6);
  });

  it('rejects bad parameters', () => {
    expect(() => vsknn({ weighting: 'cubic' as never })).toThrow(/weighting must be one of linear/);
    expect(() => vsknn({ scoreWeighting: 'linear' as never })).toThrow(/scoreWeighting/);
    expect(() => vsknn({ idfWeighting: -1 })).toThrow(/idfWeighting/);
  });
});
