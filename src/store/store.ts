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

  /**
   * Stores what recommendation lists were shown, durably when the promise resolves. Impressions are
   * many and small, so they have their own journal and table, loaded in larger batches than events.
   */
  recordImpressions(impressions: readonly Impression[]): Promise<void>;

  /**
   * Impressions and what they led to, per strategy, model and version: see
   * {@link RecommendationStatsRow}.
   */
  recommendationStats(query: RecommendationStatsQuery): Promise<RecommendationStatsRow[]>;

  /**
   * Every unit (shopper) exposed to an experiment (`Experiment Viewed` events naming it), with the
   * variant and time of their first exposure and what they did in the window after it.
   */
  experimentUnits(query: ExperimentUnitsQuery): Promise<ExperimentUnit[]>;

  /** First exposures of every experiment: which variant each shopper saw first (sticky bucketing). */
  firstExposures(): Promise<{ experiment: string; unit: string; variant: number }[]>;

  /** Every track event with this name, in the order they were stored (for replaying engine logs). */
  eventsNamed(event: string): Promise<StoredEvent[]>;

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

/** One recommendation list as a shopper was shown it. */
export interface Impression {
  /** The list's recommendationId: clicks and orders name it. */
  id: string;
  /** ms since epoch. */
  timestamp: number;
  userId: string | null;
  anonymousId: string | null;
  surface: string;
  strategy: string;
  model: string;
  version: string | null;
  /** The experiment and variant that routed the request, if any. */
  experiment: string | null;
  variant: string | null;
  /** Item ids in the order shown. */
  items: string[];
}

/** Which impressions {@link Store.recommendationStats} counts, and how long after one a click or order is its. */
export interface RecommendationStatsQuery {
  /** Impressions shown at or after this time (ms), and before `to`. */
  from?: number;
  to?: number;
  strategy?: string;
  /** Only impressions an experiment routed (their `properties.experiment`). */
  experiment?: string;
  /** A click or order line within this many ms after an impression showing its item is attributed to it. */
  attributionMs: number;
}

/**
 * What one strategy, model and version's lists led to. A click (`Product Clicked`, or a
 * `Product Viewed` / `Product Added` of a shown item) and an order line belong to the impression
 * named by its `properties.recommendation_id` when that impression showed the item; otherwise to
 * the same shopper's latest impression that showed the item within the window (last touch), so
 * no line counts twice.
 */
export interface RecommendationStatsRow {
  strategy: string;
  model: string;
  version: string | null;
  impressions: number;
  /** Impressions with at least one attributed click, and with at least one attributed order line. */
  clicked: number;
  converted: number;
  /** Distinct orders with an attributed line, and the attributed lines' price x quantity. */
  orders: number;
  revenue: number;
}

/** Which experiment {@link Store.experimentUnits} reads, and the window its metrics cover. */
export interface ExperimentUnitsQuery {
  experiment: string;
  /** Outcomes count from first exposure until this many ms after it (and before `until`). */
  windowMs: number;
  until?: number;
  /** Event names counted per unit within the window (conversion goals). */
  events: readonly string[];
}

/**
 * One exposed unit and its outcomes within the window after first exposure. Revenue nets
 * `Order Refunded` against `Order Completed` (an order's `revenue`, else its lines' price x
 * quantity); margin counts only lines whose item has a cost; `preRevenue` is the same window
 * before exposure (the CUPED covariate).
 */
export interface ExperimentUnit {
  unit: string;
  variant: number;
  exposedAt: number;
  /** context.campaign.source (or properties.source) and the user agent of the first exposure. */
  source: string | null;
  userAgent: string | null;
  orders: number;
  revenue: number;
  margin: number;
  preRevenue: number;
  /** Counts of `events[i]` within the window. */
  counts: number[];
  /** The unit's latest event of any kind (ms), for retention. */
  lastActive: number;
}

/** Raised when the database is held by another process (e.g. the running server) or already open here. */
export class StoreLockedError extends Error {}
