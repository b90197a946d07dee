/**
 * Turning arm scores into the probabilities a bandit chooses with: ties split evenly, a minimum
 * weight per arm, and sampling that can never return an arm whose probability is zero (a logged
 * propensity of 0 would break every off-policy estimate).
 */
import type { Rng } from '../../core/rng.js';

/** 1/k for every arm: burn-in, and the share of a uniform split. */
export function uniform(k: number): number[] {
  return new Array<number>(k).fill(1 / k);
}

/** Probability 1/|best| on each arm with the highest score (deterministic policies, ties split). */
export function argmaxShare(scores: readonly number[]): number[] {
  let top = Number.NEGATIVE_INFINITY;
  for (const s of scores) if (s > top) top = s;
  let ties = 0;
  for (const s of scores) if (s === top) ties++;
  return scores.map((s) => (s === top ? 1 / ties : 0));
}

/**
 * Scales probabilities to sum to 1, refusing a sum that is off by more than 1e-6: a best-arm
 * integral that far off means a numerical failure, which must not be logged as a propensity.
 */
export function normalize(p: readonly number[], what: string): number[] {
  let total = 0;
  for (const x of p) total += x;
  if (!(Math.abs(total - 1) <= 1e-6))
    throw new Error(`${what}: probabilities sum to ${total}, not 1 (numerical failure)`);
  return p.map((x) => x / total);
}

/**
 * Lifts every arm to at least `floor` and takes the mass from the others in proportion to their
 * probability (repeating while that pushes another arm under the floor), so the result sums to 1,
 * keeps the order of the arms and never goes below the floor. Needs floor <= 1/k.
 */
export function applyFloor(p: readonly number[], floor: number): number[] {
  const k = p.length;
  if (floor <= 0) return p.slice();
  if (floor * k >= 1 - 1e-15) return uniform(k);
  const clamped = new Uint8Array(k);
  let out = p.slice();
  for (let round = 0; round <= k; round++) {
    let free = 0;
    let fixed = 0;
    for (let i = 0; i < k; i++) {
      if (clamped[i]) fixed++;
      else free += p[i]!;
    }
    const mass = 1 - fixed * floor;
    out = p.map((x, i) => (clamped[i] ? floor : free > 0 ? (x * mass) / free : mass / (k - fixed)));
    let changed = false;
    for (let i = 0; i < k; i++) {
      if (!clamped[i] && out[i]! < floor) {
        clamped[i] = 1;
        changed = true;
      }
    }
    if (!changed) return out;
  }
  return out;
}

/** Draws an arm with probability p[i] (p sums to 1); arms with p[i] = 0 are never drawn. */
export function sampleArm(p: readonly number[], rng: Rng): number {
  let r = rng.float();
  let last = -1;
  for (let i = 0; i < p.length; i++) {
    if (!(p[i]! > 0)) continue;
    last = i;
    r -= p[i]!;
    if (r < 0) return i;
  }
  return last;
}
