import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBDataChunk,
  type DuckDBType,
  type DuckDBValue,
  LIST,
  listValue,
  STRUCT,
  structValue,
  TIMESTAMPTZ,
  timestampTZValue,
  VARCHAR,
} from '@duckdb/node-api';
import type { Item, StoredEvent, UserRecord } from '../records.js';

/**
 * Conversion between the store's records and DuckDB columns: records go in as data chunks for the
 * appender (the fastest way into DuckDB), and come back out of query rows.
 */

const CHUNK = 2048;
const PRODUCT = STRUCT({ product_id: VARCHAR, price: DOUBLE, quantity: DOUBLE });

/** Column types of `events`, in EVENT_COLUMNS order. */
export const EVENT_TYPES: DuckDBType[] = [
  BIGINT,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  TIMESTAMPTZ,
  TIMESTAMPTZ,
  VARCHAR,
  VARCHAR,
  DOUBLE,
  DOUBLE,
  DOUBLE,
  DOUBLE,
  VARCHAR,
  VARCHAR,
  LIST(PRODUCT),
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
];

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
const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

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

/** Event columns; `firstSeq` numbers the rows in order. */
export function eventColumns(events: readonly StoredEvent[], firstSeq: number): DuckDBValue[][] {
  const cols: DuckDBValue[][] = EVENT_TYPES.map(() => new Array(events.length));
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    cols[0]![i] = BigInt(firstSeq + i);
    cols[1]![i] = e.messageId;
    cols[2]![i] = e.type;
    cols[3]![i] = e.event;
    cols[4]![i] = e.userId;
    cols[5]![i] = e.anonymousId;
    cols[6]![i] = ts(e.timestamp);
    cols[7]![i] = ts(e.receivedAt);
    cols[8]![i] = e.itemId;
    cols[9]![i] = e.orderId;
    cols[10]![i] = e.price;
    cols[11]![i] = e.quantity;
    cols[12]![i] = e.revenue;
    cols[13]![i] = e.rating;
    cols[14]![i] = e.currency;
    cols[15]![i] = e.coupon;
    cols[16]![i] = e.products
      ? listValue(
          e.products.map((p) =>
            structValue({ product_id: p.productId, price: p.price, quantity: p.quantity }),
          ),
        )
      : null;
    cols[17]![i] = json(e.properties);
    cols[18]![i] = json(e.traits);
    cols[19]![i] = json(e.context);
    cols[20]![i] = e.targetId;
  }
  return cols;
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
