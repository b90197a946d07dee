import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { type Config, ConfigError } from './config.js';
import { LATENCY_BUCKETS, Registry } from './core/metrics.js';
import { type Bandit, BanditBook, type BanditDecision, BanditInput } from './decide/bandits.js';
import { CatalogView } from './decide/catalog-view.js';
import { type ExperimentResults, experimentResults, metricEvents } from './decide/experiment-results.js';
import {
  type Experiment,
  type ExperimentAssignment,
  ExperimentBook,
  ExperimentInput,
} from './decide/experiments.js';
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

/** A track event with nothing set, for the events the engine writes itself. */
const BLANK_EVENT: StoredEvent = {
  messageId: '',
  type: 'track',
  event: null,
  userId: null,
  anonymousId: null,
  timestamp: 0,
  receivedAt: 0,
  itemId: null,
  orderId: null,
  price: null,
  quantity: null,
  revenue: null,
  rating: null,
  currency: null,
  coupon: null,
  products: null,
  properties: null,
  traits: null,
  context: null,
  targetId: null,
};

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
  /** Experiments and sticky assignments (kept in <data>/experiments.json; exposures are events). */
  private readonly experiments: ExperimentBook;
  /** Bandits (definitions in <data>/bandits.json; states rebuilt from their logged rewards). */
  private readonly bandits: BanditBook;
  private banditsStart: Promise<void> | null = null;
  /** Recent decisions by id, so a reward may name the decision instead of the arm and context. */
  private readonly decisions = new Map<string, { arm: string; context: number[] | null }>();

  private constructor(
    readonly store: Store,
    private readonly clock: () => number,
    readonly settings: Settings,
    private readonly dataDir: string,
  ) {
    this.versions = new ModelVersions(join(dataDir, 'models'));
    const file = join(dataDir, 'experiments.json');
    this.experiments = new ExperimentBook(existsSync(file) ? (readJson(file) as Experiment[]) : []);
    const bandits = join(dataDir, 'bandits.json');
    this.bandits = new BanditBook(existsSync(bandits) ? (readJson(bandits) as Bandit[]) : []);
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
    appendFileSync(this.erasedFile, `${JSON.stringify(erasure)}\n`);
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
      const a = await this.assignExperiment(experiment.key, {
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

  /** Every experiment, newest definitions as stored. */
  listExperiments(): Experiment[] {
    return this.experiments.list();
  }

  getExperiment(key: string): Experiment {
    return this.experiments.get(key);
  }

  /** Creates an experiment or replaces a draft; the definition is validated field by field. */
  putExperiment(body: unknown): Experiment {
    const parsed = ExperimentInput.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidInput(`${issue.path.join('.') || 'body'}: ${issue.message}`, parsed.error.issues);
    }
    for (const v of parsed.data.variants)
      if (v.strategy && v.strategy !== 'default' && !(v.strategy in this.settings.serving.strategies))
        throw new InvalidInput(
          `variants: strategy "${v.strategy}" is not configured in serving.strategies`,
          null,
        );
    const e = this.experiments.put(parsed.data);
    this.saveExperiments();
    return e;
  }

  startExperiment(key: string): Experiment {
    const e = this.experiments.start(key, this.clock());
    this.saveExperiments();
    return e;
  }

  stopExperiment(key: string): Experiment {
    const e = this.experiments.stop(key, this.clock());
    this.saveExperiments();
    return e;
  }

  /**
   * The variant a shopper sees (GrowthBook hashing, sticky across devices once their ids are
   * linked). A new exposure is logged as an `Experiment Viewed` event. Targeting reads the user's
   * stored traits, overridden by `attributes`.
   */
  async assignExperiment(
    key: string,
    who: { userId?: string; anonymousId?: string; attributes?: Record<string, unknown> },
  ): Promise<ExperimentAssignment & { status: Experiment['status'] }> {
    const e = this.experiments.get(key);
    const hashId = who.userId ?? who.anonymousId;
    if (!hashId) throw new InvalidInput('userId: give userId or anonymousId', null);
    const serving = await this.servingReady();
    const shopper = serving.activity.shopper(who.userId ?? null, who.anonymousId ?? null)!;
    const traits = e.targeting && who.userId ? ((await this.store.getUser(who.userId))?.traits ?? {}) : {};
    const attributes = { id: hashId, ...traits, ...who.attributes };
    const keys = serving.activity.keys(shopper);
    const a = this.experiments.assign(key, { shopper, keys, hashId, attributes });
    if (a.inExperiment && !a.sticky) this.recordExposure(e, a, who);
    return { ...a, status: e.status };
  }

  /** Per variant: units, every metric with effect and interval, SRM, and warnings. */
  async experimentResults(key: string): Promise<ExperimentResults> {
    const e = this.experiments.look(key);
    this.saveExperiments();
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
            attributionMs: this.settings.serving.attributionHours * 3_600_000,
          })
        : [];
    return experimentResults(e, units, events, attribution, e.stoppedAt ?? this.clock());
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

  private saveExperiments(): void {
    const file = join(this.dataDir, 'experiments.json');
    mkdirSync(this.dataDir, { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(this.experiments.list(), null, 2));
    renameSync(`${file}.tmp`, file);
  }

  /** Logs a first exposure as an `Experiment Viewed` event (not awaited; failures are counted). */
  private recordExposure(
    e: Experiment,
    a: ExperimentAssignment,
    who: { userId?: string; anonymousId?: string },
  ): void {
    const now = this.clock();
    this.storeQuietly({
      ...BLANK_EVENT,
      messageId: `exposure:${e.key}:${who.userId ?? `anon:${who.anonymousId}`}`,
      event: 'Experiment Viewed',
      userId: who.userId ?? null,
      anonymousId: who.anonymousId ?? null,
      timestamp: now,
      receivedAt: now,
      properties: {
        experiment_id: e.key,
        variation_id: a.variantKey,
        variant: a.variant,
        ...(a.strategy ? { strategy: a.strategy } : {}),
      },
    });
  }

  /** Every bandit with its arms' current probabilities (for a context-free view). */
  async listBandits(): Promise<ReturnType<Engine['banditView']>[]> {
    await this.banditsReady();
    return this.bandits.list().map((b) => this.banditView(b));
  }

  async getBandit(key: string): Promise<ReturnType<Engine['banditView']>> {
    await this.banditsReady();
    return this.banditView(this.bandits.get(key));
  }

  /** Creates a bandit; every setting is checked and a bad one is named. */
  async createBandit(body: unknown): Promise<ReturnType<Engine['banditView']>> {
    await this.banditsReady();
    const parsed = BanditInput.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidInput(`${issue.path.join('.') || 'body'}: ${issue.message}`, parsed.error.issues);
    }
    const b = this.bandits.create(parsed.data, this.clock());
    const file = join(this.dataDir, 'bandits.json');
    mkdirSync(this.dataDir, { recursive: true });
    writeFileSync(
      `${file}.tmp`,
      JSON.stringify(
        this.bandits.list().map(({ state: _, ...d }) => d),
        null,
        2,
      ),
    );
    renameSync(`${file}.tmp`, file);
    return this.banditView(b);
  }

  /**
   * Chooses an arm and logs the decision with its propensity as a `Bandit Arm Chosen` event
   * (not awaited: a slow disk never delays the answer).
   */
  async chooseArm(
    key: string,
    request: { context?: number[] | null; userId?: string; anonymousId?: string },
  ): Promise<BanditDecision> {
    await this.banditsReady();
    const context = request.context ?? null;
    const d = this.bandits.choose(key, context);
    this.decisions.set(d.decisionId, { arm: d.arm, context });
    if (this.decisions.size > 100_000) this.decisions.delete(this.decisions.keys().next().value!);
    const now = this.clock();
    this.storeQuietly({
      ...BLANK_EVENT,
      messageId: `bandit-decision:${d.decisionId}:${now}`,
      event: 'Bandit Arm Chosen',
      userId: request.userId ?? null,
      anonymousId: request.anonymousId ?? (request.userId ? null : `bandit:${d.decisionId}`),
      timestamp: now,
      receivedAt: now,
      properties: {
        bandit: key,
        decision_id: d.decisionId,
        arm: d.arm,
        probability: d.probability,
        probabilities: d.probabilities,
        context,
      },
    });
    return d;
  }

  /**
   * Records an outcome: of an arm (with its context, for contextual bandits) or of a recent
   * decision by id. Answers once the `Bandit Reward` event is on disk; states are rebuilt from
   * these events at start.
   */
  async rewardArm(
    key: string,
    request: { arm?: string; decisionId?: string; value: number; context?: number[] | null; userId?: string },
  ): Promise<{ bandit: string; arm: string; counts: Record<string, number> }> {
    await this.banditsReady();
    const decided = request.decisionId !== undefined ? this.decisions.get(request.decisionId) : undefined;
    if (request.decisionId !== undefined && !decided && request.arm === undefined)
      throw new InvalidInput(
        `decisionId: "${request.decisionId}" is not a recent decision; send arm (and context) instead`,
        null,
      );
    const arm = request.arm ?? decided!.arm;
    const context = request.context ?? decided?.context ?? null;
    this.bandits.reward(key, arm, request.value, context);
    const now = this.clock();
    await this.store.appendEvents([
      {
        ...BLANK_EVENT,
        messageId: `bandit-reward:${randomUUID()}`,
        event: 'Bandit Reward',
        userId: request.userId ?? null,
        anonymousId: request.userId ? null : `bandit:${key}`,
        timestamp: now,
        receivedAt: now,
        properties: {
          bandit: key,
          arm,
          value: request.value,
          context,
          decision_id: request.decisionId ?? null,
        },
      },
    ]);
    const b = this.bandits.get(key);
    return {
      bandit: key,
      arm,
      counts: Object.fromEntries(b.state.arms.map((a, i) => [a, b.state.counts[i]!])),
    };
  }

  private banditView(b: Bandit) {
    const contextual = b.dimension !== undefined;
    return {
      key: b.key,
      name: b.name ?? null,
      policy: b.policy,
      arms: b.arms,
      dimension: b.dimension ?? null,
      params: b.state.params,
      createdAt: new Date(b.createdAt).toISOString(),
      decisions: b.state.decisions,
      rewards: Object.fromEntries(b.state.arms.map((a, i) => [a, b.state.counts[i]!])),
      /** Probabilities the next decision uses (contextual bandits: they depend on the context). */
      weights: contextual ? null : this.bandits.weights(b.key, null),
    };
  }

  /** Rebuilds every bandit's state from the logged rewards and decision counts, once. */
  private banditsReady(): Promise<void> {
    this.banditsStart ??= (async () => {
      const rewards = new Map<string, { arm: string; value: number; context: number[] | null }[]>();
      for (const e of await this.store.eventsNamed('Bandit Reward')) {
        const p = e.properties as { bandit: string; arm: string; value: number; context: number[] | null };
        rewards.set(p.bandit, [
          ...(rewards.get(p.bandit) ?? []),
          { arm: p.arm, value: p.value, context: p.context },
        ]);
      }
      const decisions = new Map<string, number>();
      for (const e of await this.store.eventsNamed('Bandit Arm Chosen')) {
        const key = (e.properties as { bandit: string }).bandit;
        decisions.set(key, (decisions.get(key) ?? 0) + 1);
      }
      for (const b of this.bandits.list())
        this.bandits.replay(b.key, rewards.get(b.key) ?? [], decisions.get(b.key) ?? 0);
    })();
    return this.banditsStart;
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
    const file = join(this.dataDir, 'merchandising.json');
    writeFileSync(`${file}.tmp`, JSON.stringify(parsed.data, null, 2));
    renameSync(`${file}.tmp`, file);
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
   * Stores what was shown, as a `Recommendation Shown` event whose messageId is the
   * recommendationId: later clicks and orders are attributed to it. Not awaited: the answer does
   * not wait for the disk, and a failure is counted, never thrown at the shopper.
   */
  private recordImpression(
    list: RecommendationList,
    userId: string | undefined,
    routed: { experiment: string; variant: string } | null = null,
  ): void {
    if (list.items.length === 0) return;
    const now = this.clock();
    const anonymous = userId?.startsWith('anon:') ? userId.slice(5) : null;
    this.storeQuietly({
      ...BLANK_EVENT,
      messageId: list.recommendationId,
      event: 'Recommendation Shown',
      userId: userId && !anonymous ? userId : null,
      anonymousId: anonymous ?? (userId ? null : `recommendation:${list.recommendationId}`),
      timestamp: now,
      receivedAt: now,
      properties: {
        recommendation_id: list.recommendationId,
        surface: list.surface,
        strategy: list.strategy,
        model: list.model,
        version: list.version,
        item_ids: list.items.map((i) => i.itemId),
        ...(routed ?? {}),
      },
    });
  }

  /** Stores an event the engine writes itself without making anyone wait; a failure is counted. */
  private storeQuietly(event: StoredEvent): void {
    this.store.appendEvents([event]).catch(() => this.quietFailures.inc({ event: event.event ?? '' }));
  }
}
