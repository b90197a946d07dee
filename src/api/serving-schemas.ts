import { z } from 'zod';

/**
 * Schemas of the recommendation surfaces: the filters every list takes (query string or body),
 * the list they answer, and the admin documents (merchandising, model, stats).
 */

const k = z.coerce
  .number({ error: 'expected a whole number' })
  .int('expected a whole number')
  .min(1, 'must be 1..100')
  .max(100, 'must be 1..100')
  .default(10)
  .describe('How many items (1..100)');
const price = z.coerce.number({ error: 'expected a number' }).min(0, 'must be >= 0');
const idList = z
  .string()
  .max(10_000)
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  );

/** Filters of every list, as query parameters. */
export const ListFilterQuery = z.object({
  k,
  category: z.string().max(1000).optional().describe('Only this category or its sub-categories'),
  brand: z.string().max(200).optional().describe('Only this brand (case-insensitive)'),
  minPrice: price.optional(),
  maxPrice: price.optional(),
  inStock: z
    .enum(['true', 'false'], { error: 'expected true or false' })
    .transform((v) => v === 'true')
    .optional()
    .describe('Only items in stock'),
  exclude: idList.optional().describe('Comma-separated item ids never to return'),
  strategy: z.string().max(100).optional().describe('A configured strategy (default: "default")'),
});

/** Query of list surfaces that a known shopper may see (impressions are recorded against them). */
export const ShopperListQuery = ListFilterQuery.extend({
  userId: z.string().max(300).optional().describe('The shopper seeing the list, for attribution'),
  anonymousId: z.string().max(300).optional(),
});

/** Query of similar items. */
export const SimilarQuery = ShopperListQuery.extend({
  kind: z
    .enum(['auto', 'collaborative', 'content'])
    .default('auto')
    .describe('collaborative (co-interaction), content (text and attributes) or auto (both, in that order)'),
});

const filterBody = {
  k: z.number().int().min(1).max(100).default(10),
  category: z.string().max(1000).optional(),
  brand: z.string().max(200).optional(),
  minPrice: z.number().min(0).optional(),
  maxPrice: z.number().min(0).optional(),
  inStock: z.boolean().optional(),
  exclude: z.array(z.string().max(300)).max(1000).optional(),
  strategy: z.string().max(100).optional(),
  userId: z.string().max(300).optional(),
  anonymousId: z.string().max(300).optional(),
};

/** Body of basket completion. */
export const BasketBody = z
  .object({ items: z.array(z.string().min(1).max(300)).min(1).max(200), ...filterBody })
  .strict()
  .meta({ id: 'BasketRequest' });

/** Body of session recommendations: viewed item ids (oldest first), or a shopper whose recent views count. */
export const SessionBody = z
  .object({
    items: z
      .array(z.string().min(1).max(300))
      .max(200)
      .default([])
      .describe("Item ids viewed in this session, oldest first (default: the shopper's stored recent views)"),
    ...filterBody,
  })
  .strict()
  .refine((b) => b.items.length > 0 || b.userId !== undefined || b.anonymousId !== undefined, {
    message: 'give items, or a userId / anonymousId whose recent views make the session',
    path: ['items'],
  })
  .meta({ id: 'SessionRequest' });

/** A recommended list. */
export const RecommendationOut = z
  .object({
    recommendationId: z.string().describe('Send it with clicks and orders (properties.recommendation_id)'),
    surface: z.string(),
    strategy: z.string(),
    model: z.string(),
    version: z.string().nullable().describe('The model version, null before the first training'),
    items: z.array(
      z.object({
        itemId: z.string(),
        score: z.number(),
        source: z
          .string()
          .describe(
            'What produced it: a model id, content, rules, category-popular, trending, popular, latest, pinned',
          ),
        reason: z.string().describe('Why, in words'),
      }),
    ),
  })
  .meta({ id: 'RecommendationList' });

/** Query of recommendation stats. */
export const StatsQuery = z.object({
  from: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time' }).optional(),
  to: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time' }).optional(),
  strategy: z.string().max(100).optional(),
});

/** Impressions and attributed outcomes per strategy, model and version. */
export const RecommendationStatsOut = z
  .object({
    attributionHours: z.number(),
    rows: z.array(
      z.object({
        strategy: z.string(),
        model: z.string(),
        version: z.string().nullable(),
        impressions: z.number().int(),
        clicked: z.number().int().describe('Impressions with an attributed click'),
        converted: z.number().int().describe('Impressions with an attributed order line'),
        orders: z.number().int(),
        revenue: z.number().describe('Attributed order lines, price x quantity'),
        clickThroughRate: z.number(),
        conversionRate: z.number(),
        revenuePerImpression: z.number(),
      }),
    ),
  })
  .meta({ id: 'RecommendationStats' });

/** The served model version and the training state. */
export const ModelOut = z
  .object({
    training: z.object({
      running: z.boolean(),
      lastError: z.string().nullable(),
      progress: z.string().nullable(),
    }),
    manifest: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe('The served version (null before training)'),
  })
  .meta({ id: 'Model' });
