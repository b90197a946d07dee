import { z } from 'zod';

/**
 * Schemas of query strings and of responses. Queries are validated with them; responses are only
 * documented (the OpenAPI document is generated from these and from the ingest schemas).
 */

const FieldErrorOut = z.object({ field: z.string(), message: z.string() });

/** The error envelope of every non-2xx answer. */
export const ErrorOut = z
  .object({
    error: z.object({
      code: z.string().describe('Machine-readable code, e.g. invalid_request, unauthorized, not_found'),
      message: z.string().describe('One line naming the field or cause'),
      details: z.unknown().describe('Field errors or rejected items, when there are any'),
    }),
  })
  .meta({ id: 'Error' });

/** Answer to a single-message call. */
export const IngestOut = z
  .object({
    success: z.literal(true),
    stored: z.number().int().describe('1, or 0 when the messageId was already stored'),
    duplicates: z.number().int(),
  })
  .meta({ id: 'IngestResult' });

const RejectionOut = z.object({
  index: z.number().int().describe('Position in the batch'),
  field: z.string(),
  message: z.string(),
  errors: z.array(FieldErrorOut),
});

/** Answer to a batch. */
export const BatchOut = z
  .object({
    success: z.boolean().describe('True when every message was accepted'),
    accepted: z.array(z.number().int()).describe('Positions of the accepted messages'),
    rejected: z.array(RejectionOut),
    stored: z.number().int(),
    duplicates: z.number().int(),
  })
  .meta({ id: 'BatchResult' });

/** A catalog item as returned. */
export const ItemOut = z
  .object({
    id: z.string(),
    title: z.string().nullable(),
    description: z.string().nullable(),
    category: z.string().nullable(),
    brand: z.string().nullable(),
    price: z.number().nullable(),
    cost: z.number().nullable(),
    currency: z.string().nullable(),
    stock: z.number().nullable(),
    available: z.boolean(),
    attributes: z.record(z.string(), z.unknown()),
    tags: z.array(z.string()),
    imageUrl: z.string().nullable(),
    url: z.string().nullable(),
    createdAt: z.string().describe('ISO 8601'),
    updatedAt: z.string().describe('ISO 8601'),
  })
  .meta({ id: 'Item' });

/** A page of items. */
export const ItemPageOut = z.object({
  items: z.array(ItemOut),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});

/** Bulk upsert answer. */
export const ItemsOut = z.object({ upserted: z.number().int(), rejected: z.array(RejectionOut) });

/** Query of GET /v1/items. */
export const ItemListQuery = z.object({
  category: z
    .string()
    .max(1000)
    .optional()
    .describe('Category or parent category (case-insensitive), e.g. "Shoes" or "Shoes > Running"'),
  q: z
    .string()
    .max(200)
    .optional()
    .describe('Text found in id, title, description or brand (case-insensitive)'),
  cursor: z.string().max(300).optional(),
  limit: z.coerce
    .number({ error: 'expected a whole number' })
    .int('expected a whole number')
    .min(1, 'must be 1..1000')
    .max(1000, 'must be 1..1000')
    .default(50),
});

/** A user with traits and activity. */
export const ProfileOut = z
  .object({
    userId: z.string(),
    traits: z.record(z.string(), z.unknown()),
    identities: z.array(z.object({ kind: z.enum(['anonymous', 'user']), id: z.string() })),
    activity: z.object({
      events: z.number().int(),
      firstSeen: z.string().nullable(),
      lastSeen: z.string().nullable(),
      byEvent: z.record(z.string(), z.number().int()),
      orders: z.number().int(),
      revenue: z.number(),
      refunds: z.number(),
    }),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'UserProfile' });

/** A stored event as exported. */
export const EventOut = z
  .object({
    messageId: z.string(),
    type: z.string(),
    event: z.string().nullable(),
    userId: z.string().nullable(),
    anonymousId: z.string().nullable(),
    timestamp: z.string(),
    receivedAt: z.string(),
    properties: z.record(z.string(), z.unknown()).nullable(),
    traits: z.record(z.string(), z.unknown()).nullable(),
    context: z.record(z.string(), z.unknown()).nullable(),
  })
  .loose()
  .meta({ id: 'StoredEvent' });

/** Everything about a user. */
export const ExportOut = z.object({ profile: ProfileOut, events: z.array(EventOut) });

/** Erasure answer. */
export const ErasureOut = z.object({
  erased: z.literal(true),
  events: z.number().int(),
  identities: z.number().int(),
});

/** Deletion answer. */
export const DeletedOut = z.object({ deleted: z.literal(true) });

/** Store counts. */
export const StatsOut = z.object({
  events: z.number().int(),
  eventsByType: z.record(z.string(), z.number().int()),
  users: z.number().int(),
  anonymousShoppers: z.number().int(),
  items: z.number().int(),
  firstEvent: z.string().nullable(),
  lastEvent: z.string().nullable(),
});

/** Liveness answer. */
export const HealthOut = z.object({
  status: z.literal('ok'),
  version: z.string(),
  uptimeSeconds: z.number(),
});
