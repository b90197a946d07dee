import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { type Config, ConfigError } from './config.js';
import { LATENCY_BUCKETS, Registry } from './core/metrics.js';
import { BanditService } from './decide/bandit-service.js';
import { CatalogView } from './decide/catalog-view.js';
import { ExperimentService } from './decide/experiment-service.js';
import { LiveTrending } from './decide/live-trending.js';
import { ModelBundle } from './decide/model-bundle.js';
import { type ListQuery, type RecommendationList, RecommendationService } from './decide/recommendations.js';
import { MerchandisingRules, ServingSettings } from './decide/serving-settings.js';
import { ShopperActivity } from './decide/shopper-activity.js';
import { acceptMessages, type Rejection, sortRecords } from './ingest/accept.js';
import { type ImportOptions, type ImportProgress, type ImportSummary, importFiles } from './ingest/import.js';
import { validateItem } from './ingest/items.js';
import type { ValidateOptions } from './ingest/messages.js';
import { AnalyzeInputError, type AnalyzeOutput, analyze } from './stats/analyze.js';
import { replaceJsonFile, writeDurably } from './store/durable-file.js';
import { openStore } from './store/open.js';
import type { Item, MessageType, StoredEvent } from './store/records.js';
import type { ErasureResult, ItemQuery, Store, StoreStats, UserExport, UserProfile } from './store/store.js';
import { type EvaluationReport, type EvaluationRequest, runEvaluation } from './train/evaluation.js';
import { ModelVersions } from './train/model-versions.js';
import { type BundleManifest, type TrainingProgress, trainBundle } from './train/pipeline.js';
import { TrainingSettings } from './train/training-settings.js';

export { BanditError, BanditInput } from './decide/bandits.js';
export { ExperimentError, ExperimentInput } from './decide/experiments.js';
export type { ListQuery, RecommendationList } from './decide/recommendations.js';
export { ServingError } from './decide/recommendations.js';
export { MerchandisingRules } from './decide/serving-settings.js';
export { StoreLockedError } from './store/store.js';

/** The settings file: how training and serving behave. */
export const Settings = z
  .object({
    training: TrainingSettings.default(TrainingSettings.parse({})),
    serving: ServingSettings.default(ServingSettings.parse({})),
  })
  .strict();

/** Validated settings. */
export type Settings = z.infer<typeof Settings>;

/** Parses settings, naming the field at fault (e.g. `serving.merchandising.maxPerBrand: ...`). */
export function parseSettings(raw: unknown, source: string): Settings {
  const parsed = Settings.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ConfigError(`${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/** How `Engine.open` finds the store, the data directory (models, rules) and the settings. */
export type EngineConfig = Pick<Config, 'storeUrl'> &
  Partial<Pick<Config, 'dataDir' | 'settingsFile'>> & { settings?: unknown };

/** Outcome of an ingestion call: which messages were taken, and why the others were not. */
export interface IngestResult {
  accepted: number[];
  rejected: Rejection[];
  /** Newly stored (accepted minus repeated messageIds). */
  stored: number;
  duplicates: number;
}

/** Outcome of a bulk item upsert. */
export interface ItemsResult {
  upserted: number;
  rejected: Rejection[];
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${file}: ${(error as Error).message}`);
  }
}

/** A request the engine refuses, with the field at fault (mapped to HTTP 400 / CLI exit 1). */
export class InvalidInput extends Error {
  constructor(
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

/**
 * The composition root and the one door to Cartwise: the API, the CLI and tests call these use
 * cases and nothing below them. It owns the store and the metrics every layer reports into.
 */
export class Engine {
  readonly metrics = new Registry();
  private readonly ingested = this.metrics.counter(
    'cartwise_events_ingested_total',
    'Events stored, by message type',
  );
  private readonly rejectedEvents = this.metrics.counter(
    'cartwise_events_rejected_total',
    'Messages refused by validation, by field',
  );
  private readonly duplicates = this.metrics.counter(
    'cartwise_events_duplicate_total',
    'Messages skipped because their messageId was already stored',
  );
  private readonly commitSize = this.metrics.histogram(
    'cartwise_commit_events',
    'Events per group commit',
    [1, 10, 100, 1000, 10_000, 100_000],
  );
  private readonly commitSeconds = this.metrics.histogram(
    'cartwise_commit_duration_seconds',
    'Duration of a group commit into the journal, fsync included (validation excluded)',
    LATENCY_BUCKETS,
  );
  private readonly loaded = this.metrics.counter(
    'cartwise_events_loaded_total',
    'Events loaded from the journal into the database',
  );
  private readonly loadSeconds = this.metrics.histogram(
    'cartwise_load_duration_seconds',
    'Duration of a journal load into the database',
    LATENCY_BUCKETS,
  );

  private readonly quietFailures = this.metrics.counter(
    'cartwise_engine_events_failed_total',
    'Impressions and exposures the engine could not store, by event name',
  );
  private readonly similarLookups = this.metrics.counter(
    'cartwise_similar_cache_lookups_total',
    'Similar-item answers by result: hit (kept from an identical request) or miss (ranked afresh)',
  );
  private readonly trainings = this.metrics.counter('cartwise_trainings_total', 'Training runs, by outcome');
  private serving: RecommendationService | null = null;
  private servingStart: Promise<void> | null = null;
  private training: Promise<BundleManifest> | null = null;
  private schedule: NodeJS.Timeout | null = null;
  private trainingAbort: AbortController | null = null;
  /** Erasures (shopper keys and when), re-applied to any served version trained before them. */
  private erasures: { keys: string[]; at: number }[] = [];
  private trainingNote: { lastError: string | null; progress: string | null } = {
    lastError: null,
    progress: null,
  };
  readonly versions: ModelVersions;
  /** Experiments: definitions in <data>/experiments.json, exposures as events. */
  readonly experiments: ExperimentService;
  /** Bandits: definitions in <data>/bandits.json, states rebuilt from their logged rewards. */
  readonly bandits: BanditService;

  private constructor(
    readonly store: Store,
    private readonly clock: () => number,
    readonly settings: Settings,
    private readonly dataDir: string,
  ) {
    this.versions = new ModelVersions(join(dataDir, 'models'));
    const log = (event: StoredEvent) => this.storeQuietly(event);
    this.experiments = new ExperimentService(
      store,
      join(dataDir, 'experiments.json'),
      clock,
      {
        shopperKeys: async (userId, anonymousId) => {
          const { activity } = await this.servingReady();
          const shopper = activity.shopper(userId, anonymousId)!;
          return { shopper, keys: activity.keys(shopper) };
        },
        hasStrategy: (name) => name === 'default' || name in settings.serving.strategies,
        attributionMs: settings.serving.attributionHours * 3_600_000,
      },
      log,
    );
    this.bandits = new BanditService(store, join(dataDir, 'bandits.json'), clock, log);
  }

  private get erasedFile(): string {
    return join(this.dataDir, 'erased.jsonl');
  }

  /** Serves a bundle, ignoring what it learned about shoppers erased after its training began. */
  private useBundle(service: RecommendationService, bundle: ModelBundle): void {
    const trained = Date.parse(bundle.manifest.createdAt);
    service.use(bundle);
    for (const e of this.erasures) if (e.at >= trained) service.erase(e.keys);
  }

  /** Opens the store named by the configuration and reads the settings. */
  static async open(config: EngineConfig, clock: () => number = Date.now): Promise<Engine> {
    const settings =
      config.settings !== undefined
        ? parseSettings(config.settings, 'settings')
        : config.settingsFile
          ? parseSettings(readJson(config.settingsFile), config.settingsFile)
          : parseSettings({}, 'settings');
    const dataDir = config.dataDir ?? dirname(config.storeUrl.replace(/^duckdb:/, ''));
    let engine: Engine | null = null;
    const store = await openStore(config.storeUrl, {
      onCommit: (c) => {
        engine?.commitSize.observe(c.events);
        engine?.commitSeconds.observe(c.seconds);
      },
      onLoad: (l) => {
        engine?.loaded.inc({}, l.events);
        engine?.loadSeconds.observe(l.seconds);
      },
    });
    engine = new Engine(store, clock, settings, dataDir);
    return engine;
  }

  /** Validates and durably stores Segment messages; resolves once they are on disk. */
  async ingest(
    raws: readonly unknown[],
    options: { type?: MessageType; defaults?: ValidateOptions['defaults'] } = {},
  ): Promise<IngestResult> {
    const sorted = acceptMessages(raws, { ...options, receivedAt: this.clock() });
    for (const r of sorted.rejected) this.rejectedEvents.inc({ field: r.field.replace(/\[\d+\]/g, '[]') });
    const result = await this.store.appendEvents(sorted.valid);
    this.observe(sorted.valid);
    for (const e of sorted.valid) this.ingested.inc({ type: e.type });
    this.duplicates.inc({}, result.duplicates);
    return {
      accepted: sorted.accepted,
      rejected: sorted.rejected,
      stored: result.stored,
      duplicates: result.duplicates,
    };
  }

  /** Creates or replaces one item; `id` comes from the URL. */
  async putItem(id: string, body: unknown): Promise<Item> {
    const result = validateItem(body, this.clock(), id);
    if (!result.ok) throw new InvalidInput(result.errors[0]!.message, result.errors);
    await this.store.upsertItems([result.item]);
    const stored = (await this.store.getItem(id))!;
    this.itemsChanged([stored]);
    return stored;
  }

  /** Creates or replaces many items; valid ones are stored even when others are refused. */
  async upsertItems(bodies: readonly unknown[]): Promise<ItemsResult> {
    const now = this.clock();
    const sorted = sortRecords(bodies, (body) => {
      const r = validateItem(body, now);
      return r.ok ? { ok: true, value: r.item } : r;
    });
    await this.store.upsertItems(sorted.valid);
    this.itemsChanged(sorted.valid);
    return { upserted: sorted.valid.length, rejected: sorted.rejected };
  }

  getItem(id: string): Promise<Item | null> {
    return this.store.getItem(id);
  }

  async deleteItem(id: string): Promise<boolean> {
    const existed = await this.store.deleteItem(id);
    if (this.serving) {
      this.serving.catalog.remove(id);
      this.serving.catalogChanged([id]);
    }
    return existed;
  }

  listItems(query: ItemQuery): Promise<{ items: Item[]; nextCursor: string | null }> {
    return this.store.listItems(query);
  }

  getUser(id: string): Promise<UserProfile | null> {
    return this.store.getUser(id);
  }

  exportUser(id: string): Promise<UserExport | null> {
    return this.store.exportUser(id);
  }

  /**
   * Erases a user from the store and from serving: their recent activity is forgotten and the
   * served version's row for them is ignored from now on (also after a restart, until a version
   * trained after the erasure replaces it).
   */
  async eraseUser(id: string): Promise<ErasureResult> {
    await this.startServing();
    const activity = this.serving!.activity;
    const keys = activity.keys(activity.shopper(id, null) ?? id);
    const result = await this.store.eraseUser(id);
    const erasure = { keys, at: this.clock() };
    writeDurably(this.erasedFile, Buffer.from(`${JSON.stringify(erasure)}\n`), 'a');
    this.erasures.push(erasure);
    activity.forget(keys[0]!);
    this.serving!.erase(keys);
    return result;
  }

  /**
   * Streams files (CSV, JSONL, Parquet, a generated store directory) into the store through the
   * same validation as the API; memory stays bounded by one batch.
   */
  importFiles(
    paths: readonly string[],
    options: ImportOptions = {},
    onProgress?: (p: ImportProgress) => void,
  ): Promise<ImportSummary> {
    return importFiles(paths, options, this.store, onProgress);
  }

  /** Splits the stored interactions by a protocol, fits the named models and judges them (`cartwise evaluate`). */
  evaluate(
    request: EvaluationRequest,
    onProgress?: (message: string) => void,
    signal?: AbortSignal,
  ): Promise<EvaluationReport> {
    return runEvaluation(this.store, request, onProgress, signal);
  }

  stats(): Promise<StoreStats> {
    return this.store.stats();
  }

  /**
   * Loads what serving needs into memory: the catalog, who is who, the current model version and
   * the trending counts; then keeps them current as events and items arrive, and retrains on the
   * configured schedule. The API server calls this before it listens.
   */
  startServing(): Promise<void> {
    this.servingStart ??= this.loadServing();
    return this.servingStart;
  }

  private async loadServing(): Promise<void> {
    const s = this.settings.serving;
    const catalog = await CatalogView.load(this.store);
    const activity = new ShopperActivity();
    for (const link of await this.store.identityLinks()) activity.link(link.kind, link.id, link.userId);
    // Trending counts the window before the latest event (a store whose events stopped, e.g. an
    // imported history, still has a trending list).
    const last = (await this.store.stats()).lastEvent;
    const now = Math.min(this.clock(), last ?? this.clock());
    const trending = new LiveTrending(
      s.trending.halfLifeHours * 3_600_000,
      this.settings.training.weights,
      now,
    );
    for await (const b of this.store.scanInteractions({ from: now - s.trending.windowDays * 86_400_000 })) {
      for (let i = 0; i < b.item.length; i++) trending.add(b.item[i]!, b.event[i]!, b.timestamp[i]!);
    }
    this.erasures = existsSync(this.erasedFile)
      ? readFileSync(this.erasedFile, 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as { keys: string[]; at: number })
      : [];
    const rules = this.readMerchandising();
    const service = new RecommendationService(
      rules ? { ...s, merchandising: rules } : s,
      catalog,
      activity,
      trending,
      this.clock,
      this.similarLookups,
    );
    const version = this.versions.current();
    if (version) {
      const bundle = ModelBundle.load(this.versions, version);
      this.useBundle(service, bundle);
      // What happened after the version's cut-off is not in its rows: replay it into memory.
      for await (const b of this.store.scanInteractions({ from: bundle.manifest.cutoff + 1 })) {
        for (let i = 0; i < b.user.length; i++)
          activity.add(b.user[i]!, { item: b.item[i]!, event: b.event[i]!, time: b.timestamp[i]! });
      }
    }
    for (const x of await this.store.firstExposures())
      this.experiments.remember(x.experiment, x.unit, x.variant);
    this.serving = service;
    const every = this.settings.training.everyMinutes;
    if (every) {
      this.schedule = setInterval(() => {
        if (!this.training) this.train().catch(() => {});
      }, every * 60_000);
      this.schedule.unref();
    }
  }

  /**
   * Trains a new model version from everything stored (in a worker thread) and, when serving,
   * swaps it in; requests keep using the previous version until then. One run at a time: a second
   * call waits for the running one.
   */
  train(onProgress?: TrainingProgress, signal?: AbortSignal): Promise<BundleManifest> {
    if (this.training) return this.training;
    this.trainingAbort = new AbortController();
    const stop = this.trainingAbort.signal;
    signal?.addEventListener('abort', () => this.trainingAbort?.abort(), { once: true });
    this.trainingNote = { lastError: null, progress: 'starting' };
    this.training = trainBundle(this.store, this.versions, this.settings.training, {
      onProgress: (message, fraction) => {
        this.trainingNote.progress =
          fraction === undefined ? message : `${message} (${Math.round(fraction * 100)}%)`;
        onProgress?.(message, fraction);
      },
      signal: stop,
      clock: this.clock,
    })
      .then((manifest) => {
        this.trainings.inc({ outcome: 'ok' });
        if (this.serving) this.useBundle(this.serving, ModelBundle.load(this.versions, manifest.version));
        return manifest;
      })
      .catch((error: unknown) => {
        this.trainings.inc({ outcome: 'failed' });
        this.trainingNote.lastError = error instanceof Error ? error.message : String(error);
        throw error;
      })
      .finally(() => {
        this.training = null;
        this.trainingAbort = null;
        this.trainingNote.progress = null;
      });
    return this.training;
  }

  /** Whether a training run is going on, how far it is, and why the last one failed (if it did). */
  trainingStatus(): { running: boolean; lastError: string | null; progress: string | null } {
    return { running: this.training !== null, ...this.trainingNote };
  }

  /** The manifest of the version being served (or current on disk), null before any training. */
  model(): BundleManifest | null {
    const version = this.serving?.version ?? this.versions.current();
    return version ? this.versions.manifest<BundleManifest>(version) : null;
  }

  /**
   * Personalized recommendations for a user (or `anon:<anonymousId>`); records the impression
   * unless `record` is false (batch exports, which nobody has seen yet).
   */
  async recommendForUser(userId: string, query: ListQuery, record = true): Promise<RecommendationList> {
    const serving = await this.servingReady();
    let strategy = query.strategy;
    let routed: { experiment: string; variant: string } | null = null;
    // A running recommendations experiment picks the strategy unless the caller named one (a
    // strategy since removed from the settings falls back to the default).
    const experiment =
      strategy === undefined && record ? this.experiments.routingRecommendations() : undefined;
    if (experiment) {
      const anonymous = userId.startsWith('anon:') ? userId.slice(5) : undefined;
      const a = await this.experiments.assign(experiment.key, {
        userId: anonymous === undefined ? userId : undefined,
        anonymousId: anonymous,
      });
      const configured = a.strategy === 'default' || (a.strategy ?? '') in this.settings.serving.strategies;
      if (a.inExperiment && configured) {
        strategy = a.strategy!;
        routed = { experiment: experiment.key, variant: a.variantKey! };
      }
    }
    const list = serving.forUser(userId, { ...query, strategy });
    if (record) this.recordImpression(list, userId, routed);
    return list;
  }

  /** Known (identified) users of the served version, for batch exports; empty before training. */
  async servedUsers(): Promise<string[]> {
    return (await this.servingReady()).users();
  }

  /** Items similar to an item; records the impression (against `userId` when given). */
  async similarItems(
    itemId: string,
    query: ListQuery & { kind?: 'auto' | 'collaborative' | 'content'; userId?: string },
  ): Promise<RecommendationList> {
    const list = (await this.servingReady()).similarTo(itemId, query);
    this.recordImpression(list, query.userId);
    return list;
  }

  /** Trending items; records the impression (against `userId` when given). */
  async trending(query: ListQuery & { userId?: string }): Promise<RecommendationList> {
    const list = (await this.servingReady()).trendingList(query);
    this.recordImpression(list, query.userId);
    return list;
  }

  /** Items often bought with an item (association rules), topped up with similar items; records the impression. */
  async boughtTogether(itemId: string, query: ListQuery & { userId?: string }): Promise<RecommendationList> {
    const list = (await this.servingReady()).boughtTogether(itemId, query);
    this.recordImpression(list, query.userId);
    return list;
  }

  /** Add-ons for a basket of item ids; records the impression. */
  async completeBasket(
    itemIds: readonly string[],
    query: ListQuery & { userId?: string },
  ): Promise<RecommendationList> {
    const list = (await this.servingReady()).completeBasket(itemIds, query);
    this.recordImpression(list, query.userId);
    return list;
  }

  /**
   * Next items for a browsing session: the item ids given, or else what the shopper (`userId`, or
   * `anon:<anonymousId>`) viewed most recently. Records the impression.
   */
  async sessionRecommendations(
    itemIds: readonly string[],
    query: ListQuery & { userId?: string },
  ): Promise<RecommendationList> {
    const list = (await this.servingReady()).forSession(itemIds, { ...query, shopper: query.userId });
    this.recordImpression(list, query.userId);
    return list;
  }

  /** Impressions, click-through, conversion and attributed revenue per strategy and model version. */
  async recommendationStats(query: { from?: number; to?: number; strategy?: string }) {
    const rows = await this.store.recommendationStats({
      ...query,
      attributionMs: this.settings.serving.attributionHours * 3_600_000,
    });
    return rows.map((r) => ({
      ...r,
      clickThroughRate: r.impressions > 0 ? r.clicked / r.impressions : 0,
      conversionRate: r.impressions > 0 ? r.converted / r.impressions : 0,
      revenuePerImpression: r.impressions > 0 ? r.revenue / r.impressions : 0,
    }));
  }

  /** The statistics engine on summary statistics (`POST /v1/stats/analyze`). */
  analyzeStats(body: unknown): AnalyzeOutput {
    try {
      return analyze(body);
    } catch (error) {
      if (error instanceof AnalyzeInputError) throw new InvalidInput(error.problems[0]!, error.problems);
      throw error;
    }
  }

  /** The merchandising rules in force. */
  async merchandising(): Promise<MerchandisingRules> {
    return (await this.servingReady()).merchandising;
  }

  /** Validates and applies new merchandising rules at once, and keeps them for the next start. */
  async setMerchandising(body: unknown): Promise<MerchandisingRules> {
    const parsed = MerchandisingRules.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidInput(`${issue.path.join('.') || 'body'}: ${issue.message}`, parsed.error.issues);
    }
    replaceJsonFile(join(this.dataDir, 'merchandising.json'), parsed.data);
    (await this.servingReady()).setMerchandising(parsed.data);
    return parsed.data;
  }

  /** Cancels a running training, stops the schedule, flushes pending writes and closes the store. */
  async close(): Promise<void> {
    if (this.schedule) clearInterval(this.schedule);
    this.trainingAbort?.abort();
    await this.training?.catch(() => {});
    await this.store.close();
  }

  private async servingReady(): Promise<RecommendationService> {
    await this.startServing();
    return this.serving!;
  }

  private readMerchandising(): MerchandisingRules | null {
    const file = join(this.dataDir, 'merchandising.json');
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return null;
    }
    const parsed = MerchandisingRules.safeParse(raw);
    if (!parsed.success)
      throw new ConfigError(
        `${file}: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`,
      );
    return parsed.data;
  }

  /** Keeps serving's memory in step with what was just stored. */
  private observe(events: readonly StoredEvent[]): void {
    this.serving?.observe(events);
    // Exposures sent by client-side SDKs keep their units sticky too.
    for (const e of events) {
      if (e.type !== 'track' || e.event !== 'Experiment Viewed') continue;
      const experiment = e.properties?.experiment_id;
      const variant = e.properties?.variant;
      const who = this.serving?.activity.shopper(e.userId, e.anonymousId);
      if (typeof experiment === 'string' && typeof variant === 'number' && who)
        this.experiments.remember(experiment, who, variant);
    }
  }

  private itemsChanged(items: readonly Item[]): void {
    if (!this.serving) return;
    this.serving.catalog.upsert(items);
    this.serving.catalogChanged(items.map((i) => i.id));
  }

  /**
   * Stores what was shown: later clicks and orders are attributed to it. Not awaited: the answer
   * does not wait for the disk, and a failure is counted, never thrown at the shopper.
   */
  private recordImpression(
    list: RecommendationList,
    userId: string | undefined,
    routed: { experiment: string; variant: string } | null = null,
  ): void {
    if (list.items.length === 0) return;
    const anonymous = userId?.startsWith('anon:') ? userId.slice(5) : null;
    this.store
      .recordImpressions([
        {
          id: list.recommendationId,
          timestamp: this.clock(),
          userId: userId && !anonymous ? userId : null,
          anonymousId: anonymous ?? (userId ? null : `recommendation:${list.recommendationId}`),
          surface: list.surface,
          strategy: list.strategy,
          model: list.model,
          version: list.version,
          experiment: routed?.experiment ?? null,
          variant: routed?.variant ?? null,
          items: list.items.map((i) => i.itemId),
        },
      ])
      .catch(() => this.quietFailures.inc({ event: 'impression' }));
  }

  /** Stores an event the engine writes itself without making anyone wait; a failure is counted. */
  private storeQuietly(event: StoredEvent): void {
    this.store.appendEvents([event]).catch(() => this.quietFailures.inc({ event: event.event ?? '' }));
  }
}
