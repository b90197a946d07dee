import type { Config } from './config.js';
import { LATENCY_BUCKETS, Registry } from './core/metrics.js';
import { acceptMessages, type Rejection, sortRecords } from './ingest/accept.js';
import { type ImportOptions, type ImportProgress, type ImportSummary, importFiles } from './ingest/import.js';
import { validateItem } from './ingest/items.js';
import type { ValidateOptions } from './ingest/messages.js';
import { openStore } from './store/open.js';
import type { Item, MessageType } from './store/records.js';
import type { ErasureResult, ItemQuery, Store, StoreStats, UserExport, UserProfile } from './store/store.js';
import { type EvaluationReport, type EvaluationRequest, runEvaluation } from './train/evaluation.js';

export { StoreLockedError } from './store/store.js';

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

  private constructor(
    readonly store: Store,
    private readonly clock: () => number,
  ) {}

  /** Opens the store named by the configuration. */
  static async open(config: Pick<Config, 'storeUrl'>, clock: () => number = Date.now): Promise<Engine> {
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
    engine = new Engine(store, clock);
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
    return (await this.store.getItem(id))!;
  }

  /** Creates or replaces many items; valid ones are stored even when others are refused. */
  async upsertItems(bodies: readonly unknown[]): Promise<ItemsResult> {
    const now = this.clock();
    const sorted = sortRecords(bodies, (body) => {
      const r = validateItem(body, now);
      return r.ok ? { ok: true, value: r.item } : r;
    });
    await this.store.upsertItems(sorted.valid);
    return { upserted: sorted.valid.length, rejected: sorted.rejected };
  }

  getItem(id: string): Promise<Item | null> {
    return this.store.getItem(id);
  }

  deleteItem(id: string): Promise<boolean> {
    return this.store.deleteItem(id);
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

  eraseUser(id: string): Promise<ErasureResult> {
    return this.store.eraseUser(id);
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

  /** Flushes pending writes and closes the store. */
  close(): Promise<void> {
    return this.store.close();
  }
}
