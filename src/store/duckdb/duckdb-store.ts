import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  BIGINT,
  type DuckDBConnection,
  type DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBType,
  type DuckDBValue,
  JSDuckDBValueConverter,
  LIST,
  listValue,
  VARCHAR,
} from '@duckdb/node-api';
import { hash64 } from '../../core/hash.js';
import { KeySet64 } from '../../core/key-set.js';
import { GroupCommit } from '../group-commit.js';
import { Journal, type Segment } from '../journal.js';
import type { Item, StoredEvent, UserRecord } from '../records.js';
import {
  type ActivitySummary,
  type AppendResult,
  type ErasureResult,
  type ExperimentUnit,
  type ExperimentUnitsQuery,
  type Impression,
  type InteractionBatch,
  type InteractionQuery,
  type ItemQuery,
  type RecommendationStatsQuery,
  type RecommendationStatsRow,
  type Store,
  StoreLockedError,
  type StoreStats,
  type UserExport,
  type UserProfile,
} from '../store.js';
import { Identities } from './identity.js';
import {
  EVENT_SELECT,
  ITEM_SELECT,
  ITEM_TYPES,
  impressionLine,
  itemColumns,
  journalLine,
  loadImpressionsSql,
  loadSegmentsSql,
  rowToEvent,
  rowToItem,
  toChunks,
} from './rows.js';
import { DDL, MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { SegmentLoader } from './segment-loader.js';

/** Numbers about each group commit, for metrics. */
export interface CommitInfo {
  requests: number;
  events: number;
  duplicates: number;
  seconds: number;
}

/** Numbers about each segment loaded into DuckDB, for metrics. */
export interface LoadInfo {
  events: number;
  seconds: number;
}

/** Options of {@link DuckDBStore.open}. */
export interface DuckDBStoreOptions {
  /** DuckDB worker threads (default: all cores). */
  threads?: number;
  /** DuckDB's memory limit, e.g. "1GB" (default); larger work spills to disk. */
  memoryLimit?: string;
  /** Journal segment size that triggers a load (default 32 MiB). */
  maxSegmentBytes?: number;
  /** Longest time an acknowledged event waits in the journal before it is loaded (default 200 ms). */
  maxLoadDelayMs?: number;
  /**
   * Impressions are gathered this long (default 100 ms) and then written and fsynced together: nobody
   * waits for them, so a crash loses at most this window, and a busy server does ten fsyncs a second
   * for them instead of one per group commit.
   */
  impressionFlushMs?: number;
  /** Longest time an impression waits in its journal before it is loaded (default 10 s; reads that need it load it first). */
  impressionLoadDelayMs?: number;
  /** Called after each group commit (acknowledgement). */
  onCommit?: (info: CommitInfo) => void;
  /** Called after each segment load. */
  onLoad?: (info: LoadInfo) => void;
}

const strings = (values: readonly string[]) => listValue([...values]);
const STRINGS: DuckDBType = LIST(VARCHAR);

/**
 * The embedded store: one DuckDB file owned by this process.
 *
 * Events are acknowledged from the journal: a group commit appends them to a segment file and
 * fsyncs it, with no database work on the request path. Closed segments are then loaded into
 * DuckDB in bulk (DuckDB parses the JSON lines itself, in parallel) and deleted. Reads that involve
 * events first wait for the loader to catch up, so a client always reads its own writes. Every
 * database write (loads, catalog, users, erasure) runs on one serial queue and one connection;
 * reads use a second connection. Message ids are de-duplicated in memory (a 64-bit hash set,
 * confirmed exactly on a hit), so the table needs no unique index.
 */
export class DuckDBStore implements Store {
  /** Acknowledgement path: group commits into the journal. */
  private readonly ingest: GroupCommit<StoredEvent, AppendResult>;
  /** Database writes, one at a time, in order. */
  private readonly db = new GroupCommit<never, never>(async () => []);
  /** Message ids acknowledged but not loaded yet. */
  private readonly pending = new Set<string>();
  private readonly events: SegmentLoader;
  /** Impressions: their own group commit, journal and (rarer) loads. */
  private readonly shown: GroupCommit<Impression, undefined>;
  private readonly impressions: SegmentLoader;
  private nextImpressionSeq = 1;
  /** Impressions waiting for the flush timer, and the promise their callers hold. */
  private readonly unsent: Impression[] = [];
  private flushing: Promise<void> | null = null;
  private flushTimer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    private readonly journal: Journal,
    impressionJournal: Journal,
    private readonly identities: Identities,
    private nextSeq: number,
    private readonly seen: KeySet64,
    private readonly options: DuckDBStoreOptions,
    private readonly file: string | null,
  ) {
    this.ingest = new GroupCommit((batches) => this.commitEvents(batches));
    this.shown = new GroupCommit((batches) => this.commitImpressions(batches));
    const dbQueue = <V>(task: () => Promise<V>) => this.db.exclusive(task);
    this.events = new SegmentLoader(journal, {
      name: 'event journal',
      appendQueue: (task) => this.ingest.exclusive(task),
      dbQueue,
      delayMs: options.maxLoadDelayMs ?? 200,
      load: (segments) => this.loadEvents(segments),
      loaded: (segments, seconds) => {
        let events = 0;
        for (const segment of segments) {
          for (const id of segment.messageIds) this.pending.delete(id);
          events += segment.messageIds.length;
        }
        this.options.onLoad?.({ events, seconds });
      },
    });
    this.impressions = new SegmentLoader(impressionJournal, {
      name: 'impressions journal',
      appendQueue: (task) => this.shown.exclusive(task),
      dbQueue,
      delayMs: options.impressionLoadDelayMs ?? 10_000,
      load: (segments) =>
        this.loadOnce(segments, 'impressions_loaded_seq', async (from) => {
          await this.writer.run(loadImpressionsSql(segments.map((s) => s.path)), [BigInt(from)], [BIGINT]);
        }),
    });
  }

  /**
   * Opens (creating if needed) the database file at `path`, or `:memory:` (then the journal lives
   * in a temporary directory). Segments a crash left in the journal are loaded before it returns.
   */
  static async open(path: string, options: DuckDBStoreOptions = {}): Promise<DuckDBStore> {
    const key = path === ':memory:' ? null : resolve(path);
    if (key !== null) {
      // DuckDB's file lock only stops other processes; two instances in one process would corrupt the file.
      if (openFiles.has(key)) throw new StoreLockedError(`${path} is already open in this process`);
      mkdirSync(dirname(key), { recursive: true });
    }
    let instance: DuckDBInstance;
    try {
      const config: Record<string, string> = {};
      if (options.threads) config.threads = String(options.threads);
      config.memory_limit = options.memoryLimit ?? '1GB';
      instance = await DuckDBInstance.create(path, config);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/lock/i.test(message)) {
        const pid = /PID (\d+)/.exec(message)?.[1];
        throw new StoreLockedError(
          `${path} is in use by another process${pid ? ` (pid ${pid})` : ''}; stop it (e.g. the running server) or use another --data directory`,
        );
      }
      throw error;
    }
    if (key !== null) openFiles.add(key);
    const writer = await instance.connect();
    for (const sql of DDL) await writer.run(sql);
    await checkSchemaVersion(writer);
    for (const table of ['items', 'users']) {
      await writer.run(`CREATE TEMP TABLE ${table}_in AS SELECT * FROM ${table} LIMIT 0`);
    }
    const journalDir = (suffix: string) =>
      key === null ? join(tmpdir(), `cartwise-${suffix}-${process.pid}-${Date.now()}`) : `${key}.${suffix}`;
    const { journal, recovered } = Journal.open(journalDir('journal'), {
      maxSegmentBytes: options.maxSegmentBytes,
    });
    const shown = Journal.open(journalDir('impressions'), { maxSegmentBytes: options.maxSegmentBytes });
    const identities = new Identities(writer);
    const reader = await instance.connect();
    const store = new DuckDBStore(
      instance,
      writer,
      reader,
      journal,
      shown.journal,
      identities,
      1,
      new KeySet64(),
      options,
      key,
    );
    await store.events.recover(recovered);
    await store.impressions.recover(shown.recovered);
    store.nextImpressionSeq =
      Math.max(await loadedSeq(writer, 'impressions_loaded_seq'), ...shown.recovered.map((s) => s.lastSeq)) +
      1;
    const max = (
      await reader.runAndReadAll('SELECT COALESCE(MAX(seq), 0) AS m, COUNT(*) AS n FROM events')
    ).getRowObjectsJS()[0]!;
    const loaded = await loadedSeq(writer, 'loaded_seq');
    store.nextSeq = Math.max(Number(max.m), loaded) + 1;
    const ids = await reader.stream('SELECT message_id FROM events');
    for (let chunk = await ids.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await ids.fetchChunk()) {
      for (const id of chunk.getColumnValues(0) as string[]) store.seen.add(...hash64(id));
    }
    return store;
  }

  appendEvents(events: readonly StoredEvent[]): Promise<AppendResult> {
    if (events.length === 0) return Promise.resolve({ stored: 0, duplicates: 0 });
    return this.ingest.submit([...events]);
  }

  private async commitEvents(batches: StoredEvent[][]): Promise<AppendResult[]> {
    const started = performance.now();
    const hashes = batches.map((b) => b.map((e) => hash64(e.messageId)));
    // A hash hit is almost always a real repeat; confirm exactly so a collision never drops an event.
    const suspects = batches.flatMap((b, i) =>
      b.filter((_, j) => this.seen.has(...hashes[i]![j]!)).map((e) => e.messageId),
    );
    const stored = suspects.length > 0 ? await this.existingMessageIds(suspects) : new Set<string>();
    const inGroup = new Set<string>();
    const accepted: StoredEvent[] = [];
    const acceptedHashes: [number, number][] = [];
    const results = batches.map((batch, i) => {
      let duplicates = 0;
      batch.forEach((e, j) => {
        if (stored.has(e.messageId) || inGroup.has(e.messageId)) {
          duplicates++;
          return;
        }
        inGroup.add(e.messageId);
        accepted.push(e);
        acceptedHashes.push(hashes[i]![j]!);
      });
      return { stored: batch.length - duplicates, duplicates };
    });
    if (accepted.length > 0) {
      // Back-pressure: when the database falls this far behind, acknowledgements wait for it.
      if (this.pending.size > MAX_PENDING) await this.db.exclusive(async () => undefined);
      const first = this.nextSeq;
      await this.journal.append(
        accepted.map((e, i) => journalLine(e, first + i)),
        accepted.map((e) => e.messageId),
        first + accepted.length - 1,
      );
      this.nextSeq += accepted.length;
      for (const h of acceptedHashes) this.seen.add(...h);
      for (const e of accepted) this.pending.add(e.messageId);
      await this.events.appended();
    }
    this.options.onCommit?.({
      requests: batches.length,
      events: accepted.length,
      duplicates: results.reduce((s, r) => s + r.duplicates, 0),
      seconds: (performance.now() - started) / 1000,
    });
    return results;
  }

  recordImpressions(impressions: readonly Impression[]): Promise<void> {
    if (impressions.length === 0) return Promise.resolve();
    for (const x of impressions) this.unsent.push(x);
    this.flushing ??= new Promise<void>((resolve, reject) => {
      this.flushTimer = setTimeout(
        () => this.flushImpressions().then(resolve, reject),
        this.options.impressionFlushMs ?? 100,
      );
    });
    return this.flushing;
  }

  /** Appends the impressions waiting for the flush timer to their journal now. */
  private flushImpressions(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.flushing = null;
    const batch = this.unsent.splice(0);
    return batch.length > 0 ? this.shown.submit(batch) : Promise.resolve();
  }

  private async commitImpressions(batches: Impression[][]): Promise<undefined[]> {
    const all = batches.flat();
    const first = this.nextImpressionSeq;
    await this.impressions.journal.append(
      all.map((x, i) => impressionLine(x, first + i)),
      all.map((x) => x.id),
      first + all.length - 1,
    );
    this.nextImpressionSeq += all.length;
    await this.impressions.appended();
    return batches.map(() => undefined);
  }

  /**
   * Loads event segments (oldest first) in one transaction: the events, then what they say about
   * identities, then the new loaded position.
   */
  private loadEvents(segments: readonly Segment[]): Promise<void> {
    return this.loadOnce(segments, 'loaded_seq', async (from, last) => {
      await this.writer.run(loadSegmentsSql(segments.map((s) => s.path)), [BigInt(from)], [BIGINT]);
      await this.identities.applyLoaded(from + 1, last);
    });
  }

  /**
   * Runs `insert` for the lines above the loaded position kept under `key` in `meta`, and moves that
   * position, in one transaction: a segment loaded again after a crash inserts nothing twice.
   */
  private async loadOnce(
    segments: readonly Segment[],
    key: string,
    insert: (from: number, last: number) => Promise<void>,
  ): Promise<void> {
    const from = await loadedSeq(this.writer, key);
    const last = segments[segments.length - 1]!.lastSeq;
    if (last <= from) return;
    await this.transaction(async () => {
      await insert(from, last);
      await this.writer.run('INSERT OR REPLACE INTO meta VALUES ($1, $2)', [key, String(last)]);
    });
  }

  /** Makes every acknowledged event and impression visible to reads. */
  private async settle(): Promise<void> {
    await this.events.settle();
    await this.flushImpressions();
    await this.impressions.settle();
  }

  private async existingMessageIds(ids: string[]): Promise<Set<string>> {
    const found = new Set(ids.filter((id) => this.pending.has(id)));
    const rows = await this.reader.runAndReadAll(
      'SELECT message_id FROM events WHERE message_id IN (SELECT unnest($1))',
      [strings(ids)],
      [STRINGS],
    );
    for (const [id] of rows.getRowsJS()) found.add(String(id));
    return found;
  }

  upsertItems(items: readonly Item[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    const latest = [...new Map(items.map((i) => [i.id, i])).values()];
    return this.db.exclusive(() =>
      this.transaction(async () => {
        await this.writer.run('DELETE FROM items_in');
        await this.append('items_in', toChunks(latest, ITEM_TYPES, itemColumns));
        // Keep the original creation time of items that already exist.
        await this.writer.run(`INSERT INTO items SELECT n.* REPLACE (COALESCE(o.created_at, n.created_at) AS created_at)
          FROM items_in n LEFT JOIN items o ON o.item_id = n.item_id
          ON CONFLICT DO UPDATE SET title = excluded.title, description = excluded.description,
            category = excluded.category, brand = excluded.brand, price = excluded.price, cost = excluded.cost,
            currency = excluded.currency, stock = excluded.stock, available = excluded.available,
            attributes = excluded.attributes, tags = excluded.tags, image_url = excluded.image_url,
            url = excluded.url, created_at = excluded.created_at, updated_at = excluded.updated_at`);
      }),
    );
  }

  async getItem(id: string): Promise<Item | null> {
    const rows = await this.reader.runAndReadAll(`SELECT ${ITEM_SELECT} FROM items WHERE item_id = $1`, [id]);
    const row = rows.getRowObjectsJS()[0];
    return row ? rowToItem(row) : null;
  }

  deleteItem(id: string): Promise<boolean> {
    return this.db.exclusive(async () => {
      const result = await this.writer.run('DELETE FROM items WHERE item_id = $1', [id]);
      return result.rowsChanged > 0;
    });
  }

  async listItems(query: ItemQuery): Promise<{ items: Item[]; nextCursor: string | null }> {
    const where: string[] = [];
    const params: DuckDBValue[] = [];
    if (query.category) {
      params.push(query.category.toLowerCase(), `${likeEscape(query.category.toLowerCase())} > %`);
      where.push(
        `(lower(category) = $${params.length - 1} OR lower(category) LIKE $${params.length} ESCAPE '\\')`,
      );
    }
    if (query.q) {
      params.push(`%${likeEscape(query.q)}%`);
      const p = `$${params.length}`;
      where.push(
        `(item_id ILIKE ${p} ESCAPE '\\' OR title ILIKE ${p} ESCAPE '\\' OR description ILIKE ${p} ESCAPE '\\' OR brand ILIKE ${p} ESCAPE '\\')`,
      );
    }
    if (query.cursor) {
      params.push(query.cursor);
      where.push(`item_id > $${params.length}`);
    }
    const sql = `SELECT ${ITEM_SELECT} FROM items ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY item_id LIMIT ${Math.floor(query.limit) + 1}`;
    const items = (await this.reader.runAndReadAll(sql, params)).getRowObjectsJS().map(rowToItem);
    const more = items.length > query.limit;
    if (more) items.pop();
    return { items, nextCursor: more ? items[items.length - 1]!.id : null };
  }

  upsertUsers(users: readonly UserRecord[]): Promise<void> {
    if (users.length === 0) return Promise.resolve();
    return this.db.exclusive(() => this.transaction(() => this.identities.mergeUsers(users)));
  }

  /** WHERE clause (with $1 = user ids, $2 = anonymous ids) selecting one shopper's events. */
  private static readonly SHOPPER =
    `(user_id IN (SELECT unnest($1)) OR (user_id IS NULL AND anonymous_id IN (SELECT unnest($2))))`;

  async getUser(userId: string): Promise<UserProfile | null> {
    await this.settle();
    const who = await this.identities.shopper(this.reader, userId);
    const params = [strings(who.userIds), strings(who.anonymousIds)];
    const summary = (
      await this.reader.runAndReadAll(
        `SELECT COUNT(*) AS events, epoch_ms(MIN(ts)) AS first_seen, epoch_ms(MAX(ts)) AS last_seen,
          COUNT(*) FILTER (WHERE event = 'Order Completed') AS orders,
          COALESCE(SUM(revenue) FILTER (WHERE event = 'Order Completed'), 0) AS revenue,
          COALESCE(SUM(revenue) FILTER (WHERE event = 'Order Refunded'), 0) AS refunds
         FROM events WHERE ${DuckDBStore.SHOPPER}`,
        params,
        [STRINGS, STRINGS],
      )
    ).getRowObjectsJS()[0]!;
    const byEvent = (
      await this.reader.runAndReadAll(
        `SELECT ${EVENT_NAME} AS name, COUNT(*) AS n FROM events WHERE ${DuckDBStore.SHOPPER} GROUP BY 1 ORDER BY 2 DESC, 1`,
        params,
        [STRINGS, STRINGS],
      )
    ).getRowsJS();
    const record = (await this.identities.usersById(this.reader, [who.canonical]))[0];
    if (!record && Number(summary.events) === 0 && who.links.length === 0) return null;
    const activity: ActivitySummary = {
      events: Number(summary.events),
      firstSeen: summary.first_seen === null ? null : Number(summary.first_seen),
      lastSeen: summary.last_seen === null ? null : Number(summary.last_seen),
      byEvent: Object.fromEntries(byEvent.map((r) => [String(r[0]), Number(r[1])])),
      orders: Number(summary.orders),
      revenue: Number(summary.revenue),
      refunds: Number(summary.refunds),
    };
    return {
      userId: who.canonical,
      traits: record?.traits ?? {},
      identities: who.links,
      activity,
      createdAt: record?.createdAt ?? null,
      updatedAt: record?.updatedAt ?? null,
    };
  }

  async exportUser(userId: string): Promise<UserExport | null> {
    const profile = await this.getUser(userId);
    if (!profile) return null;
    const who = await this.identities.shopper(this.reader, userId);
    const rows = await this.reader.runAndReadAll(
      `SELECT ${EVENT_SELECT} FROM events WHERE ${DuckDBStore.SHOPPER} ORDER BY ts, seq`,
      [strings(who.userIds), strings(who.anonymousIds)],
      [STRINGS, STRINGS],
    );
    return { profile, events: rows.getRowObjectsJS().map(rowToEvent) };
  }

  async eraseUser(userId: string): Promise<ErasureResult> {
    await this.settle();
    return this.db.exclusive(async () => {
      const who = await this.identities.shopper(this.writer, userId);
      const params = [strings(who.userIds), strings(who.anonymousIds)];
      const result = await this.transaction(async () => {
        const events = await this.writer.run(`DELETE FROM events WHERE ${DuckDBStore.SHOPPER}`, params, [
          STRINGS,
          STRINGS,
        ]);
        const shown = await this.writer.run(`DELETE FROM impressions WHERE ${DuckDBStore.SHOPPER}`, params, [
          STRINGS,
          STRINGS,
        ]);
        const users = await this.writer.run(
          'DELETE FROM users WHERE user_id IN (SELECT unnest($1))',
          [params[0]!],
          [STRINGS],
        );
        return {
          events: events.rowsChanged,
          users: users.rowsChanged,
          impressions: shown.rowsChanged,
          identities: await this.identities.erase(who),
        };
      });
      // Fold the deletion into the database file so the erased rows leave the write-ahead log.
      await this.writer.run('CHECKPOINT');
      return {
        found: result.events + result.users + result.impressions + result.identities > 0,
        events: result.events,
        identities: result.identities,
      };
    });
  }

  async *scanInteractions(query: InteractionQuery = {}): AsyncIterable<InteractionBatch> {
    await this.settle();
    const where: string[] = [];
    const params: DuckDBValue[] = [];
    if (query.from !== undefined) {
      params.push(BigInt(Math.round(query.from)));
      where.push(`t >= $${params.length}`);
    }
    if (query.to !== undefined) {
      params.push(BigInt(Math.round(query.to)));
      where.push(`t < $${params.length}`);
    }
    if (query.includeAnonymous === false) where.push('shopper_id IS NOT NULL');
    // A connection of its own: another query on a shared connection would silently end this stream.
    const connection = await this.instance.connect();
    let finished = false;
    try {
      const result = await connection.stream(
        `SELECT ${SHOPPER_KEY} AS u, item, event, t, rating, quantity FROM (
           SELECT shopper_id, anonymous_id, item_id AS item, event, epoch_ms(ts) AS t, rating, quantity, seq
           FROM shopper_events WHERE type = 'track' AND item_id IS NOT NULL AND products IS NULL
           UNION ALL
           SELECT e.shopper_id, e.anonymous_id, x.p.product_id, e.event, epoch_ms(e.ts), NULL, x.p.quantity, e.seq
           FROM shopper_events e, UNNEST(e.products) AS x(p)
         ) WHERE (shopper_id IS NOT NULL OR anonymous_id IS NOT NULL) ${where.length ? `AND ${where.join(' AND ')}` : ''}
         ORDER BY t, seq`,
        params,
      );
      try {
        for (
          let chunk = await result.fetchChunk();
          chunk && chunk.rowCount > 0;
          chunk = await result.fetchChunk()
        ) {
          const [u, item, event, t, rating, quantity] = chunk.convertColumns(JSDuckDBValueConverter) as [
            string[],
            string[],
            string[],
            bigint[],
            (number | null)[],
            (number | null)[],
          ];
          yield {
            user: u,
            item,
            event,
            timestamp: Float64Array.from(t, Number),
            rating: Float64Array.from(rating, (r) => (r === null ? Number.NaN : r)),
            quantity: Float64Array.from(quantity, (q) => (q === null ? Number.NaN : q)),
          };
        }
        finished = true;
      } finally {
        // A caller that stopped early leaves a pending result holding a read transaction: interrupt it
        // and let the interrupted fetch settle before the connection closes.
        if (!finished) {
          connection.interrupt();
          for (;;) {
            const c = await result.fetchChunk().catch(() => null);
            if (!c || c.rowCount === 0) break;
          }
        }
      }
    } finally {
      connection.closeSync();
    }
  }

  async identityLinks(): Promise<{ kind: 'anonymous' | 'user'; id: string; userId: string }[]> {
    await this.settle();
    const rows = await this.reader.runAndReadAll('SELECT kind, id, user_id FROM links ORDER BY kind, id');
    return rows.getRows().map(([kind, id, userId]) => ({
      kind: kind as 'anonymous' | 'user',
      id: String(id),
      userId: String(userId),
    }));
  }

  async recommendationStats(query: RecommendationStatsQuery): Promise<RecommendationStatsRow[]> {
    await this.settle();
    const params: DuckDBValue[] = [query.attributionMs / 1000];
    const where = ['true'];
    if (query.from !== undefined) {
      params.push(query.from / 1000);
      where.push(`ts >= to_timestamp($${params.length})`);
    }
    if (query.to !== undefined) {
      params.push(query.to / 1000);
      where.push(`ts < to_timestamp($${params.length})`);
    }
    if (query.strategy !== undefined) {
      params.push(query.strategy);
      where.push(`strategy = $${params.length}`);
    }
    if (query.experiment !== undefined) {
      params.push(query.experiment);
      where.push(`experiment = $${params.length}`);
    }
    const rid = `json_extract_string(properties, '$.recommendation_id')`;
    // A touch (click, order line) goes to the impression it names when that one showed the item,
    // else to the same shopper's latest impression that showed it within the window.
    const attribute = (name: string, touches: string) => `
      ${name}_named AS (
        SELECT t.key, i.rid FROM ${touches} t JOIN imp i ON i.rid = t.rid AND list_contains(i.items, t.item)),
      ${name}_windowed AS (
        SELECT t.key, arg_max(i.rid, i.ts) AS rid FROM ${touches} t JOIN imp i
          ON i.who = t.who AND t.ts >= i.ts AND t.ts < i.ts + to_seconds($1) AND list_contains(i.items, t.item)
        WHERE t.key NOT IN (SELECT key FROM ${name}_named) GROUP BY t.key),
      ${name}_owner AS (SELECT key, rid FROM ${name}_named UNION ALL SELECT key, rid FROM ${name}_windowed)`;
    const rows = (
      await this.reader.runAndReadAll(
        `WITH imp AS MATERIALIZED (
           SELECT recommendation_id AS rid, ${SHOPPER_KEY} AS who, ts, strategy, model, version, item_ids AS items
           FROM shopper_impressions WHERE ${where.join(' AND ')}),
         clicks AS MATERIALIZED (
           SELECT message_id AS key, ${SHOPPER_KEY} AS who, ts, item_id AS item, ${rid} AS rid FROM shopper_events
           WHERE type = 'track' AND event IN ('Product Clicked', 'Product Viewed', 'Product Added')
             AND item_id IS NOT NULL AND ts >= (SELECT MIN(ts) FROM imp)),
         orders AS MATERIALIZED (
           SELECT message_id, ${SHOPPER_KEY} AS who, ts, ${rid} AS rid,
             UNNEST(products) AS p, generate_subscripts(products, 1) AS n
           FROM shopper_events
           WHERE type = 'track' AND event = 'Order Completed' AND products IS NOT NULL
             AND ts >= (SELECT MIN(ts) FROM imp)),
         lines AS MATERIALIZED (
           SELECT message_id || '#' || n AS key, message_id AS order_key, who, ts, rid, p.product_id AS item,
             COALESCE(p.price, 0) * COALESCE(p.quantity, 1) AS amount
           FROM orders),
         ${attribute('click', 'clicks')},
         ${attribute('line', 'lines')},
         clicked AS (SELECT DISTINCT rid FROM click_owner),
         sold AS (SELECT o.rid, l.order_key, l.amount FROM line_owner o JOIN lines l ON l.key = o.key)
         SELECT i.strategy, i.model, i.version,
           COUNT(DISTINCT i.rid) AS impressions,
           COUNT(DISTINCT i.rid) FILTER (WHERE c.rid IS NOT NULL) AS clicked,
           COUNT(DISTINCT s.rid) AS converted,
           COUNT(DISTINCT s.order_key) AS orders,
           COALESCE(SUM(s.amount), 0) AS revenue
         FROM imp i LEFT JOIN clicked c ON c.rid = i.rid LEFT JOIN sold s ON s.rid = i.rid
         GROUP BY ALL ORDER BY i.strategy, i.model, i.version`,
        params,
      )
    ).getRowObjectsJS();
    return rows.map((r) => ({
      strategy: String(r.strategy),
      model: String(r.model),
      version: r.version === null ? null : String(r.version),
      impressions: Number(r.impressions),
      clicked: Number(r.clicked),
      converted: Number(r.converted),
      orders: Number(r.orders),
      revenue: Number(r.revenue),
    }));
  }

  async experimentUnits(query: ExperimentUnitsQuery): Promise<ExperimentUnit[]> {
    await this.settle();
    const params: DuckDBValue[] = [query.experiment, query.windowMs / 1000, (query.until ?? 8.64e15) / 1000];
    const counts = query.events.map((name) => {
      params.push(name);
      return `count(*) FILTER (WHERE e.event = $${params.length} AND ${IN_WINDOW})`;
    });
    const rows = (
      await this.reader.runAndReadAll(
        `WITH exposures AS MATERIALIZED (
           SELECT ${SHOPPER_KEY} AS unit,
             arg_min(CAST(json_extract(properties, '$.variant') AS INTEGER), seq) AS variant,
             min(ts) AS exposed_at,
             arg_min(COALESCE(json_extract_string(context, '$.campaign.source'), json_extract_string(properties, '$.source')), seq) AS source,
             arg_min(json_extract_string(context, '$.userAgent'), seq) AS agent
           FROM shopper_events
           WHERE type = 'track' AND event = 'Experiment Viewed'
             AND json_extract_string(properties, '$.experiment_id') = $1
             AND json_extract(properties, '$.variant') IS NOT NULL
             AND (shopper_id IS NOT NULL OR anonymous_id IS NOT NULL)
           GROUP BY 1),
         ev AS MATERIALIZED (
           SELECT ${SHOPPER_KEY} AS unit, message_id, event, ts, revenue, products FROM shopper_events
           WHERE type = 'track' AND (shopper_id IS NOT NULL OR anonymous_id IS NOT NULL)
             AND ts >= (SELECT min(exposed_at) FROM exposures) - to_seconds($2)),
         money AS (
           SELECT e.unit, e.ts, e.event,
             CASE WHEN e.event = 'Order Refunded' THEN -1 ELSE 1 END * COALESCE(e.revenue,
               list_sum(list_transform(e.products, p -> COALESCE(p.price, 0) * COALESCE(p.quantity, 1))), 0) AS amount
           FROM ev e WHERE e.event IN ('Order Completed', 'Order Refunded')),
         lines AS (
           SELECT e.unit, e.ts, (COALESCE(x.p.price, 0) - i.cost) * COALESCE(x.p.quantity, 1) AS margin
           FROM ev e, UNNEST(e.products) AS x(p) JOIN items i ON i.item_id = x.p.product_id
           WHERE e.event = 'Order Completed' AND i.cost IS NOT NULL)
         SELECT x.unit, x.variant, epoch_ms(x.exposed_at) AS exposed, x.source, x.agent,
           (SELECT count(*) FROM money e WHERE e.unit = x.unit AND e.event = 'Order Completed' AND ${IN_WINDOW}) AS orders,
           (SELECT COALESCE(sum(e.amount), 0) FROM money e WHERE e.unit = x.unit AND ${IN_WINDOW}) AS revenue,
           (SELECT COALESCE(sum(e.margin), 0) FROM lines e WHERE e.unit = x.unit AND ${IN_WINDOW}) AS margin,
           (SELECT COALESCE(sum(e.amount), 0) FROM money e WHERE e.unit = x.unit
              AND e.ts < x.exposed_at AND e.ts >= x.exposed_at - to_seconds($2)) AS pre_revenue,
           ${counts.length > 0 ? `(SELECT [${counts.join(', ')}] FROM ev e WHERE e.unit = x.unit)` : '[]::BIGINT[]'} AS counts,
           (SELECT epoch_ms(max(e.ts)) FROM ev e WHERE e.unit = x.unit) AS last_active
         FROM exposures x ORDER BY x.unit`,
        params,
      )
    ).getRowObjectsJS();
    return rows.map((r) => ({
      unit: String(r.unit),
      variant: Number(r.variant),
      exposedAt: Number(r.exposed),
      source: r.source === null ? null : String(r.source),
      userAgent: r.agent === null ? null : String(r.agent),
      orders: Number(r.orders),
      revenue: Number(r.revenue),
      margin: Number(r.margin),
      preRevenue: Number(r.pre_revenue),
      counts: (r.counts as unknown[]).map(Number),
      lastActive: r.last_active === null ? Number(r.exposed) : Number(r.last_active),
    }));
  }

  async eventsNamed(event: string): Promise<StoredEvent[]> {
    await this.settle();
    const rows = await this.reader.runAndReadAll(
      `SELECT ${EVENT_SELECT} FROM events WHERE type = 'track' AND event = $1 ORDER BY seq`,
      [event],
    );
    return rows.getRowObjectsJS().map(rowToEvent);
  }

  async firstExposures(): Promise<{ experiment: string; unit: string; variant: number }[]> {
    await this.settle();
    const rows = (
      await this.reader.runAndReadAll(
        `SELECT json_extract_string(properties, '$.experiment_id') AS experiment,
           ${SHOPPER_KEY} AS unit,
           arg_min(CAST(json_extract(properties, '$.variant') AS INTEGER), seq) AS variant
         FROM shopper_events
         WHERE type = 'track' AND event = 'Experiment Viewed'
           AND json_extract_string(properties, '$.experiment_id') IS NOT NULL
           AND json_extract(properties, '$.variant') IS NOT NULL
           AND (shopper_id IS NOT NULL OR anonymous_id IS NOT NULL)
         GROUP BY 1, 2 ORDER BY 1, 2`,
      )
    ).getRowObjectsJS();
    return rows.map((r) => ({
      experiment: String(r.experiment),
      unit: String(r.unit),
      variant: Number(r.variant),
    }));
  }

  async stats(): Promise<StoreStats> {
    await this.settle();
    const byType = (
      await this.reader.runAndReadAll(
        `SELECT ${EVENT_NAME} AS name, COUNT(*) FROM events GROUP BY 1 ORDER BY 2 DESC, 1`,
      )
    ).getRowsJS();
    const totals = (
      await this.reader.runAndReadAll(`SELECT COUNT(*) AS events, epoch_ms(MIN(ts)) AS first, epoch_ms(MAX(ts)) AS last,
        COUNT(DISTINCT shopper_id) AS users,
        COUNT(DISTINCT anonymous_id) FILTER (WHERE shopper_id IS NULL) AS anonymous,
        (SELECT COUNT(*) FROM items) AS items
        FROM shopper_events`)
    ).getRowObjectsJS()[0]!;
    return {
      events: Number(totals.events),
      eventsByType: Object.fromEntries(byType.map((r) => [String(r[0]), Number(r[1])])),
      users: Number(totals.users),
      anonymousShoppers: Number(totals.anonymous),
      items: Number(totals.items),
      firstEvent: totals.first === null ? null : Number(totals.first),
      lastEvent: totals.last === null ? null : Number(totals.last),
    };
  }

  async close(): Promise<void> {
    await this.settle();
    await this.ingest.close();
    await this.shown.close();
    await this.db.close();
    this.events.stop();
    this.impressions.stop();
    await this.writer.run('CHECKPOINT');
    this.reader.closeSync();
    this.writer.closeSync();
    this.instance.closeSync();
    if (this.file !== null) openFiles.delete(this.file);
  }

  private async append(table: string, chunks: Iterable<DuckDBDataChunk>): Promise<void> {
    const appender = await this.writer.createAppender(table);
    try {
      for (const chunk of chunks) appender.appendDataChunk(chunk);
    } finally {
      appender.closeSync();
    }
  }

  private async transaction<V>(work: () => Promise<V>): Promise<V> {
    await this.writer.run('BEGIN TRANSACTION');
    try {
      const value = await work();
      await this.writer.run('COMMIT');
      return value;
    } catch (error) {
      await this.writer.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}

const openFiles = new Set<string>();

/** Acknowledged-but-unloaded events beyond which ingestion waits for the loader. */
const MAX_PENDING = 100_000;

/** How events are counted by name: track events by their name, other calls by their type (page, identify, ...). */
const EVENT_NAME = "CASE WHEN type = 'track' THEN event ELSE type END";
/** A row of shopper_events as the shopper key every reader uses: the resolved user, else `anon:<id>`. */
const SHOPPER_KEY = "COALESCE(shopper_id, 'anon:' || anonymous_id)";
/** An event `e` falls in the outcome window of exposure `x` (params $2: window seconds, $3: until seconds). */
const IN_WINDOW = 'e.ts >= x.exposed_at AND e.ts < x.exposed_at + to_seconds($2) AND e.ts < to_timestamp($3)';

function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Highest event sequence number already loaded from the journal. */
async function loadedSeq(conn: DuckDBConnection, key: string): Promise<number> {
  const rows = (await conn.runAndReadAll('SELECT value FROM meta WHERE key = $1', [key])).getRowsJS();
  return rows.length === 0 ? 0 : Number(rows[0]![0]);
}

/** Records the schema version of a new database, or migrates an older one step by step, each step in a transaction. */
async function checkSchemaVersion(conn: DuckDBConnection): Promise<void> {
  const rows = (await conn.runAndReadAll("SELECT value FROM meta WHERE key = 'schema_version'")).getRowsJS();
  const found = rows[0]?.[0];
  if (found === undefined) {
    await conn.run("INSERT INTO meta VALUES ('schema_version', $1)", [String(SCHEMA_VERSION)]);
    return;
  }
  const version = Number(found);
  if (!(version >= 1 && version <= SCHEMA_VERSION))
    throw new Error(
      `database schema version ${found} is not supported by this Cartwise (expects ${SCHEMA_VERSION} or older)`,
    );
  for (let next = version + 1; next <= SCHEMA_VERSION; next++) {
    await conn.run('BEGIN TRANSACTION');
    try {
      for (const sql of MIGRATIONS[next] ?? []) await conn.run(sql);
      await conn.run("UPDATE meta SET value = $1 WHERE key = 'schema_version'", [String(next)]);
      await conn.run('COMMIT');
    } catch (error) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}
