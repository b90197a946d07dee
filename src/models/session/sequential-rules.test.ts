import { describe, expect, it } from 'vitest';
import { loadSequentialRules, sequentialRules } from './sequential-rules.js';
import { checkSessionModel, sessionsOf } from './session.conformance.js';

describe('sr', () => {
  checkSessionModel({ create: () => sequentialRules(), load: loadSequentialRules, sequential: true });

  it('weights rules by 1 / distance within `steps` views and divides by the strongest', () => {
    // [1,2,3,1] with steps 2: 1->2 1, 2->3 1, 1->3 1/2, 3->1 1, 2->1 1/2.
    const data = sessionsOf([[1, 2, 3, 1]], 4);
    const model = sequentialRules({ steps: 2, pruning: 0 }).fit(data);
    const two = model.recommend([0, 2], 10);
    expect([...two.items]).toEqual([3, 1]);
    expect([...two.scores]).toEqual([1, 0.5]);
    expect([...model.recommend([1], 10).items]).toEqual([2, 3]);
    expect([...model.recommend([3], 10).items]).toEqual([1]);
    // With the default steps (10), 1 -> 1 (distance 3) appears too.
    const far = sequentialRules({ pruning: 0 }).fit(data).recommend([1], 10);
    expect([...far.items]).toEqual([2, 3, 1]);
    expect([...far.scores]).toEqual([1, 0.5, 1 / 3].map(Math.fround));
  });

  it('sums repeated rules, prunes to the strongest, and answers from the last known item', () => {
    const data = sessionsOf(
      [
        [1, 2],
        [1, 3],
        [1, 3],
        [1, 0],
      ],
      4,
    );
    const all = sequentialRules({ pruning: 0 }).fit(data).recommend([1], 10);
    expect([...all.items]).toEqual([3, 0, 2]); // 0 and 2 tie: lower index first
    expect([...all.scores]).toEqual([1, 0.5, 0.5]);
    expect([...sequentialRules({ pruning: 2 }).fit(data).recommend([1], 10).items]).toEqual([3, 0]);
    // A share: drop floor(3 * 0.5) = 1 of 3.
    expect([...sequentialRules({ pruning: 0.5 }).fit(data).recommend([1], 10).items]).toEqual([3, 0]);
    const model = sequentialRules().fit(data);
    expect(model.recommend([2, 1, 7], 10)).toEqual(model.recommend([1], 10));
  });

  it('rejects bad parameters', () => {
    expect(() => sequentialRules({ steps: 0 })).toThrow(/steps/);
    expect(() => sequentialRules({ pruning: 2.5 })).toThrow(/pruning/);
    expect(() => sequentialRules({ weighting: 'linear' as never })).toThrow(/weighting/);
  });
});
