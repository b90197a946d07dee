import type { Item, StoredEvent, UserRecord } from './records.js';

/**
 * The storage contract. Callers (ingest, import, API, later features and training) only see this
 * interface; DuckDB is the embedded default and a PostgreSQL backend can implement the same.
 */
export interface Store {
  /**
   * Appends events atomically and durably: when the promise resolves, all of them are on disk (or,
   * on rejection, none are). A messageId already stored is skipped and counted as a duplicate.
   * Concurrent calls are group-committed into one transaction.
   */
  appendEvents(events: readonly StoredEvent[]): Promise<AppendResult>;

  /** Inserts or replaces catalog items (by id), atomically. */
  upsertItems(items: readonly Item[]): Promise<void>;
  getItem(id: string): Promise<Item | null>;
  /** Deletes an item from the catalog; true if it existed. Its past events are kept. */
  deleteItem(id: string): Promise<boolean>;
  /** A page of the catalog ordered by id, optionally filtered by category (with sub-categories) and text. */
  listItems(query: ItemQuery): Promise<{ items: Item[]; nextCursor: string | null }>;

  /** Merges traits into user records (creating them), as identify calls and user imports do. */
  upsertUsers(users: readonly UserRecord[]): Promise<void>;
  /** The user with traits and an activity summary, following identity links; null if unknown. */
  getUser(userId: string): Promise<UserProfile | null>;
  /** Everything stored about a user: record, identities and every event. */
  exportUser(userId: string): Promise<UserExport | null>;
  /** Erases a user's events, traits and identity links everywhere (right to be forgotten). */
  eraseUser(userId: string): Promise<ErasureResult>;

  /**
   * Every (shopper, item) interaction, oldest first, in columnar batches: single-product events give
   * one row, orders and carts one row per product line. Shoppers are resolved through identity
   * links; anonymous shoppers appear as `anon:<anonymousId>` when included.
   */
  scanInteractions(query?: InteractionQuery): AsyncIterable<InteractionBatch>;

  /**
   * Every identity link in force: an anonymous id and the user who owns it, or an aliased user id
   * and the user it became. What serving loads to join live events to shoppers.
   */
  identityLinks(): Promise<{ kind: 'anonymous' | 'user'; id: string; userId: string }[]>;

  /** Counts for `cartwise stats` and `/healthz`. */
  stats(): Promise<StoreStats>;
  /** Flushes pending writes and releases the database. */
  close(): Promise<void>;
}

/** Outcome of {@link Store.appendEvents}. */
export interface AppendResult {
  stored: number;
  duplicates: number;
}

/** Filters of {@link Store.scanInteractions}. */
export interface InteractionQuery {
  /** ms since epoch, inclusive. */
  from?: number;
  /** ms since epoch, exclusive. */
  to?: number;
  /** Include shoppers never identified (default true). */
  includeAnonymous?: boolean;
}

/** A batch of interactions, column by column (rating and quantity are NaN when absent). */
export interface InteractionBatch {
  user: string[];
  item: string[];
  event: string[];
  timestamp: Float64Array;
  rating: Float64Array;
  quantity: Float64Array;
}

/** Filters of {@link Store.listItems}. */
export interface ItemQuery {
  category?: string;
  q?: string;
  cursor?: string;
  limit: number;
}

/** Activity of one shopper, across all of their linked ids. */
export interface ActivitySummary {
  events: number;
  firstSeen: number | null;
  lastSeen: number | null;
  byEvent: Record<string, number>;
  orders: number;
  revenue: number;
  refunds: number;
}

/** A user as the API shows them. */
export interface UserProfile {
  userId: string;
  traits: Record<string, unknown>;
  /** Other ids linked to this user (anonymous ids, aliased user ids). */
  identities: { kind: 'anonymous' | 'user'; id: string }[];
  activity: ActivitySummary;
  createdAt: number | null;
  updatedAt: number | null;
}

/** Everything stored about a user. */
export interface UserExport {
  profile: UserProfile;
  events: StoredEvent[];
}

/** What an erasure removed. */
export interface ErasureResult {
  found: boolean;
  events: number;
  identities: number;
}

/** Store-wide counts. */
export interface StoreStats {
  events: number;
  eventsByType: Record<string, number>;
  users: number;
  anonymousShoppers: number;
  items: number;
  firstEvent: number | null;
  lastEvent: number | null;
}

/** Raised when the database is held by another process (e.g. the running server) or already open here. */
export class StoreLockedError extends Error {}
