import type { z } from 'zod';
import { MerchandisingRules } from '../engine.js';
import { parseBody } from './body.js';
import type { Route } from './routes.js';
import {
  BasketBody,
  ModelOut,
  RecommendationOut,
  RecommendationStatsOut,
  SessionBody,
  ShopperListQuery,
  SimilarQuery,
  StatsQuery,
} from './serving-schemas.js';

type Shopper = { userId?: string; anonymousId?: string };

/** The shopper a list is shown to, as the engine keys them (`anon:<id>` for anonymous ones). */
const shopperOf = (q: Shopper) =>
  q.userId ?? (q.anonymousId !== undefined ? `anon:${q.anonymousId}` : undefined);

/**
 * Query or body fields -> the engine's list query. A spread with overwrites, not a rest pattern:
 * V8 copies rest patterns in a slow runtime call, a visible share of a list request.
 */
function listQuery<T extends Shopper & { k: number }>(q: T) {
  return { ...q, userId: shopperOf(q), anonymousId: undefined };
}

const LIST_DOC = { schema: RecommendationOut, description: 'The list, each item with its source and reason' };

/** The recommendation surfaces and their admin endpoints. */
export const SERVING_ROUTES: Route[] = [
  {
    method: 'get',
    path: '/v1/users/:id/recommendations',
    access: 'admin',
    tag: 'Recommendations',
    summary: 'Personalized recommendations',
    description:
      'Never returns what the user already bought (the `serving.excludeEvents` settings) or excluded ids. Events ingested since the last training count at once. The fallback chain of the settings fills lists for new shoppers. Admin key: a list reveals what a shopper did. Use `anon:<anonymousId>` as id for an anonymous shopper.',
    query: ShopperListQuery.omit({ userId: true, anonymousId: true }),
    response: LIST_DOC,
    async handler({ engine, params, query }) {
      return engine.recommendForUser(params.id!, query as z.output<typeof ShopperListQuery>);
    },
  },
  {
    method: 'get',
    path: '/v1/items/:id/similar',
    access: 'write',
    tag: 'Recommendations',
    summary: 'Similar items',
    description:
      'Collaborative neighbors from the served model, then content neighbors (which also place items added since training). An identical request gets the kept answer (with a new recommendationId) until the version, the catalog or the rules change.',
    query: SimilarQuery,
    response: LIST_DOC,
    cors: true,
    async handler({ engine, params, query }) {
      return engine.similarItems(params.id!, listQuery(query as z.output<typeof SimilarQuery>));
    },
  },
  {
    method: 'get',
    path: '/v1/items/:id/bought-together',
    access: 'write',
    tag: 'Recommendations',
    summary: 'Frequently bought together',
    description:
      'Association rules mined from orders with FP-Growth ({item} => {other}, best confidence first), topped up with similar items.',
    query: ShopperListQuery,
    response: LIST_DOC,
    cors: true,
    async handler({ engine, params, query }) {
      return engine.boughtTogether(params.id!, listQuery(query as z.output<typeof ShopperListQuery>));
    },
  },
  {
    method: 'post',
    path: '/v1/baskets/complete',
    access: 'write',
    tag: 'Recommendations',
    summary: 'Complete a basket',
    description:
      'Add-ons for the items in a basket: consequents of every rule whose antecedent the basket holds.',
    body: { schema: BasketBody, size: 'single', example: { items: ['sku-1', 'sku-2'], k: 5 } },
    response: LIST_DOC,
    cors: true,
    async handler({ engine, body }) {
      const b = parseBody(BasketBody, body);
      return engine.completeBasket(b.items, listQuery({ ...b, items: undefined }));
    },
  },
  {
    method: 'get',
    path: '/v1/trending',
    access: 'write',
    tag: 'Recommendations',
    summary: 'Trending items',
    description: 'Time-decayed popularity over the configured window, updated as events arrive.',
    query: ShopperListQuery,
    response: LIST_DOC,
    cors: true,
    async handler({ engine, query }) {
      return engine.trending(listQuery(query as z.output<typeof ShopperListQuery>));
    },
  },
  {
    method: 'post',
    path: '/v1/sessions/recommendations',
    access: 'write',
    tag: 'Recommendations',
    summary: 'Next items for a browsing session',
    description:
      "Session kNN over recent sessions (the `training.session` model). Give the session's item ids, or a userId / anonymousId whose stored recent views make the session.",
    body: { schema: SessionBody, size: 'single', example: { items: ['sku-1', 'sku-7'], k: 10 } },
    response: LIST_DOC,
    cors: true,
    async handler({ engine, body }) {
      const b = parseBody(SessionBody, body);
      return engine.sessionRecommendations(b.items, listQuery({ ...b, items: undefined }));
    },
  },
  {
    method: 'get',
    path: '/v1/merchandising',
    access: 'admin',
    tag: 'Admin',
    summary: 'Merchandising rules in force',
    response: {
      schema: MerchandisingRules,
      description: 'Pins, boosts, burials, stock, caps, margin, diversity',
    },
    async handler({ engine }) {
      return engine.merchandising();
    },
  },
  {
    method: 'put',
    path: '/v1/merchandising',
    access: 'admin',
    tag: 'Admin',
    summary: 'Replace the merchandising rules',
    description: 'Applies to the next request and is kept in the data directory for the next start.',
    body: {
      schema: MerchandisingRules,
      size: 'single',
      example: { boost: [{ category: 'Sale', factor: 1.5 }], hideOutOfStock: true, maxPerBrand: 3 },
    },
    response: { schema: MerchandisingRules, description: 'The rules now in force' },
    async handler({ engine, body }) {
      return engine.setMerchandising(body);
    },
  },
  {
    method: 'post',
    path: '/v1/train',
    access: 'admin',
    tag: 'Admin',
    summary: 'Train a new model version',
    description:
      'Starts a training run in a worker thread and answers at once; requests keep using the current version until the new one is swapped in. GET /v1/model shows progress.',
    response: { schema: ModelOut, description: 'Training state after the call' },
    async handler({ engine }) {
      engine.train().catch(() => {});
      return { training: engine.trainingStatus(), manifest: engine.model() };
    },
  },
  {
    method: 'get',
    path: '/v1/model',
    access: 'admin',
    tag: 'Admin',
    summary: 'The served model version',
    description:
      'Which models the version holds, their holdout metrics, which serves each surface, and the training state.',
    response: { schema: ModelOut, description: 'Manifest and training state' },
    async handler({ engine }) {
      return { training: engine.trainingStatus(), manifest: engine.model() };
    },
  },
  {
    method: 'get',
    path: '/v1/recommendations/stats',
    access: 'admin',
    tag: 'Admin',
    summary: 'Impressions, click-through, conversion and revenue per strategy',
    description:
      "Each answer of a recommendation endpoint is an impression. A click or order line belongs to the impression its properties.recommendation_id names, or else to the shopper's latest impression that showed the item within `serving.attributionHours`.",
    query: StatsQuery,
    response: { schema: RecommendationStatsOut, description: 'One row per strategy, model and version' },
    async handler({ engine, query }) {
      const q = query as { from?: string; to?: string; strategy?: string };
      const rows = await engine.recommendationStats({
        from: q.from ? Date.parse(q.from) : undefined,
        to: q.to ? Date.parse(q.to) : undefined,
        strategy: q.strategy,
      });
      return { attributionHours: engine.settings.serving.attributionHours, rows };
    },
  },
];
