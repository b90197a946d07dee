import type { z } from 'zod';
import type { Engine, IngestResult } from '../engine.js';
import { ItemBody, ItemsBody } from '../ingest/items.js';
import {
  AliasMessage,
  BatchBody,
  GroupMessage,
  IdentifyMessage,
  PageMessage,
  ScreenMessage,
  TrackMessage,
} from '../ingest/messages.js';
import type { Item, MessageType, StoredEvent } from '../store/records.js';
import type { UserProfile } from '../store/store.js';
import type { Access } from './auth.js';
import { BANDIT_ROUTES } from './bandit-routes.js';
import { ApiError } from './errors.js';
import { EXPERIMENT_ROUTES } from './experiment-routes.js';
import {
  BatchOut,
  DeletedOut,
  ErasureOut,
  ExportOut,
  IngestOut,
  ItemListQuery,
  ItemOut,
  ItemPageOut,
  ItemsOut,
  ProfileOut,
  StatsOut,
} from './schemas.js';
import { SERVING_ROUTES } from './serving-routes.js';

/** What a handler gets: the engine and the parsed request. */
export interface RouteContext {
  engine: Engine;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

/**
 * One endpoint: how it is served and how it is documented, from the same schemas. The app
 * registers these; the OpenAPI document and the /docs page are generated from them.
 */
export interface Route {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  access: Access;
  tag: string;
  summary: string;
  description?: string;
  /** Request body schema; `batch` bodies get the large size limit, others 64 KiB. */
  body?: { schema: z.ZodType; size: 'single' | 'batch'; example?: unknown };
  query?: z.ZodObject;
  response: { schema: z.ZodType; description: string };
  /** Cross-origin calls allowed (browser trackers). */
  cors?: boolean;
  handler: (ctx: RouteContext) => Promise<unknown>;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Item with ISO timestamps. */
export const presentItem = (item: Item) => ({
  ...item,
  createdAt: iso(item.createdAt),
  updatedAt: iso(item.updatedAt),
});

const presentProfile = (p: UserProfile) => ({
  ...p,
  activity: { ...p.activity, firstSeen: iso(p.activity.firstSeen), lastSeen: iso(p.activity.lastSeen) },
  createdAt: iso(p.createdAt),
  updatedAt: iso(p.updatedAt),
});

const presentEvent = (e: StoredEvent) => ({
  ...e,
  timestamp: iso(e.timestamp),
  receivedAt: iso(e.receivedAt),
});

function single(type: MessageType, schema: z.ZodType, summary: string, example: unknown): Route {
  return {
    method: 'post',
    path: `/v1/${type}`,
    access: 'write',
    tag: 'Events',
    summary,
    description: `Segment-compatible \`${type}\` call. Answers once the event is on disk. A repeated messageId is stored once.`,
    body: { schema, size: 'single', example },
    response: { schema: IngestOut, description: 'Stored (or already stored)' },
    cors: true,
    async handler({ engine, body }) {
      const result = await engine.ingest([body], { type });
      const rejected = result.rejected[0];
      if (rejected) throw new ApiError('invalid_request', rejected.message, rejected.errors);
      return { success: true, stored: result.stored, duplicates: result.duplicates };
    },
  };
}

function batchAnswer(result: IngestResult, total: number) {
  if (total > 0 && result.accepted.length === 0) {
    throw new ApiError(
      'invalid_request',
      `all ${total} messages were rejected; first: ${result.rejected[0]!.message}`,
      result.rejected,
    );
  }
  return { success: result.rejected.length === 0, ...result };
}

const T = '2025-05-01T12:00:00Z';

/** Every endpoint of the API, in documentation order. */
export const ROUTES: Route[] = [
  single('track', TrackMessage, 'Record an action', {
    userId: 'u-42',
    event: 'Order Completed',
    timestamp: T,
    properties: {
      order_id: 'o-1001',
      revenue: 59.9,
      currency: 'EUR',
      products: [{ product_id: 'sku-1', price: 29.95, quantity: 2 }],
    },
  }),
  single('identify', IdentifyMessage, 'Tie traits (and an anonymous id) to a user', {
    userId: 'u-42',
    anonymousId: 'a-9f3c',
    traits: { email: 'ada@example.com', plan: 'gold' },
  }),
  single('page', PageMessage, 'Record a page view', {
    anonymousId: 'a-9f3c',
    name: 'Home',
    properties: { url: 'https://shop.example/' },
  }),
  single('screen', ScreenMessage, 'Record a mobile screen view', { userId: 'u-42', name: 'Cart' }),
  single('alias', AliasMessage, 'Merge a previous id into a user', { previousId: 'a-9f3c', userId: 'u-42' }),
  single('group', GroupMessage, 'Tie a user to a group (company, household)', {
    userId: 'u-42',
    groupId: 'acme',
  }),
  {
    method: 'post',
    path: '/v1/batch',
    access: 'write',
    tag: 'Events',
    summary: 'Send many messages of any type',
    description:
      'Each message is validated on its own: the valid ones are stored in one transaction, and each rejected one is reported with its index and the field at fault. All stored messages are on disk when the answer arrives; a 400 means none was valid.',
    body: {
      schema: BatchBody,
      size: 'batch',
      example: {
        batch: [
          { type: 'track', userId: 'u-42', event: 'Product Viewed', properties: { product_id: 'sku-1' } },
        ],
      },
    },
    response: { schema: BatchOut, description: 'Which messages were stored and why others were not' },
    cors: true,
    async handler({ engine, body }) {
      const parsed = BatchBody.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.length ? issue.path.join('.') : 'batch';
        throw new ApiError('invalid_request', `${field}: ${issue.message}`, parsed.error.issues);
      }
      const { batch, context, sentAt } = body as {
        batch: unknown[];
        context?: Record<string, unknown>;
        sentAt?: string;
      };
      return batchAnswer(await engine.ingest(batch, { defaults: { context, sentAt } }), batch.length);
    },
  },
  {
    method: 'put',
    path: '/v1/items/:id',
    access: 'admin',
    tag: 'Catalog',
    summary: 'Create or replace an item',
    body: {
      schema: ItemBody,
      size: 'single',
      example: {
        title: 'Trail runner',
        category: 'Shoes > Running',
        brand: 'Fleet',
        price: 89.9,
        cost: 41,
        currency: 'EUR',
        stock: 12,
      },
    },
    response: { schema: ItemOut, description: 'The stored item' },
    async handler({ engine, params, body }) {
      return presentItem(await engine.putItem(params.id!, body));
    },
  },
  {
    method: 'get',
    path: '/v1/items/:id',
    access: 'admin',
    tag: 'Catalog',
    summary: 'Read an item',
    response: { schema: ItemOut, description: 'The item' },
    async handler({ engine, params }) {
      const item = await engine.getItem(params.id!);
      if (!item) throw new ApiError('not_found', `item "${params.id}" does not exist`);
      return presentItem(item);
    },
  },
  {
    method: 'delete',
    path: '/v1/items/:id',
    access: 'admin',
    tag: 'Catalog',
    summary: 'Remove an item from the catalog (its past events stay)',
    response: { schema: DeletedOut, description: 'Deleted' },
    async handler({ engine, params }) {
      if (!(await engine.deleteItem(params.id!)))
        throw new ApiError('not_found', `item "${params.id}" does not exist`);
      return { deleted: true };
    },
  },
  {
    method: 'post',
    path: '/v1/items',
    access: 'admin',
    tag: 'Catalog',
    summary: 'Create or replace many items',
    description:
      'Valid items are stored even when others are rejected; each rejection names its index and field.',
    body: {
      schema: ItemsBody,
      size: 'batch',
      example: { items: [{ id: 'sku-1', title: 'Trail runner', price: 89.9 }] },
    },
    response: { schema: ItemsOut, description: 'How many were stored and why others were not' },
    async handler({ engine, body }) {
      const parsed = ItemsBody.safeParse(body);
      if (!parsed.success)
        throw new ApiError(
          'invalid_request',
          `items: ${parsed.error.issues[0]!.message}`,
          parsed.error.issues,
        );
      const result = await engine.upsertItems(parsed.data.items);
      if (parsed.data.items.length > 0 && result.upserted === 0) {
        throw new ApiError(
          'invalid_request',
          `all ${parsed.data.items.length} items were rejected; first: ${result.rejected[0]!.message}`,
          result.rejected,
        );
      }
      return result;
    },
  },
  {
    method: 'get',
    path: '/v1/items',
    access: 'admin',
    tag: 'Catalog',
    summary: 'List, filter and page through the catalog',
    query: ItemListQuery,
    response: { schema: ItemPageOut, description: 'A page of items ordered by id' },
    async handler({ engine, query }) {
      const q = query as z.infer<typeof ItemListQuery>;
      const page = await engine.listItems({
        category: q.category,
        q: q.q,
        limit: q.limit,
        cursor: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
      });
      return {
        items: page.items.map(presentItem),
        nextCursor: page.nextCursor === null ? null : encodeCursor(page.nextCursor),
      };
    },
  },
  {
    method: 'get',
    path: '/v1/users/:id',
    access: 'admin',
    tag: 'Users',
    summary: 'A user: traits, linked ids and an activity summary',
    description:
      'Follows identity links: anonymous activity before identify and aliased ids count for the user.',
    response: { schema: ProfileOut, description: 'The user' },
    async handler({ engine, params }) {
      const profile = await engine.getUser(params.id!);
      if (!profile) throw new ApiError('not_found', `user "${params.id}" is unknown`);
      return presentProfile(profile);
    },
  },
  {
    method: 'get',
    path: '/v1/users/:id/export',
    access: 'admin',
    tag: 'Users',
    summary: 'Everything stored about a user (data access request)',
    response: { schema: ExportOut, description: 'Profile and every event, oldest first' },
    async handler({ engine, params }) {
      const data = await engine.exportUser(params.id!);
      if (!data) throw new ApiError('not_found', `user "${params.id}" is unknown`);
      return { profile: presentProfile(data.profile), events: data.events.map(presentEvent) };
    },
  },
  {
    method: 'delete',
    path: '/v1/users/:id',
    access: 'admin',
    tag: 'Users',
    summary: 'Erase a user everywhere (right to be forgotten)',
    description:
      "Deletes the user's events (including linked anonymous activity), traits and identity links, then checkpoints the database so they leave the write-ahead log.",
    response: { schema: ErasureOut, description: 'What was erased' },
    async handler({ engine, params }) {
      const result = await engine.eraseUser(params.id!);
      if (!result.found) throw new ApiError('not_found', `user "${params.id}" is unknown`);
      return { erased: true, events: result.events, identities: result.identities };
    },
  },
  {
    method: 'get',
    path: '/v1/stats',
    access: 'admin',
    tag: 'Operations',
    summary: 'Events by type, users, items and the date range',
    response: { schema: StatsOut, description: 'Store counts' },
    async handler({ engine }) {
      const s = await engine.stats();
      return { ...s, firstEvent: iso(s.firstEvent), lastEvent: iso(s.lastEvent) };
    },
  },
  ...SERVING_ROUTES,
  ...EXPERIMENT_ROUTES,
  ...BANDIT_ROUTES,
];

/** Page cursors are opaque to clients (base64url of the last id). */
function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor))
    throw new ApiError('invalid_request', 'cursor: is not a cursor returned by this API');
  return Buffer.from(cursor, 'base64url').toString('utf8');
}
