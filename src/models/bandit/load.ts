/**
 * Reading a persisted bandit state back (from a database row or a request), checked field by field:
 * a state edited by hand or truncated must fail loudly with the field's name, not decide with NaN.
 */
import { type BanditSpec, createBandit, POLICIES } from './bandit.js';
import type { BanditState, LinearModel, PolicyName } from './contract.js';

type Json = Record<string, unknown>;

function fail(field: string, want: string, got: unknown): never {
  const shown = JSON.stringify(got);
  throw new RangeError(
    `loadBandit: ${field} must be ${want}, got ${shown === undefined ? String(got) : shown.slice(0, 80)}`,
  );
}

function nonNegativeInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    fail(field, 'an integer >= 0', value);
  return value;
}

/** A list of `length` finite numbers, each passing `ok`. */
function numbers(
  value: unknown,
  length: number,
  field: string,
  ok: (x: number) => boolean = () => true,
  what = 'finite numbers',
): number[] {
  if (!Array.isArray(value) || value.length !== length) fail(field, `a list of ${length} ${what}`, value);
  value.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || !ok(x)) fail(`${field}[${i}]`, `one of ${what}`, x);
  });
  return value.slice() as number[];
}

function matrices(value: unknown, count: number, length: number, field: string): number[][] {
  if (!Array.isArray(value) || value.length !== count) fail(field, `a list of ${count} lists`, value);
  return value.map((row, a) => numbers(row, length, `${field}[${a}]`));
}

function weightsOf(value: unknown, k: number): number[] | null {
  if (value === null) return null;
  const w = numbers(value, k, 'weights', (x) => x >= 0 && x <= 1, 'probabilities in [0, 1]');
  if (Math.abs(w.reduce((a, b) => a + b, 0) - 1) > 1e-6) fail('weights', 'probabilities summing to 1', value);
  return w;
}

function modelOf(value: unknown, k: number, d: number): LinearModel | null {
  if (value === null) return null;
  if (typeof value !== 'object') fail('model', 'null or {theta, inverse}', value);
  const m = value as Json;
  return {
    theta: matrices(m.theta, k, d, 'model.theta'),
    inverse: matrices(m.inverse, k, d * d, 'model.inverse'),
  };
}

/**
 * A state from parsed JSON, validated: the policy, arms and params are re-checked as at creation,
 * and every per-arm array must have one finite entry per arm. Returns a fresh copy.
 */
export function loadBandit(value: unknown): BanditState {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('the state', 'an object', value);
  const v = value as Json;
  if (v.version !== 1) fail('version', '1', v.version);
  if (!POLICIES.includes(v.policy as PolicyName)) fail('policy', `one of ${POLICIES.join(', ')}`, v.policy);
  if (typeof v.params !== 'object' || v.params === null) fail('params', 'an object', v.params);
  // Re-creating checks arms, params and dimension exactly as creation does.
  const fresh = createBandit({
    policy: v.policy,
    arms: v.arms,
    dimension: v.dimension,
    params: v.params,
  } as BanditSpec);
  const k = fresh.arms.length;
  const counts = numbers(v.counts, k, 'counts', (x) => Number.isInteger(x) && x >= 0, 'integers >= 0');
  const common = {
    counts,
    decisions: nonNegativeInteger(v.decisions, 'decisions'),
    sinceReweight: nonNegativeInteger(v.sinceReweight, 'sinceReweight'),
  };
  switch (fresh.policy) {
    case 'thompson-beta': {
      const successes = numbers(v.successes, k, 'successes', (x) => x >= 0, 'numbers >= 0');
      successes.forEach((s, i) => {
        if (s > counts[i]!) fail(`successes[${i}]`, `at most counts[${i}] = ${counts[i]}`, s);
      });
      return { ...fresh, ...common, successes, weights: weightsOf(v.weights, k) };
    }
    case 'thompson-gaussian':
      return {
        ...fresh,
        ...common,
        means: numbers(v.means, k, 'means'),
        m2: numbers(v.m2, k, 'm2', (x) => x >= 0, 'numbers >= 0'),
        weights: weightsOf(v.weights, k),
      };
    case 'ucb1':
    case 'epsilon-greedy':
      return { ...fresh, ...common, sums: numbers(v.sums, k, 'sums'), weights: weightsOf(v.weights, k) };
    case 'linucb':
    case 'linear-thompson': {
      const d = fresh.dimension;
      return {
        ...fresh,
        ...common,
        gram: matrices(v.gram, k, d * d, 'gram'),
        moment: matrices(v.moment, k, d, 'moment'),
        model: modelOf(v.model, k, d),
      };
    }
  }
}
