import { z } from 'zod';
import { deriveSeed } from '../core/hash.js';
import { Rng } from '../core/rng.js';
import { choose, createBandit, POLICIES, probabilities, reward, reweight } from '../models/bandit/bandit.js';
import type { BanditState, Context } from '../models/bandit/contract.js';

/**
 * Bandits as a store runs them: definitions, live states, decisions with their propensities and
 * rewards. Decision n of a bandit draws from a generator seeded by (seed, n), so the same seed and
 * history give the same decisions. Pure state; the engine logs every decision and reward as
 * events and rebuilds states from the logged rewards at start.
 */

/** What a client sends to create a bandit. */
export const BanditInput = z
  .object({
    key: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,59}$/, 'use a-z, 0-9, _ and - (at most 60)'),
    name: z.string().max(200).optional(),
    policy: z.enum(POLICIES as [string, ...string[]]),
    arms: z.array(z.string().min(1).max(100)).min(2).max(100),
    /** Context length, for the contextual policies (linucb, linear-thompson). */
    dimension: z.number().int().min(1).max(100).optional(),
    /** floor, burnInPerArm, burnInTotal, reweightEvery and the policy's own settings. */
    params: z.record(z.string(), z.unknown()).default({}),
    seed: z.number().int().default(42),
  })
  .strict();

/** A stored bandit: its definition and current state. */
export interface Bandit {
  key: string;
  name?: string;
  policy: string;
  arms: string[];
  dimension?: number;
  params: Record<string, unknown>;
  seed: number;
  createdAt: number;
  state: BanditState;
}

/** A decision as answered and logged. */
export interface BanditDecision {
  bandit: string;
  decisionId: string;
  arm: string;
  /** P(this arm) when it was chosen: the propensity off-policy evaluation needs. */
  probability: number;
  probabilities: Record<string, number>;
}

/** A request the book refuses: unknown bandit (404), a key taken (409), bad settings (400). */
export class BanditError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409,
  ) {
    super(message);
  }
}

/** Every bandit by key. */
export class BanditBook {
  private readonly bandits = new Map<string, Bandit>();

  constructor(bandits: readonly Omit<Bandit, 'state'>[] = []) {
    for (const b of bandits) this.bandits.set(b.key, { ...b, state: this.fresh(b) });
  }

  list(): Bandit[] {
    return [...this.bandits.values()];
  }

  get(key: string): Bandit {
    const b = this.bandits.get(key);
    if (!b) throw new BanditError(`bandit "${key}" does not exist`, 404);
    return b;
  }

  /** Creates a bandit; the policy's own checks name a bad setting. */
  create(input: z.infer<typeof BanditInput>, now: number): Bandit {
    if (this.bandits.has(input.key)) throw new BanditError(`bandit "${input.key}" exists`, 409);
    const b: Omit<Bandit, 'state'> = { ...input, createdAt: now };
    const bandit = { ...b, state: this.fresh(b) };
    this.bandits.set(b.key, bandit);
    return bandit;
  }

  /** Chooses an arm for a context (contextual policies) and advances the bandit's state. */
  choose(key: string, context: Context | null): BanditDecision {
    const b = this.get(key);
    const n = b.state.decisions;
    const d = this.checked(() => choose(b.state, context, new Rng(deriveSeed(b.seed, n))));
    b.state = d.state;
    return {
      bandit: key,
      decisionId: `${key}:${n}`,
      arm: d.arm,
      probability: d.probability,
      probabilities: Object.fromEntries(b.state.arms.map((a, i) => [a, d.probabilities[i]!])),
    };
  }

  /** Records an outcome of an arm (with the context it was chosen for, for contextual policies). */
  reward(key: string, arm: string, value: number, context: Context | null): void {
    const b = this.get(key);
    b.state = this.checked(() => reward(b.state, arm, value, context));
  }

  /**
   * Rebuilds a state from its logged history: rewards in the order they were stored, the decision
   * counter, then a reweight (a restart refreshes the probabilities once).
   */
  replay(
    key: string,
    rewards: { arm: string; value: number; context: Context | null }[],
    decisions: number,
  ): void {
    const b = this.get(key);
    let state = this.fresh(b);
    for (const r of rewards) state = reward(state, r.arm, r.value, r.context);
    b.state = reweight({ ...state, decisions, sinceReweight: 0 });
  }

  /** The probabilities the next decision would use (for a context, with contextual policies). */
  weights(key: string, context: Context | null): Record<string, number> {
    const b = this.get(key);
    const p = this.checked(() => probabilities(b.state, context));
    return Object.fromEntries(b.state.arms.map((a, i) => [a, p[i]!]));
  }

  private fresh(b: Omit<Bandit, 'state'>): BanditState {
    return this.checked(() =>
      createBandit({ policy: b.policy, arms: b.arms, dimension: b.dimension, params: b.params } as never),
    );
  }

  /** Runs a bandit call, turning its RangeErrors (which name the field) into 400s. */
  private checked<T>(f: () => T): T {
    try {
      return f();
    } catch (error) {
      if (error instanceof RangeError || error instanceof TypeError)
        throw new BanditError(error.message, 400);
      throw error;
    }
  }
}
