import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBDataChunk,
  type DuckDBType,
  type DuckDBValue,
  LIST,
  listValue,
  TIMESTAMPTZ,
  timestampTZValue,
  VARCHAR,
} from '@duckdb/node-api';
import type { Item, StoredEvent, UserRecord } from '../records.js';
import type { Impression } from '../store.js';

/**
 * Conversion between the store's records and DuckDB: events go in as journal lines that DuckDB
 * loads in bulk, items and users as data chunks for the appender, and all come back out of query rows.
 */

const CHUNK = 2048;

/** Column types of `items`. */
export const ITEM_TYPES: DuckDBType[] = [
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  DOUBLE,
  DOUBLE,
  VARCHAR,
  BIGINT,
  BOOLEAN,
  VARCHAR,
  LIST(VARCHAR),
  VARCHAR,
  VARCHAR,
  TIMESTAMPTZ,
  TIMESTAMPTZ,
];

/** Column types of `users`. */
export const USER_TYPES: DuckDBType[] = [VARCHAR, VARCHAR, TIMESTAMPTZ, TIMESTAMPTZ];

const ts = (ms: number) => timestampTZValue(BigInt(Math.round(ms)) * 1000n);

/** Splits rows into appender-sized data chunks. `columns(rows)` returns one value array per column. */
export function* toChunks<R>(
  rows: readonly R[],
  types: DuckDBType[],
  columns: (rows: readonly R[], offset: number) => DuckDBValue[][],
): Generator<DuckDBDataChunk> {
  for (let start = 0; start < rows.length; start += CHUNK) {
    const part = rows.slice(start, start + CHUNK);
    const chunk = DuckDBDataChunk.create(types, part.length);
    chunk.setColumns(columns(part, start));
    yield chunk;
  }
}

/**
 * One event as a journal line: the `events` columns as JSON, times in ms. DuckDB reads these lines
 * back in bulk with {@link loadSegmentSql}.
 */
export function journalLine(e: StoredEvent, seq: number): string {
  return JSON.stringify({
    seq,
    message_id: e.messageId,
    type: e.type,
    event: e.event,
    user_id: e.userId,
    anonymous_id: e.anonymousId,
    ts: e.timestamp,
    received_at: e.receivedAt,
    item_id: e.itemId,
    order_id: e.orderId,
    price: e.price,
    quantity: e.quantity,
    revenue: e.revenue,
    rating: e.rating,
    currency: e.currency,
    coupon: e.coupon,
    products:
      e.products?.map((p) => ({ product_id: p.productId, price: p.price, quantity: p.quantity })) ?? null,
    properties: e.properties,
    traits: e.traits,
    context: e.context,
    target_id: e.targetId,
  });
}

const LINE_COLUMNS = `{seq: 'BIGINT', message_id: 'VARCHAR', type: 'VARCHAR', event: 'VARCHAR', user_id: 'VARCHAR',
  anonymous_id: 'VARCHAR', ts: 'BIGINT', received_at: 'BIGINT', item_id: 'VARCHAR', order_id: 'VARCHAR', price: 'DOUBLE',
  quantity: 'DOUBLE', revenue: 'DOUBLE', rating: 'DOUBLE', currency: 'VARCHAR', coupon: 'VARCHAR',
  products: 'STRUCT(product_id VARCHAR, price DOUBLE, quantity DOUBLE)[]', properties: 'JSON', traits: 'JSON',
  context: 'JSON', target_id: 'VARCHAR'}`;

/**
 * INSERT of journal segments' events with sequence numbers above `$1` (so loading a segment twice
 * after a crash inserts nothing twice). DuckDB parses the files itself, in parallel.
 */
export function loadSegmentsSql(paths: readonly string[]): string {
  const files = paths.map((p) => `'${p.replace(/'/g, "''")}'`).join(', ');
  return `INSERT INTO events
    SELECT seq, message_id, type, event, user_id, anonymous_id, make_timestamptz(ts * 1000),
      make_timestamptz(received_at * 1000), item_id, order_id, price, quantity, revenue, rating, currency, coupon,
      products, properties::VARCHAR, traits::VARCHAR, context::VARCHAR, target_id
    FROM read_json([${files}], format = 'newline_delimited', columns = ${LINE_COLUMNS})
    WHERE message_id IS NOT NULL AND seq > $1
    ORDER BY seq`;
}

/** One impression as a line of the impressions journal. */
export function impressionLine(x: Impression, seq: number): string {
  return JSON.stringify({
    seq,
    id: x.id,
    ts: x.timestamp,
    user_id: x.userId,
    anonymous_id: x.anonymousId,
    surface: x.surface,
    strategy: x.strategy,
    model: x.model,
    version: x.version,
    experiment: x.experiment,
    variant: x.variant,
    items: x.items,
  });
}

/** INSERT of impressions journal segments' lines with sequence numbers above `$1`. */
export function loadImpressionsSql(paths: readonly string[]): string {
  const files = paths.map((p) => `'${p.replace(/'/g, "''")}'`).join(', ');
  return `INSERT INTO impressions
    SELECT id, make_timestamptz(ts * 1000), user_id, anonymous_id, surface, strategy, model, version, experiment,
      variant, items
    FROM read_json([${files}], format = 'newline_delimited', columns = {seq: 'BIGINT', id: 'VARCHAR', ts: 'BIGINT',
      user_id: 'VARCHAR', anonymous_id: 'VARCHAR', surface: 'VARCHAR', strategy: 'VARCHAR', model: 'VARCHAR',
      version: 'VARCHAR', experiment: 'VARCHAR', variant: 'VARCHAR', items: 'VARCHAR[]'})
    WHERE id IS NOT NULL AND seq > $1
    ORDER BY seq`;
}

/** Item columns. */
export function itemColumns(items: readonly Item[]): DuckDBValue[][] {
  return [
    items.map((x) => x.id),
    items.map((x) => x.title),
    items.map((x) => x.description),
    items.map((x) => x.category),
    items.map((x) => x.brand),
    items.map((x) => x.price),
    items.map((x) => x.cost),
    items.map((x) => x.currency),
    items.map((x) => (x.stock === null ? null : BigInt(x.stock))),
    items.map((x) => x.available),
    items.map((x) => JSON.stringify(x.attributes)),
    items.map((x) => listValue(x.tags)),
    items.map((x) => x.imageUrl),
    items.map((x) => x.url),
    items.map((x) => ts(x.createdAt)),
    items.map((x) => ts(x.updatedAt)),
  ];
}

/** User columns. */
export function userColumns(users: readonly UserRecord[]): DuckDBValue[][] {
  return [
    users.map((u) => u.userId),
    users.map((u) => JSON.stringify(u.traits)),
    users.map((u) => ts(u.createdAt)),
    users.map((u) => ts(u.updatedAt)),
  ];
}

/** SELECT list that reads `events` back in the shape {@link rowToEvent} expects. */
export const EVENT_SELECT = `message_id, type, event, user_id, anonymous_id, epoch_ms(ts) AS ts,
  epoch_ms(received_at) AS received_at, item_id, order_id, price, quantity, revenue, rating, currency, coupon,
  products, properties, traits, context, target_id`;

type Row = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const parsed = (v: unknown) =>
  v === null || v === undefined ? null : (JSON.parse(String(v)) as Record<string, unknown>);

/** A row selected with {@link EVENT_SELECT} (read with getRowObjectsJS) back into a record. */
export function rowToEvent(r: Row): StoredEvent {
  const products = r.products as
    | { product_id: string; price: number | null; quantity: number | null }[]
    | null;
  return {
    messageId: String(r.message_id),
    type: r.type as StoredEvent['type'],
    event: str(r.event),
    userId: str(r.user_id),
    anonymousId: str(r.anonymous_id),
    timestamp: Number(r.ts),
    receivedAt: Number(r.received_at),
    itemId: str(r.item_id),
    orderId: str(r.order_id),
    price: num(r.price),
    quantity: num(r.quantity),
    revenue: num(r.revenue),
    rating: num(r.rating),
    currency: str(r.currency),
    coupon: str(r.coupon),
    products: products
      ? products.map((p) => ({ productId: p.product_id, price: num(p.price), quantity: num(p.quantity) }))
      : null,
    properties: parsed(r.properties),
    traits: parsed(r.traits),
    context: parsed(r.context),
    targetId: str(r.target_id),
  };
}

/** SELECT list for `items`. */
export const ITEM_SELECT = `item_id, title, description, category, brand, price, cost, currency, stock, available,
  attributes, tags, image_url, url, epoch_ms(created_at) AS created_at, epoch_ms(updated_at) AS updated_at`;

/** A row selected with {@link ITEM_SELECT} back into an item. */
export function rowToItem(r: Row): Item {
  return {
    id: String(r.item_id),
    title: str(r.title),
    description: str(r.description),
    category: str(r.category),
    brand: str(r.brand),
    price: num(r.price),
    cost: num(r.cost),
    currency: str(r.currency),
    stock: num(r.stock),
    available: Boolean(r.available),
    attributes: parsed(r.attributes) ?? {},
    tags: (r.tags as string[] | null) ?? [],
    imageUrl: str(r.image_url),
    url: str(r.url),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}
