import { describe, expect, it } from 'vitest';
import { checkPolicy } from './bandit.conformance.js';
import { probabilities, reward } from './bandit.js';
import { epsilonGreedy } from './epsilon-greedy.js';

describe('epsilon-greedy', () => {
  checkPolicy({ create: (arms, common) => epsilonGreedy(arms, common) });

  it('gives eps/k + (1 - eps) to the best mean and eps/k to the others', () => {
    let s = epsilonGreedy(['a', 'b', 'c', 'd'], { epsilon: 0.2 });
    for (const [arm, v] of [
      ['a', 1],
      ['b', 0],
      ['c', 0.5],
      ['d', 0],
    ] as const)
      s = reward(s, arm, v);
    expect(probabilities(s)).toEqual([0.05 + 0.8, 0.05, 0.05, 0.05].map((x) => expect.closeTo(x, 15)));
  });

  it('splits the greedy share between tied arms, and counts unplayed arms as best', () => {
    let s = epsilonGreedy(['a', 'b', 'c'], { epsilon: 0.3 });
    s = reward(s, 'a', 0.2);
    expect(probabilities(s)).toEqual([0.1, 0.45, 0.45].map((x) => expect.closeTo(x, 15)));
    s = reward(reward(s, 'b', 0.4), 'c', 0.4);
    expect(probabilities(s)).toEqual([0.1, 0.45, 0.45].map((x) => expect.closeTo(x, 15)));
  });

  it('is greedy at epsilon 0 and uniform at 1, and refuses other values', () => {
    const s = reward(reward(epsilonGreedy(['a', 'b'], { epsilon: 0 }), 'a', 1), 'b', 0);
    expect(probabilities(s)).toEqual([1, 0]);
    const u = reward(reward(epsilonGreedy(['a', 'b'], { epsilon: 1 }), 'a', 1), 'b', 0);
    expect(probabilities(u)).toEqual([0.5, 0.5]);
    expect(() => epsilonGreedy(['a'], { epsilon: 1.5 })).toThrow(/epsilon must be in \[0, 1\], got 1.5/);
  });
});
