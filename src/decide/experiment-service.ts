import { engineEvent, type StoredEvent } from '../store/records.js';
import type { Store } from '../store/store.js';
import { readDefinitions, writeDefinitions } from './definitions-file.js';
import { type ExperimentResults, experimentResults, metricEvents } from './experiment-results.js';
import {
  type Experiment,
  type ExperimentAssignment,
  ExperimentBook,
  ExperimentError,
  ExperimentInput,
} from './experiments.js';

/** Who asks for an assignment. */
export interface Visitor {
  userId?: string;
  anonymousId?: string;
  /** Targeting attributes, over the user's stored traits. */
  attributes?: Record<string, unknown>;
}

/** What the service needs from serving and the settings. */
export interface ExperimentContext {
  /** The shopper key of a visitor and every key of theirs (identity links followed). */
  shopperKeys(
    userId: string | null,
    anonymousId: string | null,
  ): Promise<{ shopper: string; keys: string[] }>;
  /** Whether a recommendation strategy is configured. */
  hasStrategy(name: string): boolean;
  attributionMs: number;
}

/**
 * The experiment use cases: definitions kept in a JSON file, assignment with sticky bucketing and
 * exposures logged as `Experiment Viewed` events, and results computed from the store's events.
 */
export class ExperimentService {
  private readonly book: ExperimentBook;

  constructor(
    private readonly store: Store,
    private readonly file: string,
    private readonly clock: () => number,
    private readonly context: ExperimentContext,
    /** Stores an event without making the caller wait. */
    private readonly log: (event: StoredEvent) => void,
  ) {
    this.book = new ExperimentBook(readDefinitions<Experiment>(file));
  }

  list(): Experiment[] {
    return this.book.list();
  }

  get(key: string): Experiment {
    return this.book.get(key);
  }

  /** Creates an experiment or replaces a draft; the definition is validated field by field. */
  put(body: unknown): Experiment {
    const parsed = ExperimentInput.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ExperimentError(`${issue.path.join('.') || 'body'}: ${issue.message}`, 400);
    }
    for (const v of parsed.data.variants)
      if (v.strategy && !this.context.hasStrategy(v.strategy))
        throw new ExperimentError(
          `variants: strategy "${v.strategy}" is not configured in serving.strategies`,
          400,
        );
    return this.saved(this.book.put(parsed.data));
  }

  start(key: string): Experiment {
    return this.saved(this.book.start(key, this.clock()));
  }

  stop(key: string): Experiment {
    return this.saved(this.book.stop(key, this.clock()));
  }

  /** The running experiment that routes recommendation requests, if any. */
  routingRecommendations(): Experiment | undefined {
    return this.book.routingRecommendations();
  }

  /** Records a first exposure the store or a client SDK reports (sticky bucketing). */
  remember(experiment: string, shopper: string, variant: number): void {
    this.book.remember(experiment, shopper, variant);
  }

  /**
   * The variant a visitor sees (GrowthBook hashing, sticky across devices once their ids are
   * linked). A new exposure is logged. Targeting reads the user's stored traits, overridden by
   * `attributes`.
   */
  async assign(key: string, who: Visitor): Promise<ExperimentAssignment & { status: Experiment['status'] }> {
    const e = this.book.get(key);
    const hashId = who.userId ?? who.anonymousId;
    if (!hashId) throw new ExperimentError('userId: give userId or anonymousId', 400);
    const { shopper, keys } = await this.context.shopperKeys(who.userId ?? null, who.anonymousId ?? null);
    const traits = e.targeting && who.userId ? ((await this.store.getUser(who.userId))?.traits ?? {}) : {};
    const attributes = { id: hashId, ...traits, ...who.attributes };
    const a = this.book.assign(key, { shopper, keys, hashId, attributes });
    if (a.inExperiment && !a.sticky)
      this.log(
        engineEvent(this.clock(), {
          messageId: `exposure:${e.key}:${who.userId ?? `anon:${who.anonymousId}`}`,
          event: 'Experiment Viewed',
          userId: who.userId ?? null,
          anonymousId: who.anonymousId ?? null,
          properties: {
            experiment_id: e.key,
            variation_id: a.variantKey,
            variant: a.variant,
            ...(a.strategy ? { strategy: a.strategy } : {}),
          },
        }),
      );
    return { ...a, status: e.status };
  }

  /** Per variant: units, every metric with effect and interval, SRM, and warnings. */
  async results(key: string): Promise<ExperimentResults> {
    const e = this.saved(this.book.look(key));
    const events = metricEvents(e);
    const units = await this.store.experimentUnits({
      experiment: key,
      windowMs: e.analysis.windowDays * 86_400_000,
      until: e.stoppedAt ?? undefined,
      events,
    });
    const recommendationMetrics = [e.goal, ...e.secondary, ...e.guardrails].some((m) =>
      m.type.startsWith('recommendation-'),
    );
    const attribution =
      recommendationMetrics && e.startedAt !== null
        ? await this.store.recommendationStats({
            experiment: key,
            from: e.startedAt,
            to: e.stoppedAt ?? undefined,
            attributionMs: this.context.attributionMs,
          })
        : [];
    return experimentResults(e, units, events, attribution, e.stoppedAt ?? this.clock());
  }

  /** Writes every definition (atomically) and passes the experiment through. */
  private saved(e: Experiment): Experiment {
    writeDefinitions(this.file, this.book.list());
    return e;
  }
}
