import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { MessageType, ProductLine, StoredEvent } from '../store/records.js';
import { ECOMMERCE_EVENTS, isEcommerceEvent } from './ecommerce.js';
import { Id, JsonObject, parseTimestamp, Timestamp } from './fields.js';
import { type FieldError, toFieldErrors } from './issues.js';

/**
 * Segment-compatible message envelopes (track, identify, page, screen, alias, group) and their
 * normalization into stored events. The same schemas validate HTTP bodies and imported files and
 * generate the OpenAPI document.
 */

const common = {
  userId: Id.nullish().describe('Your id for a known user'),
  anonymousId: Id.nullish().describe('A device or cookie id for a shopper not yet known'),
  messageId: z
    .string()
    .min(1, 'must not be empty')
    .max(256, 'must be at most 256 characters')
    .optional()
    .describe('Unique id of this message; a repeated id is stored once'),
  timestamp: Timestamp.optional().describe('When the event happened (ISO 8601); defaults to arrival time'),
  originalTimestamp: Timestamp.optional().describe(
    'Device time of the event, corrected by sentAt for clock skew',
  ),
  sentAt: Timestamp.optional().describe('Device time when the message was sent'),
  context: JsonObject.optional().describe('Context of the call: page, userAgent, ip, campaign, ...'),
  integrations: JsonObject.optional(),
};

const needsIdentity = (m: { userId?: string | null; anonymousId?: string | null }) =>
  !!(m.userId || m.anonymousId);
const identityIssue = { message: 'is required unless anonymousId is given', path: ['userId'] };

/** `track`: something a shopper did. */
export const TrackMessage = z
  .object({
    ...common,
    type: z.literal('track').optional(),
    event: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    properties: JsonObject.optional(),
  })
  .refine(needsIdentity, identityIssue);

/** `identify`: who a shopper is, with traits. */
export const IdentifyMessage = z
  .object({ ...common, type: z.literal('identify').optional(), traits: JsonObject.optional() })
  .refine(needsIdentity, identityIssue);

/** `page`: a page view. */
export const PageMessage = z
  .object({
    ...common,
    type: z.literal('page').optional(),
    name: z.string().max(200).optional(),
    category: z.string().max(200).optional(),
    properties: JsonObject.optional(),
  })
  .refine(needsIdentity, identityIssue);

/** `screen`: a mobile screen view. */
export const ScreenMessage = z
  .object({
    ...common,
    type: z.literal('screen').optional(),
    name: z.string().max(200).optional(),
    properties: JsonObject.optional(),
  })
  .refine(needsIdentity, identityIssue);

/** `alias`: two ids are the same shopper (previousId becomes userId). */
export const AliasMessage = z.object({
  ...common,
  type: z.literal('alias').optional(),
  userId: Id.describe('The id that the previous id becomes'),
  previousId: Id.describe('The previous anonymous or user id'),
});

/** `group`: a user belongs to a company or household. */
export const GroupMessage = z
  .object({ ...common, type: z.literal('group').optional(), groupId: Id, traits: JsonObject.optional() })
  .refine(needsIdentity, identityIssue);

const BY_TYPE = {
  track: TrackMessage,
  identify: IdentifyMessage,
  page: PageMessage,
  screen: ScreenMessage,
  alias: AliasMessage,
  group: GroupMessage,
} as const;

/** Message types accepted in a batch. */
export const MESSAGE_TYPES = Object.keys(BY_TYPE) as MessageType[];

/** A batch of messages, each with its `type`, as sent by Segment's libraries. */
export const BatchBody = z.object({
  batch: z
    .array(z.looseObject({ type: z.enum(MESSAGE_TYPES as [MessageType, ...MessageType[]]) }))
    .describe('Messages of any type; each is validated on its own'),
  context: JsonObject.optional().describe('Merged under each message context'),
  sentAt: Timestamp.optional(),
});

type Parsed = z.infer<typeof TrackMessage> &
  Partial<z.infer<typeof IdentifyMessage>> &
  Partial<z.infer<typeof PageMessage>> &
  Partial<z.infer<typeof AliasMessage>> &
  Partial<z.infer<typeof GroupMessage>>;

/** Either a normalized event or the reasons it was rejected. */
export type Validated = { ok: true; event: StoredEvent } | { ok: false; errors: FieldError[] };

/** Options of {@link validateMessage}. */
export interface ValidateOptions {
  /** Type implied by the endpoint (`/v1/track`); otherwise the message's own `type` is used. */
  type?: MessageType;
  /** Arrival time, ms since epoch. */
  receivedAt: number;
  /** Batch-level fields applied to each message (Segment's batch `context` and `sentAt`). */
  defaults?: { context?: Record<string, unknown>; sentAt?: string };
  /** Id for messages without a messageId; imports pass a deterministic one so re-imports stay idempotent. */
  fallbackMessageId?: string;
}

const MAX_FUTURE_MS = 24 * 3600 * 1000;

/** Validates one Segment message and normalizes it into a stored event. */
export function validateMessage(raw: unknown, options: ValidateOptions): Validated {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ field: '(body)', message: '(body): expected a JSON object' }] };
  }
  const declared = (raw as { type?: unknown }).type;
  const type = options.type ?? (typeof declared === 'string' ? declared : undefined);
  if (!type || !Object.hasOwn(BY_TYPE, type)) {
    return {
      ok: false,
      errors: [{ field: 'type', message: `type: expected one of ${MESSAGE_TYPES.join(', ')}` }],
    };
  }
  const input = options.type ? { ...(raw as object), type: options.type } : raw;
  const result = BY_TYPE[type as MessageType].safeParse(input);
  if (!result.success) return { ok: false, errors: toFieldErrors(result.error) };
  const msg = result.data as Parsed;

  let properties = msg.properties ?? null;
  if (type === 'track' && isEcommerceEvent(msg.event)) {
    const typed = ECOMMERCE_EVENTS[msg.event].safeParse(properties ?? {});
    if (!typed.success) return { ok: false, errors: toFieldErrors(typed.error, 'properties') };
    properties = typed.data as Record<string, unknown>;
  }

  const timestamp = eventTime(msg, options);
  if (timestamp > options.receivedAt + MAX_FUTURE_MS) {
    return {
      ok: false,
      errors: [{ field: 'timestamp', message: 'timestamp: is more than 24 hours in the future' }],
    };
  }
  if (type === 'page' && msg.category !== undefined) properties = { ...properties, category: msg.category };

  const context = options.defaults?.context ? { ...options.defaults.context, ...msg.context } : msg.context;
  const typedEcommerce = type === 'track' && isEcommerceEvent(msg.event);
  return {
    ok: true,
    event: {
      messageId: msg.messageId ?? options.fallbackMessageId ?? randomUUID(),
      type: type as MessageType,
      event: type === 'track' ? msg.event : (msg.name ?? null),
      userId: msg.userId ?? null,
      anonymousId: msg.anonymousId ?? null,
      timestamp,
      receivedAt: options.receivedAt,
      itemId: idOf(properties?.product_id),
      orderId: idOf(properties?.order_id),
      price: numberOf(properties?.price),
      quantity: numberOf(properties?.quantity),
      revenue: numberOf(properties?.revenue) ?? numberOf(properties?.total) ?? numberOf(properties?.value),
      rating: msg.event === 'Product Reviewed' ? numberOf(properties?.rating) : null,
      currency: typeof properties?.currency === 'string' ? properties.currency : null,
      coupon: textOf(properties?.coupon) ?? textOf(properties?.coupon_id) ?? textOf(properties?.coupon_name),
      products: typedEcommerce ? productLines(properties?.products) : null,
      properties,
      traits: msg.traits ?? null,
      context: context ?? null,
      targetId: type === 'alias' ? (msg.previousId ?? null) : type === 'group' ? (msg.groupId ?? null) : null,
    },
  };
}

function eventTime(msg: Parsed, options: ValidateOptions): number {
  if (msg.timestamp !== undefined) return msg.timestamp;
  const batchSentAt = options.defaults?.sentAt === undefined ? null : parseTimestamp(options.defaults.sentAt);
  const sentAt = msg.sentAt ?? batchSentAt;
  if (msg.originalTimestamp !== undefined) {
    // Segment's clock-skew correction: trust the server clock for the offset between send and event.
    return sentAt !== null ? options.receivedAt - (sentAt - msg.originalTimestamp) : msg.originalTimestamp;
  }
  return options.receivedAt;
}

function idOf(v: unknown): string | null {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function textOf(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
}

function numberOf(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function productLines(v: unknown): ProductLine[] | null {
  if (!Array.isArray(v)) return null;
  return v.map((p: Record<string, unknown>) => ({
    productId: String(p.product_id),
    price: numberOf(p.price),
    quantity: numberOf(p.quantity),
  }));
}
