import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  BIGINT,
  type DuckDBConnection,
  type DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBType,
  type DuckDBValue,
  LIST,
  listValue,
  VARCHAR,
} from '@duckdb/node-api';
import { hash64 } from '../../core/hash.js';
import { KeySet64 } from '../../core/key-set.js';
import { GroupCommit } from '../group-commit.js';
import type { Item, StoredEvent, UserRecord } from '../records.js';
import {
  type ActivitySummary,
  type AppendResult,
  type ErasureResult,
  type ItemQuery,
  type Store,
  StoreLockedError,
  type StoreStats,
  type UserExport,
  type UserProfile,
} from '../store.js';
import {
  EVENT_SELECT,
  EVENT_TYPES,
  eventColumns,
  ITEM_SELECT,
  ITEM_TYPES,
  itemColumns,
  rowToEvent,
  rowToItem,
  toChunks,
  USER_TYPES,
  userColumns,
} from './rows.js';
import { DDL, SCHEMA_VERSION } from './schema.js';

/** Numbers about each group commit, for metrics. */
export interface CommitInfo {
  requests: number;
  events: number;
  duplicates: number;
  seconds: number;
}

/** Options of {@link DuckDBStore.open}. */
export interface DuckDBStoreOptions {
  /** DuckDB worker threads (default: all cores). */
  threads?: number;
  /** Called after each group commit. */
  onCommit?: (info: CommitInfo) => void;
}

const strings = (values: readonly string[]) => listValue([...values]);
const STRINGS: DuckDBType = LIST(VARCHAR);

/**
 * The embedded store: one DuckDB file owned by this process. Every write goes through one writer
 * connection and the group-commit queue; reads use a separate connection and see committed data only.
 * Message ids are de-duplicated in memory (a 64-bit hash set, confirmed against the table on a hit),
 * which keeps ingestion free of a unique index.
 */
export class DuckDBStore implements Store {
  private readonly queue: GroupCommit<StoredEvent, AppendResult>;
  /** Anonymous ids known to be linked (links are never moved, only erased), so their events skip the link insert. */
  private readonly linked = new RecentSet(100_000);

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    private nextSeq: number,
    private readonly seen: KeySet64,
    private readonly options: DuckDBStoreOptions,
    private readonly file: string | null,
  ) {
    this.queue = new GroupCommit((batches) => this.commitEvents(batches));
  }

  /** Opens (creating if needed) the database file at `path`, or `:memory:`. */
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
    const reader = await instance.connect();
    const max = (
      await reader.runAndReadAll('SELECT COALESCE(MAX(seq), 0) AS m, COUNT(*) AS n FROM events')
    ).getRowObjectsJS()[0]!;
    const seen = new KeySet64(Number(max.n) + 1024);
    const ids = await reader.stream('SELECT message_id FROM events');
    for (let chunk = await ids.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await ids.fetchChunk()) {
      for (const id of chunk.getColumnValues(0) as string[]) seen.add(...hash64(id));
    }
    return new DuckDBStore(instance, writer, reader, Number(max.m) + 1, seen, options, key);
  }

  appendEvents(events: readonly StoredEvent[]): Promise<AppendResult> {
    if (events.length === 0) return Promise.resolve({ stored: 0, duplicates: 0 });
    return this.queue.submit([...events]);
  }

  private async commitEvents(batches: StoredEvent[][]): Promise<AppendResult[]> {
    const started = performance.now();
    const hashes = batches.map((b) => b.map((e) => hash64(e.messageId)));
    // A hash hit is almost always a real repeat; confirm against the table so a collision never drops an event.
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
      await this.transaction(async () => {
        await this.append(
          'events',
          toChunks(accepted, EVENT_TYPES, (rows, offset) => eventColumns(rows, this.nextSeq + offset)),
        );
        await this.applyIdentity(accepted);
      });
      this.nextSeq += accepted.length;
      for (const h of acceptedHashes) this.seen.add(...h);
      for (const e of accepted) if (e.userId && e.anonymousId) this.linked.add(e.anonymousId);
    }
    this.options.onCommit?.({
      requests: batches.length,
      events: accepted.length,
      duplicates: results.reduce((s, r) => s + r.duplicates, 0),
      seconds: (performance.now() - started) / 1000,
    });
    return results;
  }

  private async existingMessageIds(ids: string[]): Promise<Set<string>> {
    const rows = await this.writer.runAndReadAll(
      'SELECT message_id FROM events WHERE message_id IN (SELECT unnest($1))',
      [strings(ids)],
      [STRINGS],
    );
    return new Set(rows.getColumnsJS()[0] as string[]);
  }

  /** Links anonymous ids to users, follows aliases and merges identify traits, inside the commit's transaction. */
  private async applyIdentity(events: readonly StoredEvent[]): Promise<void> {
    const anonymous = new Map<string, Link>();
    const traits: UserRecord[] = [];
    const aliases: StoredEvent[] = [];
    for (const e of events) {
      if (e.type === 'alias') aliases.push(e);
      else if (
        e.userId &&
        e.anonymousId &&
        !anonymous.has(e.anonymousId) &&
        !this.linked.has(e.anonymousId)
      ) {
        anonymous.set(e.anonymousId, {
          kind: 'anonymous',
          id: e.anonymousId,
          userId: e.userId,
          at: e.timestamp,
        });
      }
      if (e.type === 'identify' && e.userId) {
        traits.push({
          userId: e.userId,
          traits: e.traits ?? {},
          createdAt: e.timestamp,
          updatedAt: e.timestamp,
        });
      }
    }
    // First link wins: an anonymous id already tied to a user keeps that user (shared devices).
    if (anonymous.size > 0) await this.insertLinks([...anonymous.values()]);
    for (const a of aliases.sort((x, y) => x.timestamp - y.timestamp))
      await this.alias(a.targetId!, a.userId!, a.timestamp);
    if (traits.length > 0) await this.mergeUsers(traits);
  }

  /** Inserts links that do not exist yet, pointing each at the canonical user of its target. */
  private async insertLinks(links: readonly Link[]): Promise<void> {
    await this.writer.run(
      `INSERT INTO identity_links
       SELECT n.kind, n.id, COALESCE(u.user_id, n.user_id), make_timestamptz(n.at * 1000)
       FROM (SELECT unnest($1) AS kind, unnest($2) AS id, unnest($3) AS user_id, unnest($4) AS at) n
       LEFT JOIN identity_links u ON u.kind = 'user' AND u.id = n.user_id
       ON CONFLICT DO NOTHING`,
      [
        strings(links.map((l) => l.kind)),
        strings(links.map((l) => l.id)),
        strings(links.map((l) => l.userId)),
        listValue(links.map((l) => BigInt(Math.round(l.at)))),
      ],
      [STRINGS, STRINGS, STRINGS, LIST(BIGINT)],
    );
  }

  /** `previousId` (a user or anonymous id) becomes `userId`; links stay flat and traits merge into the survivor. */
  private async alias(previousId: string, userId: string, at: number): Promise<void> {
    const from = await this.canonical(this.writer, previousId);
    const to = await this.canonical(this.writer, userId);
    if (from === to) return;
    await this.writer.run('UPDATE identity_links SET user_id = $1 WHERE user_id = $2', [to, from]);
    await this.insertLinks([
      { kind: 'user', id: from, userId: to, at },
      { kind: 'anonymous', id: previousId, userId: to, at },
    ]);
    await this.writer.run("DELETE FROM identity_links WHERE kind = 'user' AND id = user_id");
    const old = await this.usersById(this.writer, [from]);
    if (old.length > 0) {
      await this.writer.run('DELETE FROM users WHERE user_id = $1', [from]);
      await this.mergeUsers([{ ...old[0]!, userId: to }]);
    }
  }

  private async canonical(conn: DuckDBConnection, id: string): Promise<string> {
    const rows = await conn.runAndReadAll(
      "SELECT user_id FROM identity_links WHERE kind = 'user' AND id = $1",
      [id],
    );
    return (rows.getRowsJS()[0]?.[0] as string | undefined) ?? id;
  }

  private async usersById(conn: DuckDBConnection, ids: string[]): Promise<UserRecord[]> {
    const rows = await conn.runAndReadAll(
      `SELECT user_id, traits, epoch_ms(created_at) AS created_at, epoch_ms(updated_at) AS updated_at
       FROM users WHERE user_id IN (SELECT unnest($1))`,
      [strings(ids)],
      [STRINGS],
    );
    return rows.getRowObjectsJS().map((r) => ({
      userId: String(r.user_id),
      traits: JSON.parse(String(r.traits)) as Record<string, unknown>,
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    }));
  }

  /**
   * Merges trait updates into user records, in time order: a newer update overrides, an older one
   * (a late-arriving identify) only fills traits that are missing. Must run inside a write transaction.
   */
  private async mergeUsers(updates: readonly UserRecord[]): Promise<void> {
    const resolved = await this.writer.runAndReadAll(
      "SELECT id, user_id FROM identity_links WHERE kind = 'user' AND id IN (SELECT unnest($1))",
      [strings([...new Set(updates.map((u) => u.userId))])],
      [STRINGS],
    );
    const canonical = new Map(resolved.getRowsJS().map((r) => [String(r[0]), String(r[1])]));
    const merged = new Map<string, UserRecord>();
    const ids = [...new Set(updates.map((u) => canonical.get(u.userId) ?? u.userId))];
    for (const u of await this.usersById(this.writer, ids)) merged.set(u.userId, u);
    for (const u of [...updates].sort((a, b) => a.updatedAt - b.updatedAt)) {
      const userId = canonical.get(u.userId) ?? u.userId;
      const current = merged.get(userId);
      if (!current) {
        merged.set(userId, { ...u, userId, traits: { ...u.traits } });
        continue;
      }
      const newer = u.updatedAt >= current.updatedAt;
      merged.set(userId, {
        userId,
        traits: newer ? { ...current.traits, ...u.traits } : { ...u.traits, ...current.traits },
        createdAt: Math.min(current.createdAt, u.createdAt),
        updatedAt: Math.max(current.updatedAt, u.updatedAt),
      });
    }
    const rows = [...merged.values()];
    await this.writer.run('DELETE FROM users_in');
    await this.append('users_in', toChunks(rows, USER_TYPES, userColumns));
    await this.writer.run('INSERT OR REPLACE INTO users SELECT * FROM users_in');
  }

  upsertItems(items: readonly Item[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    const latest = [...new Map(items.map((i) => [i.id, i])).values()];
    return this.queue.exclusive(() =>
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
    return this.queue.exclusive(async () => {
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
    return this.queue.exclusive(() => this.transaction(() => this.mergeUsers(users)));
  }

  /** The ids that make up one shopper: the canonical user, aliased user ids and linked anonymous ids. */
  private async identities(conn: DuckDBConnection, userId: string) {
    const canonical = await this.canonical(conn, userId);
    const rows = await conn.runAndReadAll(
      'SELECT kind, id FROM identity_links WHERE user_id = $1 ORDER BY kind, id',
      [canonical],
    );
    const links = rows.getRowsJS().map((r) => ({ kind: r[0] as 'anonymous' | 'user', id: String(r[1]) }));
    return {
      canonical,
      links,
      userIds: [canonical, ...links.filter((l) => l.kind === 'user').map((l) => l.id)],
      anonymousIds: links.filter((l) => l.kind === 'anonymous').map((l) => l.id),
    };
  }

  /** WHERE clause (with $1 = user ids, $2 = anonymous ids) selecting one shopper's events. */
  private static readonly SHOPPER =
    `(user_id IN (SELECT unnest($1)) OR (user_id IS NULL AND anonymous_id IN (SELECT unnest($2))))`;

  async getUser(userId: string): Promise<UserProfile | null> {
    const who = await this.identities(this.reader, userId);
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
        `SELECT COALESCE(event, type) AS name, COUNT(*) AS n FROM events WHERE ${DuckDBStore.SHOPPER} GROUP BY 1 ORDER BY 2 DESC, 1`,
        params,
        [STRINGS, STRINGS],
      )
    ).getRowsJS();
    const record = (await this.usersById(this.reader, [who.canonical]))[0];
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
    const who = await this.identities(this.reader, userId);
    const rows = await this.reader.runAndReadAll(
      `SELECT ${EVENT_SELECT} FROM events WHERE ${DuckDBStore.SHOPPER} ORDER BY ts, seq`,
      [strings(who.userIds), strings(who.anonymousIds)],
      [STRINGS, STRINGS],
    );
    return { profile, events: rows.getRowObjectsJS().map(rowToEvent) };
  }

  eraseUser(userId: string): Promise<ErasureResult> {
    return this.queue.exclusive(async () => {
      const who = await this.identities(this.writer, userId);
      const params = [strings(who.userIds), strings(who.anonymousIds)];
      const result = await this.transaction(async () => {
        const events = await this.writer.run(`DELETE FROM events WHERE ${DuckDBStore.SHOPPER}`, params, [
          STRINGS,
          STRINGS,
        ]);
        const users = await this.writer.run(
          'DELETE FROM users WHERE user_id IN (SELECT unnest($1))',
          [params[0]!],
          [STRINGS],
        );
        const links = await this.writer.run(
          "DELETE FROM identity_links WHERE user_id = $1 OR (kind = 'user' AND id IN (SELECT unnest($2)))",
          [who.canonical, params[0]!],
          [VARCHAR, STRINGS],
        );
        return { events: events.rowsChanged, users: users.rowsChanged, identities: links.rowsChanged };
      });
      this.linked.clear();
      // Fold the deletion into the database file so the erased rows leave the write-ahead log.
      await this.writer.run('CHECKPOINT');
      return {
        found: result.events + result.users + result.identities > 0,
        events: result.events,
        identities: result.identities,
      };
    });
  }

  async stats(): Promise<StoreStats> {
    const byType = (
      await this.reader.runAndReadAll(
        `SELECT COALESCE(event, type) AS name, COUNT(*) FROM events GROUP BY 1 ORDER BY 2 DESC, 1`,
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
    await this.queue.close();
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

interface Link {
  kind: 'anonymous' | 'user';
  id: string;
  userId: string;
  at: number;
}

/** The most recently added strings, up to a capacity (insertion order evicts the oldest). */
class RecentSet {
  private readonly items = new Set<string>();
  constructor(private readonly capacity: number) {}

  has(key: string): boolean {
    return this.items.has(key);
  }

  add(key: string): void {
    if (this.items.has(key)) return;
    if (this.items.size >= this.capacity) this.items.delete(this.items.values().next().value!);
    this.items.add(key);
  }

  clear(): void {
    this.items.clear();
  }
}

function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

async function checkSchemaVersion(conn: DuckDBConnection): Promise<void> {
  const rows = (await conn.runAndReadAll("SELECT value FROM meta WHERE key = 'schema_version'")).getRowsJS();
  const found = rows[0]?.[0];
  if (found === undefined) {
    await conn.run("INSERT INTO meta VALUES ('schema_version', $1)", [String(SCHEMA_VERSION)]);
  } else if (Number(found) !== SCHEMA_VERSION) {
    throw new Error(
      `database schema version ${found} is not supported by this Cartwise (expects ${SCHEMA_VERSION})`,
    );
  }
}
