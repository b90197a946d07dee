import { describe, expect, it } from 'vitest';
import { loadMarkov, markov } from './markov.js';
import { sequentialRules } from './sequential-rules.js';
import { checkSessionModel, sessionsOf, twoWorlds } from './session.conformance.js';

describe('markov', () => {
  checkSessionModel({ create: () => markov(), load: loadMarkov, sequential: true });

  it('estimates transition probabilities from consecutive views', () => {
    const model = markov().fit(
      sessionsOf(
        [
          [1, 2],
          [1, 3],
          [1, 2, 1],
        ],
        4,
      ),
    );
    const from1 = model.recommend([1], 10);
    expect([...from1.items]).toEqual([2, 3]);
    expect([...from1.scores]).toEqual([2 / 3, 1 / 3].map(Math.fround));
    expect([...model.recommend([2], 10).scores]).toEqual([1]);
    expect(model.recommend([3], 10).items).toHaveLength(0);
  });

  it('ranks like SR with one step, equal weights and no pruning', () => {
    const data = twoWorlds();
    const m = markov().fit(data);
    const sr = sequentialRules({ steps: 1, weighting: 'same', pruning: 0 }).fit(data);
    for (let item = 0; item < 12; item++)
      expect(m.recommend([item], 12).items).toEqual(sr.recommend([item], 12).items);
  });

  it('has no parameters', () => {
    expect(() => markov({ order: 2 } as never)).toThrow(/unknown parameter "order"/);
  });
});
