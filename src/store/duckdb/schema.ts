/**
 * The DuckDB schema. Plain, portable SQL (the PostgreSQL backend will use the same tables): JSON
 * is kept as text, times as TIMESTAMPTZ. Identity resolution is a view, so linking an anonymous id
 * to a user never rewrites past events.
 */

/** Bumped when the schema changes; stored in `meta` and checked on open. */
export const SCHEMA_VERSION = 1;

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
  // kind 'anonymous': an anonymousId seen with a userId; kind 'user': a userId aliased to another.
  // Links are kept flat: user_id is always the final (canonical) user.
  `CREATE TABLE IF NOT EXISTS identity_links (
    kind VARCHAR NOT NULL,
    id VARCHAR NOT NULL,
    user_id VARCHAR NOT NULL,
    linked_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kind, id)
  )`,
  `CREATE OR REPLACE VIEW shopper_events AS
    SELECT e.*, COALESCE(lu.user_id, e.user_id, la.user_id) AS shopper_id
    FROM events e
    LEFT JOIN identity_links lu ON lu.kind = 'user' AND lu.id = e.user_id
    LEFT JOIN identity_links la ON la.kind = 'anonymous' AND la.id = e.anonymous_id`,
];
