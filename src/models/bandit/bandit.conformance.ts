import { expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { choose, inBurnIn, probabilities, reward, reweight } from './bandit.js';
import type { BanditState, CommonParams, Context } from './contract.js';
import { loadBandit } from './load.js';

/**
 * The behaviour every bandit policy shares, run by each policy's test file: propensities that are
 * probabilities and are the true ones, the floor, burn-in, periodic reweighting, determinism by
 * seed, JSON round trips, convergence on a clear problem, and precise errors on bad input.
 */
export interface PolicyCase {
  /** A fresh bandit over `arms` with the given shared settings. */
  create: (arms: string[], common?: Partial<CommonParams>) => BanditState;
  /** Context length for contextual policies; undefined for the others. */
  dimension?: number;
}

const ARMS = ['a', 'b', 'c'];
/** Click rates of the clear problem: arm c is best whatever the context. */
const RATES = [0.2, 0.5, 0.8];

/** A context for round t: an intercept and one binary feature (ignored by non-contextual policies). */
function contextFor(c: PolicyCase, rng: Rng): Context | undefined {
  if (c.dimension === undefined) return undefined;
  const x = [1];
  for (let j = 1; j < c.dimension; j++) x.push(rng.bernoulli(0.5) ? 1 : 0);
  return x;
}

/** Runs `rounds` decisions with Bernoulli rewards at RATES; returns the last state and the log. */
export function simulate(c: PolicyCase, state: BanditState, rounds: number, seed: number) {
  const rng = new Rng(seed);
  const world = rng.fork('world');
  const log: { index: number; probability: number; probabilities: number[] }[] = [];
  let s = state;
  for (let t = 0; t < rounds; t++) {
    const x = contextFor(c, world);
    const d = choose(s, x, rng);
    log.push({ index: d.index, probability: d.probability, probabilities: d.probabilities });
    s = reward(d.state, d.arm, world.bernoulli(RATES[d.index]!) ? 1 : 0, x);
  }
  return { state: s, log };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function expectDistribution(p: readonly number[], k: number) {
  expect(p).toHaveLength(k);
  for (const x of p) expect(x >= 0 && x <= 1).toBe(true);
  expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
}

/** Registers the shared bandit tests. */
export function checkPolicy(c: PolicyCase): void {
  const ctxRng = new Rng(99);
  const someContext = () => contextFor(c, ctxRng);

  it('logs probabilities that sum to 1 over the arms, with the chosen arm probability', () => {
    const { log } = simulate(c, c.create(ARMS), 400, 1);
    for (const d of log) {
      expectDistribution(d.probabilities, 3);
      expect(d.probability).toBe(d.probabilities[d.index]);
      expect(d.probability).toBeGreaterThan(0);
    }
  });

  it('logs the true probability: choices follow the logged distribution', () => {
    // Reweighted once, so that every draw below decides with the same snapshot.
    const state = reweight(simulate(c, c.create(ARMS), 60, 2).state);
    const x = someContext();
    const p = probabilities(state, x);
    const rng = new Rng(3);
    const n = 10_000;
    const hits = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const d = choose(state, x, rng);
      expect(d.probabilities).toEqual(p);
      hits[d.index]!++;
    }
    p.forEach((pi, i) => {
      const tolerance = 5 * Math.sqrt((pi * (1 - pi)) / n) + 1e-12;
      if (!(Math.abs(hits[i]! / n - pi) <= tolerance))
        expect.fail(`arm ${i}: chosen ${hits[i]! / n} of the time, logged probability ${pi}`);
    });
  });

  it('never goes below the floor, and the floor is renormalized', () => {
    const { log } = simulate(c, c.create(ARMS, { floor: 0.05 }), 1500, 4);
    for (const d of log) {
      expectDistribution(d.probabilities, 3);
      for (const x of d.probabilities) expect(x).toBeGreaterThanOrEqual(0.05 - 1e-12);
    }
    const last = log[log.length - 1]!.probabilities;
    expect(Math.min(...last)).toBeLessThan(0.1); // the floor binds once the policy has learned
  });

  it('converges to the best arm on a clear problem', () => {
    const { log } = simulate(c, c.create(ARMS), 3000, 5);
    const tail = log.slice(-1000);
    const best = tail.filter((d) => d.index === 2).length / tail.length;
    expect(best).toBeGreaterThan(0.85);
  });

  it('gives the same decisions for the same seed, survives a JSON round trip and never mutates its input', () => {
    const start = deepFreeze(c.create(ARMS, { reweightEvery: 7 }));
    const a = simulate(c, start, 300, 6);
    const b = simulate(c, start, 300, 6);
    expect(b.log).toEqual(a.log);
    expect(b.state).toEqual(a.state);
    const other = simulate(c, start, 300, 7);
    expect(other.log.map((d) => d.index)).not.toEqual(a.log.map((d) => d.index));
    // Continue from the state itself and from its JSON copy: identical futures.
    const copy = loadBandit(JSON.parse(JSON.stringify(a.state)));
    expect(copy).toEqual(a.state);
    const direct = simulate(c, deepFreeze(a.state), 200, 8);
    const restored = simulate(c, copy, 200, 8);
    expect(restored.log).toEqual(direct.log);
    expect(JSON.parse(JSON.stringify(direct.state))).toEqual(direct.state);
  });

  it('is uniform during burn-in, per arm and in total', () => {
    let s = c.create(ARMS, { burnInPerArm: 3, floor: 0.01 });
    const rng = new Rng(9);
    const x = someContext();
    for (let round = 0; round < 2; round++) for (const arm of ARMS) s = reward(s, arm, 1, x);
    for (let i = 0; i < 3; i++) s = reward(s, 'a', 0, x);
    expect(inBurnIn(s)).toBe(true);
    const d = choose(s, x, rng);
    expect(d.probabilities).toEqual([1 / 3, 1 / 3, 1 / 3]);
    s = reward(reward(s, 'b', 1, x), 'c', 1, x);
    expect(inBurnIn(s)).toBe(false);
    expect(choose(s, x, rng).probabilities).not.toEqual([1 / 3, 1 / 3, 1 / 3]);

    let t = c.create(ARMS, { burnInTotal: 10 });
    for (let i = 0; i < 9; i++) t = reward(t, 'c', 1, x);
    expect(probabilities(t, x)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    t = reward(t, 'c', 1, x);
    expect(probabilities(t, x)).not.toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('recomputes probabilities every reweightEvery decisions, or on demand', () => {
    const rng = new Rng(10);
    const x = someContext();
    let s = c.create(ARMS, { reweightEvery: 5 });
    const first = choose(s, x, rng);
    s = first.state;
    for (let i = 0; i < 30; i++) s = reward(s, 'c', 1, x);
    // Four more decisions use the snapshot taken at the first one, whatever the new rewards say.
    for (let i = 0; i < 4; i++) {
      const d = choose(s, x, rng);
      expect(d.probabilities).toEqual(first.probabilities);
      s = d.state;
    }
    const fresh = reweight(s);
    expect(probabilities(fresh, x)).not.toEqual(first.probabilities);
    const sixth = choose(s, x, rng);
    expect(sixth.probabilities).toEqual(probabilities(fresh, x));
    expect(sixth.state.sinceReweight).toBe(1);
  });

  it('rejects bad input with messages naming the field', () => {
    const s = c.create(ARMS);
    const x = someContext();
    expect(() => reward(s, 'zzz', 1, x)).toThrow(
      /reward: arm "zzz" is not one of this bandit's arms \(a, b, c\)/,
    );
    expect(() => reward(s, 3, 1, x)).toThrow(/reward: arm index 3 is out of range/);
    expect(() => reward(s, -1, 1, x)).toThrow(/reward: arm index -1 is out of range/);
    expect(() => reward(s, 'a', Number.NaN, x)).toThrow(/reward: value must be a finite number, got NaN/);
    expect(() => c.create(ARMS, { floor: 0.5 })).toThrow(/floor must be in \[0, 1\/3\]/);
    expect(() => c.create(ARMS, { reweightEvery: 0 })).toThrow(/reweightEvery must be an integer >= 1/);
    expect(() => c.create(ARMS, { burnInPerArm: -1 })).toThrow(/burnInPerArm must be an integer >= 0/);
    expect(() => c.create(['a', 'b', 'a'])).toThrow(/arms\[2\] "a" appears twice/);
    expect(() => c.create([])).toThrow(/arms must be a non-empty list/);
    expect(() => c.create(ARMS, { nonsense: 1 } as Partial<CommonParams>)).toThrow(
      /unknown parameter "nonsense"/,
    );
    const broken = JSON.parse(JSON.stringify(s));
    broken.counts[1] = -2;
    expect(() => loadBandit(broken)).toThrow(/loadBandit: counts\[1\] must be one of integers >= 0, got -2/);
    expect(() => loadBandit({ ...s, version: 2 })).toThrow(/loadBandit: version must be 1/);
    expect(() => loadBandit({ ...s, arms: ['a', 'b'] })).toThrow(/counts must be a list of 2/);
    if (c.dimension !== undefined) {
      const d = c.dimension;
      expect(() => choose(s, undefined, new Rng(1))).toThrow(/choose: context is required/);
      expect(() => choose(s, new Array(d + 1).fill(0), new Rng(1))).toThrow(
        new RegExp(`choose: context must have ${d} numbers \\(the bandit's dimension\\), got ${d + 1}`),
      );
      expect(() => reward(s, 'a', 1, [1, Number.NaN, 0].slice(0, d))).toThrow(
        /reward: context\[1\] must be a finite number/,
      );
      expect(() => reward(s, 'a', 1)).toThrow(/reward: context is required/);
    } else {
      // Non-contextual policies ignore a context, so callers can send one to any bandit.
      expect(() => choose(s, [1, 2, 3, 4], new Rng(1))).not.toThrow();
    }
  });
}
