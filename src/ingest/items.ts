import { z } from 'zod';
import type { Item, UserRecord } from '../store/records.js';
import { Currency, Id, JsonObject, NonNegative, Num, Timestamp } from './fields.js';
import { type FieldError, toFieldErrors } from './issues.js';

/**
 * Catalog items and user records as accepted from the API and from files, and their normalization.
 */

/** A catalog item as sent by the store. `id` may come from the URL instead of the body. */
export const ItemBody = z.object({
  id: Id.optional().describe('Item id (required in bulk upserts and files; taken from the URL on PUT)'),
  title: z.string().max(1000).nullish(),
  description: z.string().max(20_000).nullish(),
  category: z
    .union([z.string().max(1000), z.array(z.string().min(1).max(200)).max(20)])
    .nullish()
    .describe('Category path: "Shoes > Running" or ["Shoes", "Running"]'),
  brand: z.string().max(200).nullish(),
  price: NonNegative.nullish(),
  cost: NonNegative.nullish().describe('Unit cost, for margins'),
  currency: Currency.nullish(),
  stock: Num.pipe(z.number().int('must be a whole number'))
    .nullish()
    .describe('Units in stock; omit if not tracked'),
  available: z.boolean().optional().describe('False hides the item from recommendations; defaults to true'),
  attributes: JsonObject.optional().describe('Free-form attributes (color, size, material, ...)'),
  tags: z.array(z.string().max(200)).max(200).optional(),
  imageUrl: z.string().max(2000).nullish(),
  url: z.string().max(2000).nullish(),
  createdAt: Timestamp.optional(),
  updatedAt: Timestamp.optional(),
});

/** Bulk upsert body. */
export const ItemsBody = z.object({
  items: z.array(z.unknown()).max(10_000, 'at most 10,000 items per request'),
});

/** Either a normalized item or the reasons it was rejected. */
export type ValidatedItem = { ok: true; item: Item } | { ok: false; errors: FieldError[] };

/** Validates and normalizes one catalog item; `id` overrides the body's id (PUT /v1/items/:id). */
export function validateItem(raw: unknown, now: number, id?: string): ValidatedItem {
  const result = ItemBody.safeParse(raw);
  if (!result.success) return { ok: false, errors: toFieldErrors(result.error) };
  const b = result.data;
  const itemId = id ?? b.id;
  if (!itemId) return { ok: false, errors: [{ field: 'id', message: 'id: is required' }] };
  if (id !== undefined && b.id !== undefined && b.id !== id) {
    return {
      ok: false,
      errors: [{ field: 'id', message: `id: "${b.id}" does not match the URL id "${id}"` }],
    };
  }
  const category = Array.isArray(b.category)
    ? b.category.map((c) => c.trim()).join(' > ')
    : (b.category ?? null);
  return {
    ok: true,
    item: {
      id: itemId,
      title: b.title ?? null,
      description: b.description ?? null,
      category: category || null,
      brand: b.brand ?? null,
      price: b.price ?? null,
      cost: b.cost ?? null,
      currency: b.currency ?? null,
      stock: b.stock ?? null,
      available: b.available ?? true,
      attributes: b.attributes ?? {},
      tags: b.tags ?? [],
      imageUrl: b.imageUrl ?? null,
      url: b.url ?? null,
      createdAt: b.createdAt ?? now,
      updatedAt: b.updatedAt ?? now,
    },
  };
}

/** A user record from a file: an id and traits. */
export const UserBody = z.object({
  userId: Id,
  traits: JsonObject.optional(),
  createdAt: Timestamp.optional(),
});

/** Either a normalized user or the reasons it was rejected. */
export type ValidatedUser = { ok: true; user: UserRecord } | { ok: false; errors: FieldError[] };

/** Validates one user record. */
export function validateUser(raw: unknown, now: number): ValidatedUser {
  const result = UserBody.safeParse(raw);
  if (!result.success) return { ok: false, errors: toFieldErrors(result.error) };
  const createdAt = result.data.createdAt ?? now;
  return {
    ok: true,
    user: { userId: result.data.userId, traits: result.data.traits ?? {}, createdAt, updatedAt: now },
  };
}
