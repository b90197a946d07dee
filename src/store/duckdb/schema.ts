/**
 * The DuckDB schema. Plain, portable SQL (the PostgreSQL backend will use the same tables): JSON
 * is kept as text, times as TIMESTAMPTZ. Identity resolution is a view, so linking an anonymous id
 * to a user never rewrites past events.
 */

/** Bumped when the schema changes; stored in `meta` and checked on open. */
export const SCHEMA_VERSION = 2;

/** Columns of `events`, in the order rows are appended. */
export const EVENT_COLUMNS = [
  'seq',
  'message_id',
  'type',
  'event',
  'user_id',
  'anonymous_id',
  'ts',
  'received_at',
  'item_id',
  'order_id',
  'price',
  'quantity',
  'revenue',
  'rating',
  'currency',
  'coupon',
  'products',
  'properties',
  'traits',
  'context',
  'target_id',
] as const;

/**
 * `table` with the user each row belongs to: its own user id (or that id's alias target), else the
 * user its anonymous id was first seen with (following that user's alias); null when anonymous.
 */
function shopperView(view: string, table: string): string {
  return `CREATE OR REPLACE VIEW ${view} AS
    SELECT t.*, COALESCE(lu.user_id, t.user_id, lau.user_id, la.user_id) AS shopper_id
    FROM ${table} t
    LEFT JOIN links lu ON lu.kind = 'user' AND lu.id = t.user_id
    LEFT JOIN links la ON la.kind = 'anonymous' AND la.id = t.anonymous_id
    LEFT JOIN links lau ON lau.kind = 'user' AND lau.id = la.user_id`;
}

/** DDL run on every open; idempotent. */
export const DDL = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS events (
    seq BIGINT NOT NULL,
    message_id VARCHAR NOT NULL,
    type VARCHAR NOT NULL,
    event VARCHAR,
    user_id VARCHAR,
    anonymous_id VARCHAR,
    ts TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    item_id VARCHAR,
    order_id VARCHAR,
    price DOUBLE,
    quantity DOUBLE,
    revenue DOUBLE,
    rating DOUBLE,
    currency VARCHAR,
    coupon VARCHAR,
    products STRUCT(product_id VARCHAR, price DOUBLE, quantity DOUBLE)[],
    properties VARCHAR,
    traits VARCHAR,
    context VARCHAR,
    target_id VARCHAR
  )`,
  `CREATE TABLE IF NOT EXISTS items (
    item_id VARCHAR PRIMARY KEY,
    title VARCHAR,
    description VARCHAR,
    category VARCHAR,
    brand VARCHAR,
    price DOUBLE,
    cost DOUBLE,
    currency VARCHAR,
    stock BIGINT,
    available BOOLEAN NOT NULL,
    attributes VARCHAR NOT NULL,
    tags VARCHAR[] NOT NULL,
    image_url VARCHAR,
    url VARCHAR,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS users (
    user_id VARCHAR PRIMARY KEY,
    traits VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
  )`,
  // An append-only log of link assertions. kind 'anonymous': an anonymousId seen with a userId;
  // kind 'user': a userId aliased to another. The earliest assertion (lowest seq) for an id wins.
  `CREATE TABLE IF NOT EXISTS identity_links (
    kind VARCHAR NOT NULL,
    id VARCHAR NOT NULL,
    user_id VARCHAR NOT NULL,
    linked_at TIMESTAMPTZ NOT NULL,
    seq BIGINT NOT NULL
  )`,
  // Recommendation lists as shown (version 1 kept them as `Recommendation Shown` events).
  `CREATE TABLE IF NOT EXISTS impressions (
    recommendation_id VARCHAR NOT NULL,
    ts TIMESTAMPTZ NOT NULL,
    user_id VARCHAR,
    anonymous_id VARCHAR,
    surface VARCHAR NOT NULL,
    strategy VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    version VARCHAR,
    experiment VARCHAR,
    variant VARCHAR,
    item_ids VARCHAR[] NOT NULL
  )`,
  `CREATE OR REPLACE VIEW links AS
    SELECT kind, id, arg_min(user_id, seq) AS user_id, min(linked_at) AS linked_at
    FROM identity_links GROUP BY kind, id`,
  shopperView('shopper_events', 'events'),
  shopperView('shopper_impressions', 'impressions'),
];

/**
 * Statements that bring a database of schema version N - 1 to N, by N. Version 2 moves
 * `Recommendation Shown` events into the impressions table.
 */
export const MIGRATIONS: Record<number, string[]> = {
  2: [
    `INSERT INTO impressions
      SELECT message_id, ts, user_id, anonymous_id,
        COALESCE(json_extract_string(properties, '$.surface'), 'user'),
        COALESCE(json_extract_string(properties, '$.strategy'), 'default'),
        COALESCE(json_extract_string(properties, '$.model'), ''),
        json_extract_string(properties, '$.version'),
        json_extract_string(properties, '$.experiment'),
        json_extract_string(properties, '$.variant'),
        COALESCE(CAST(json_extract(properties, '$.item_ids') AS VARCHAR[]), [])
      FROM events WHERE type = 'track' AND event = 'Recommendation Shown' ORDER BY seq`,
    `DELETE FROM events WHERE type = 'track' AND event = 'Recommendation Shown'`,
  ],
};
