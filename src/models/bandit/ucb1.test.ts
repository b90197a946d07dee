import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { checkPolicy } from './bandit.conformance.js';
import { choose, probabilities, reward } from './bandit.js';
import { ucb1, ucb1Indices } from './ucb1.js';

describe('ucb1', () => {
  checkPolicy({ create: (arms, common) => ucb1(arms, common) });

  it('computes mean + c sqrt(ln t / n) and plays its argmax with probability 1', () => {
    let s = ucb1(['a', 'b']);
    for (const v of [1, 0, 1]) s = reward(s, 'a', v);
    s = reward(s, 'b', 1);
    const t = 4;
    expect(ucb1Indices(s)).toEqual([
      2 / 3 + Math.SQRT2 * Math.sqrt(Math.log(t) / 3),
      1 + Math.SQRT2 * Math.sqrt(Math.log(t) / 1),
    ]);
    const d = choose(s, undefined, new Rng(1));
    expect(d.arm).toBe('b');
    expect(d.probability).toBe(1);
    expect(d.probabilities).toEqual([0, 1]);
  });

  it('tries every arm first (ties at +∞ split evenly), and splits exact ties', () => {
    let s = ucb1(['a', 'b', 'c']);
    expect(probabilities(s)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    s = reward(s, 'b', 0.5);
    expect(probabilities(s)).toEqual([0.5, 0, 0.5]);
    s = reward(reward(s, 'a', 0.5), 'c', 0.5);
    expect(probabilities(s)).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('spreads a floor over the losing arms', () => {
    let s = ucb1(['a', 'b', 'c'], { floor: 0.1 });
    s = reward(reward(reward(s, 'a', 1), 'b', 0), 'c', 0);
    expect(probabilities(s)).toEqual([0.8, 0.1, 0.1].map((x) => expect.closeTo(x, 15)));
  });

  it('refuses a negative exploration', () => {
    expect(() => ucb1(['a'], { exploration: -1 })).toThrow(
      /ucb1: exploration must be a finite number >= 0, got -1/,
    );
  });
});
