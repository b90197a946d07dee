import { z } from 'zod';

/** Which items a boost or bury rule matches: one item, a category (with its sub-categories) or a brand. */
const Match = z
  .object({
    itemId: z.string().min(1).optional(),
    category: z.string().min(1).optional(),
    brand: z.string().min(1).optional(),
  })
  .strict()
  .refine((m) => [m.itemId, m.category, m.brand].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of itemId, category, brand',
  });

/**
 * Merchandising rules: what the shop wants on top of what models predict. Applied after
 * filtering, to every surface that lists items; changeable at run time through the admin API.
 */
export const MerchandisingRules = z
  .object({
    /** Items forced to a 1-based position when they may be shown at all (in stock, not excluded). */
    pin: z
      .array(z.object({ itemId: z.string().min(1), position: z.number().int().min(1).max(1000) }).strict())
      .default([]),
    /** Multiply matching items' relevance (scores are scaled to [0, 1] first); factors multiply. */
    boost: z.array(Match.and(z.object({ factor: z.number().positive().max(100) }))).default([]),
    /** Matching items go below every other item (still shown when nothing else is left). */
    bury: z.array(Match).default([]),
    /** Never show items whose stock is 0 or that are marked unavailable. */
    hideOutOfStock: z.boolean().default(true),
    /** At most this many items of one brand / one top-level category per list (null: no cap). */
    maxPerBrand: z.number().int().min(1).nullable().default(null),
    maxPerCategory: z.number().int().min(1).nullable().default(null),
    /** Hide items whose margin (price - cost) / price is below this; items without cost are kept. */
    minMargin: z.number().min(-1).max(1).nullable().default(null),
    /** MMR diversification: 1 = relevance only, lower trades relevance for variety (null: off). */
    diversity: z.number().min(0).max(1).nullable().default(null),
  })
  .strict();

/** Validated merchandising rules. */
export type MerchandisingRules = z.infer<typeof MerchandisingRules>;

/** Where the items of a list can come from, in the order a fallback chain tries them. */
export const SOURCES = [
  'personalized',
  'content',
  'category-popular',
  'trending',
  'popular',
  'latest',
] as const;

/** A named way of answering: a model (default: the bundle's personalized one) and its own rules. */
const Strategy = z
  .object({
    model: z.string().min(1).optional(),
    fallback: z.array(z.enum(SOURCES)).min(1).optional(),
    merchandising: MerchandisingRules.optional(),
  })
  .strict();

/** A strategy as configured. */
export type Strategy = z.infer<typeof Strategy>;

/** How recommendations are served: the `serving` section of the settings file. */
export const ServingSettings = z
  .object({
    /** Items a shopper had these events with are never recommended to them. */
    excludeEvents: z.array(z.string().min(1)).default(['Order Completed']),
    /** Sources tried in order until a list is full; every item says which one produced it. */
    fallback: z
      .array(z.enum(SOURCES))
      .min(1)
      .default(['personalized', 'content', 'category-popular', 'trending', 'popular']),
    /** Shoppers with fewer distinct items get personalized scores blended with popularity. */
    minHistory: z.number().int().min(1).max(100).default(3),
    /** Trending: events of the last `windowDays`, each weighing half as much every `halfLifeHours`. */
    trending: z
      .object({
        windowDays: z.number().positive().max(365).default(7),
        halfLifeHours: z.number().positive().default(24),
      })
      .strict()
      .default({ windowDays: 7, halfLifeHours: 24 }),
    /** Clicks and orders this long after an impression that showed the item are attributed to it. */
    attributionHours: z
      .number()
      .positive()
      .max(24 * 90)
      .default(24),
    /**
     * Similar-item answers kept for identical requests (same item and query) until the model
     * version, the catalog or the merchandising rules change; 0 turns the cache off.
     */
    similarCacheSize: z.number().int().min(0).max(1_000_000).default(10_000),
    /** Named strategies, chosen with `?strategy=`; "default" is used when none is asked for. */
    strategies: z
      .record(z.string().regex(/^[a-z0-9_-]{1,40}$/, 'strategy names are a-z, 0-9, _ and -'), Strategy)
      .default({}),
    merchandising: MerchandisingRules.default(MerchandisingRules.parse({})),
  })
  .strict();

/** Validated serving settings. */
export type ServingSettings = z.infer<typeof ServingSettings>;
