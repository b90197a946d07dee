import { randomUUID } from 'node:crypto';
import { engineEvent, type StoredEvent } from '../store/records.js';
import type { Store } from '../store/store.js';
import { type Bandit, BanditBook, type BanditDecision, BanditError, BanditInput } from './bandits.js';
import { readDefinitions, writeDefinitions } from './definitions-file.js';

/** A bandit as the API shows it: definition, counts and the weights the next decision uses. */
export interface BanditView {
  key: string;
  name: string | null;
  policy: string;
  arms: string[];
  dimension: number | null;
  params: Record<string, unknown>;
  createdAt: string;
  decisions: number;
  rewards: Record<string, number>;
  /** Null for contextual bandits, whose weights depend on the context. */
  weights: Record<string, number> | null;
}

/**
 * The bandit use cases: definitions kept in a JSON file, every decision logged with its
 * propensity (`Bandit Arm Chosen`, not awaited) and every reward stored durably before it is
 * acknowledged (`Bandit Reward`); states are rebuilt from those events when first used.
 */
export class BanditService {
  private readonly book: BanditBook;
  private started: Promise<void> | null = null;
  /** Recent decisions by id, so a reward may name the decision instead of the arm and context. */
  private readonly decisions = new Map<string, { arm: string; context: number[] | null }>();

  constructor(
    private readonly store: Store,
    private readonly file: string,
    private readonly clock: () => number,
    /** Stores an event without making the caller wait. */
    private readonly log: (event: StoredEvent) => void,
  ) {
    this.book = new BanditBook(readDefinitions<Bandit>(file));
  }

  async list(): Promise<BanditView[]> {
    await this.ready();
    return this.book.list().map((b) => this.view(b));
  }

  async get(key: string): Promise<BanditView> {
    await this.ready();
    return this.view(this.book.get(key));
  }

  /** Creates a bandit; every setting is checked and a bad one is named. */
  async create(body: unknown): Promise<BanditView> {
    await this.ready();
    const parsed = BanditInput.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new BanditError(`${issue.path.join('.') || 'body'}: ${issue.message}`, 400);
    }
    const b = this.book.create(parsed.data, this.clock());
    writeDefinitions(
      this.file,
      this.book.list().map(({ state: _, ...d }) => d),
    );
    return this.view(b);
  }

  /** Chooses an arm and logs the decision with its propensity. */
  async choose(
    key: string,
    request: { context?: number[] | null; userId?: string; anonymousId?: string },
  ): Promise<BanditDecision> {
    await this.ready();
    const context = request.context ?? null;
    const d = this.book.choose(key, context);
    this.decisions.set(d.decisionId, { arm: d.arm, context });
    if (this.decisions.size > 100_000) this.decisions.delete(this.decisions.keys().next().value!);
    this.log(
      engineEvent(this.clock(), {
        messageId: `bandit-decision:${randomUUID()}`,
        event: 'Bandit Arm Chosen',
        userId: request.userId ?? null,
        anonymousId: request.anonymousId ?? (request.userId ? null : `bandit:${d.decisionId}`),
        properties: {
          bandit: key,
          decision_id: d.decisionId,
          arm: d.arm,
          probability: d.probability,
          probabilities: d.probabilities,
          context,
        },
      }),
    );
    return d;
  }

  /**
   * Records an outcome: of an arm (with its context, for contextual bandits) or of a recent
   * decision by id. Resolves once the reward is on disk.
   */
  async reward(
    key: string,
    request: { arm?: string; decisionId?: string; value: number; context?: number[] | null; userId?: string },
  ): Promise<{ bandit: string; arm: string; counts: Record<string, number> }> {
    await this.ready();
    const decided = request.decisionId !== undefined ? this.decisions.get(request.decisionId) : undefined;
    if (request.decisionId !== undefined && !decided && request.arm === undefined)
      throw new BanditError(
        `decisionId: "${request.decisionId}" is not a recent decision; send arm (and context) instead`,
        400,
      );
    const arm = request.arm ?? decided!.arm;
    const context = request.context ?? decided?.context ?? null;
    this.book.reward(key, arm, request.value, context);
    await this.store.appendEvents([
      engineEvent(this.clock(), {
        messageId: `bandit-reward:${randomUUID()}`,
        event: 'Bandit Reward',
        userId: request.userId ?? null,
        anonymousId: request.userId ? null : `bandit:${key}`,
        properties: {
          bandit: key,
          arm,
          value: request.value,
          context,
          decision_id: request.decisionId ?? null,
        },
      }),
    ]);
    const b = this.book.get(key);
    return {
      bandit: key,
      arm,
      counts: Object.fromEntries(b.state.arms.map((a, i) => [a, b.state.counts[i]!])),
    };
  }

  private view(b: Bandit): BanditView {
    return {
      key: b.key,
      name: b.name ?? null,
      policy: b.policy,
      arms: b.arms,
      dimension: b.dimension ?? null,
      params: b.state.params as unknown as Record<string, unknown>,
      createdAt: new Date(b.createdAt).toISOString(),
      decisions: b.state.decisions,
      rewards: Object.fromEntries(b.state.arms.map((a, i) => [a, b.state.counts[i]!])),
      weights: b.dimension !== undefined ? null : this.book.weights(b.key, null),
    };
  }

  /** Rebuilds every state from the logged rewards and decision counts, once. */
  private ready(): Promise<void> {
    this.started ??= (async () => {
      const rewards = new Map<string, { arm: string; value: number; context: number[] | null }[]>();
      for (const e of await this.store.eventsNamed('Bandit Reward')) {
        const p = e.properties as { bandit: string; arm: string; value: number; context: number[] | null };
        const list = rewards.get(p.bandit) ?? [];
        list.push({ arm: p.arm, value: p.value, context: p.context });
        rewards.set(p.bandit, list);
      }
      const decisions = new Map<string, number>();
      for (const e of await this.store.eventsNamed('Bandit Arm Chosen')) {
        const key = (e.properties as { bandit: string }).bandit;
        decisions.set(key, (decisions.get(key) ?? 0) + 1);
      }
      for (const b of this.book.list())
        this.book.replay(b.key, rewards.get(b.key) ?? [], decisions.get(b.key) ?? 0);
    })();
    return this.started;
  }
}
