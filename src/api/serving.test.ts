import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, TEST_API_KEYS, TestApi } from '../../test/api-client.js';
import { twoTasteStore } from '../../test/two-taste-store.js';

/**
 * Every recommendation surface through the HTTP app, on a store with planted taste (kitchen
 * shoppers u0, u2, ...; garden shoppers u1, u3, ...), trained for real in a worker thread.
 */

const root = mkdtempSync(join(tmpdir(), 'cartwise-serving-'));
let api: TestApi;
const call = (...args: Parameters<TestApi['call']>) => api.call(...args);
const keys = TEST_API_KEYS;
const ids = (r: { body: Json }) => (r.body.items as Json[]).map((i) => i.itemId as string);
const side = (id: string) => id[0];

beforeAll(async () => {
  const settings = {
    training: {
      models: [
        { id: 'popularity' },
        { id: 'itemknn' },
        { id: 'ials', params: { factors: 4, iterations: 5 } },
        { id: 'content' },
      ],
      holdout: { fraction: 0.2 },
    },
    serving: { strategies: { popular: { model: 'popularity' } } },
  };
  api = await TestApi.open(root, settings, async (engine) => {
    const { events, items } = twoTasteStore();
    await engine.store.upsertItems(items);
    await engine.store.appendEvents(events);
  });
});
afterAll(async () => {
  await api.close();
  rmSync(root, { recursive: true, force: true });
});

describe('recommendation serving', () => {
  it('answers before any training from the fallback chain, each item with its source and reason', async () => {
    const r = await call('GET', '/v1/users/u0/recommendations?k=5');
    expect(r.status).toBe(200);
    expect(r.body.version).toBeNull();
    expect(r.body.items).toHaveLength(5);
    for (const item of r.body.items) {
      expect(['trending', 'popular', 'latest', 'category-popular']).toContain(item.source);
      expect(item.reason).toMatch(/\w/);
    }
  });

  it('trains in the background, swaps the version in and reports it', async () => {
    const started = await call('POST', '/v1/train');
    expect(started.status).toBe(200);
    expect(started.body.training.running).toBe(true);
    await api.engine.train(); // joins the running run
    const model = await call('GET', '/v1/model');
    expect(model.body.training).toEqual({ running: false, lastError: null, progress: null });
    expect(model.body.manifest.models.map((m: Json) => m.id)).toEqual([
      'popularity',
      'itemknn',
      'ials',
      'content',
    ]);
    expect(model.body.manifest.rules.rules).toBeGreaterThan(0);
    const list = await call('GET', '/v1/users/u0/recommendations?k=5');
    expect(list.body.version).toBe(model.body.manifest.version);
  });

  it('personalizes, never repeats what was bought, filters, and explains', async () => {
    const r = await call('GET', '/v1/users/u0/recommendations?k=6');
    expect(r.status).toBe(200);
    const got = ids(r);
    expect(got.filter((id) => side(id) === 'k').length).toBeGreaterThanOrEqual(5);
    const bought = twoTasteStore()
      .events.filter((e) => e.userId === 'u0' && e.event === 'Order Completed')
      .flatMap((e) => e.products!.map((p) => p.productId));
    expect(bought.length).toBeGreaterThan(0);
    for (const id of bought) expect(got).not.toContain(id);
    expect(r.body.items.some((i: Json) => /^because you (bought|viewed) “/.test(i.reason))).toBe(true);

    const garden = await call('GET', '/v1/users/u0/recommendations?k=4&category=Garden&brand=acme');
    expect(ids(garden).every((id) => side(id) === 'g')).toBe(true);
    expect(ids(garden).length).toBeGreaterThan(0);
    const inStock = await call('GET', '/v1/users/u1/recommendations?k=20&inStock=true&exclude=g2,g5');
    for (const id of ['g9', 'g2', 'g5']) expect(ids(inStock)).not.toContain(id);
    const priced = await call('GET', '/v1/users/u1/recommendations?k=20&minPrice=15&maxPrice=17');
    expect(ids(priced).every((id) => ['5', '6', '7'].includes(id.slice(1)))).toBe(true);
  });

  it('takes events ingested a moment ago into the next answer, without retraining', async () => {
    const before = await call('GET', '/v1/users/newcomer/recommendations?k=5');
    expect(before.body.items.every((i: Json) => i.source !== 'ials' && i.source !== 'itemknn')).toBe(true);
    for (const item of ['g1', 'g4', 'g7'])
      expect(
        (
          await call('POST', '/v1/track', {
            userId: 'newcomer',
            event: 'Product Viewed',
            properties: { product_id: item },
          })
        ).status,
      ).toBe(200);
    await call('POST', '/v1/track', {
      userId: 'newcomer',
      event: 'Order Completed',
      properties: { order_id: 'n1', products: [{ product_id: 'g3', price: 13 }] },
    });
    const after = await call('GET', '/v1/users/newcomer/recommendations?k=5');
    expect(ids(after).every((id) => side(id) === 'g')).toBe(true);
    expect(ids(after)).not.toContain('g3');
    expect(after.body.items.some((i: Json) => ['ials', 'itemknn', 'content'].includes(i.source))).toBe(true);
  });

  it('answers a shopper with no history with what is popular in the category they browse', async () => {
    const cold = await call('GET', '/v1/users/stranger/recommendations?k=3&category=Kitchen');
    expect(ids(cold).every((id) => side(id) === 'k')).toBe(true);
    expect(cold.body.items[0].reason).toMatch(/popular|trending/);
  });

  it('places a brand-new catalog item at once through content similarity and "latest"', async () => {
    const put = await call('PUT', '/v1/items/k-fresh', {
      title: 'chef knife pan steel set',
      category: 'Kitchen',
      brand: 'Acme',
      price: 40,
      stock: 5,
    });
    expect(put.status).toBe(200);
    const similar = await call('GET', '/v1/items/k-fresh/similar?k=4', undefined, keys.writeKey);
    expect(similar.status).toBe(200);
    expect(ids(similar).every((id) => side(id) === 'k')).toBe(true);
    expect(similar.body.items[0].source).toBe('content');
    const toOld = await call('GET', '/v1/items/k0/similar?k=30&kind=content', undefined, keys.writeKey);
    expect(ids(toOld)).toContain('k-fresh');
  });

  it('serves similar items, bought-together and basket add-ons with reasons', async () => {
    const similar = await call('GET', '/v1/items/g0/similar?k=5', undefined, keys.writeKey);
    expect(ids(similar).every((id) => side(id) === 'g')).toBe(true);
    expect(similar.body.items[0].source).toBe('itemknn');
    expect(similar.body.items[0].reason).toMatch(/^shoppers who liked “/);

    const together = await call('GET', '/v1/items/k0/bought-together?k=3', undefined, keys.writeKey);
    expect(together.status).toBe(200);
    // Kitchen orders pair an odd item i with i + 3 (garden ones an even i): k0 only ever goes with k7. Rules come first,
    // similar items top the list up.
    expect(together.body.items[0]).toMatchObject({
      itemId: 'k7',
      source: 'rules',
      reason: 'often bought with “chef k0”',
    });
    expect(together.body.items.slice(1).every((i: Json) => i.source === 'itemknn')).toBe(true);
    expect(together.body.items[0].reason).toMatch(/^often bought with “/);

    const basket = await call('POST', '/v1/baskets/complete', { items: ['g0', 'g1'], k: 3 }, keys.writeKey);
    expect(basket.status).toBe(200);
    expect(ids(basket).slice(0, 2).sort()).toEqual(['g3', 'g8']); // g0 -> g3, g1 <- g8
    expect(ids(basket)).not.toContain('g0');

    const session = await call(
      'POST',
      '/v1/sessions/recommendations',
      { items: ['g2', 'g5'], k: 4 },
      keys.writeKey,
    );
    expect(session.status).toBe(200);
    expect(ids(session).every((id) => side(id) === 'g')).toBe(true);
    expect(session.body.items[0].source).toBe('vsknn');
    const byShopper = await call(
      'POST',
      '/v1/sessions/recommendations',
      { userId: 'newcomer', k: 3 },
      keys.writeKey,
    );
    expect(ids(byShopper).every((id) => side(id) === 'g')).toBe(true);

    const trending = await call('GET', '/v1/trending?k=5&category=Garden', undefined, keys.writeKey);
    expect(trending.body.items.length).toBe(5);
    expect(ids(trending).every((id) => side(id) === 'g')).toBe(true);
  });

  it('applies merchandising rules changed at run time, and keeps them valid', async () => {
    const bad = await call('PUT', '/v1/merchandising', { maxPerBrand: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^maxPerBrand: /);
    const rules = {
      pin: [{ itemId: 'g8', position: 1 }],
      bury: [{ brand: 'Bolt' }],
      maxPerCategory: 3,
    };
    expect((await call('PUT', '/v1/merchandising', rules)).status).toBe(200);
    const r = await call('GET', '/v1/users/u0/recommendations?k=5');
    expect(r.body.items[0]).toMatchObject({ itemId: 'g8', source: 'pinned', reason: 'featured by the shop' });
    expect(ids(r).filter((id) => side(id) === 'k').length).toBeLessThanOrEqual(3);
    expect((await call('GET', '/v1/merchandising')).body.pin).toEqual(rules.pin);
    expect((await call('PUT', '/v1/merchandising', {})).status).toBe(200);
  });

  it('answers bad requests with the field at fault', async () => {
    const bigK = await call('GET', '/v1/users/u0/recommendations?k=500');
    expect(bigK.status).toBe(400);
    expect(bigK.body.error.message).toBe('k: must be 1..100');
    const unknown = await call('GET', '/v1/items/nope/similar', undefined, keys.writeKey);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('item "nope" is unknown');
    const strategy = await call('GET', '/v1/users/u0/recommendations?strategy=zzz');
    expect(strategy.status).toBe(400);
    expect(strategy.body.error.message).toMatch(/^strategy "zzz" is not configured/);
    const empty = await call('POST', '/v1/sessions/recommendations', {}, keys.writeKey);
    expect(empty.body.error.message).toMatch(/^items: give items, or a userId/);
    const basket = await call('POST', '/v1/baskets/complete', { items: [] }, keys.writeKey);
    expect(basket.body.error.message).toMatch(/^items: /);
    // Personalized lists reveal what a shopper did: admin key only.
    expect((await call('GET', '/v1/users/u0/recommendations', undefined, keys.writeKey)).status).toBe(403);
  });

  it('records impressions and attributes clicks and orders per strategy and version', async () => {
    const shown = await call('GET', '/v1/users/u5/recommendations?k=3&strategy=popular');
    const first = shown.body.items[0].itemId as string;
    await call('POST', '/v1/track', {
      userId: 'u5',
      event: 'Product Clicked',
      properties: { product_id: first, recommendation_id: shown.body.recommendationId },
    });
    await call('POST', '/v1/track', {
      userId: 'u5',
      event: 'Order Completed',
      properties: { order_id: 'attr-1', products: [{ product_id: first, price: 20, quantity: 2 }] },
    });
    // Impressions are written without holding up the answer; give them a moment.
    await new Promise((r) => setTimeout(r, 300));
    const stats = await call('GET', '/v1/recommendations/stats?strategy=popular');
    expect(stats.status).toBe(200);
    expect(stats.body.attributionHours).toBe(24);
    expect(stats.body.rows).toEqual([
      expect.objectContaining({
        strategy: 'popular',
        model: 'popularity',
        impressions: 1,
        clicked: 1,
        converted: 1,
        orders: 1,
        revenue: 40,
        clickThroughRate: 1,
      }),
    ]);
    const all = await call('GET', '/v1/recommendations/stats');
    expect(all.body.rows.length).toBeGreaterThan(1);
    const bad = await call('GET', '/v1/recommendations/stats?from=yesterday');
    expect(bad.body.error.message).toBe('from: expected an ISO 8601 time');
  });

  it('routes personalized lists by a running experiment over strategies and judges them on attributed clicks', async () => {
    const created = await call('POST', '/v1/experiments', {
      key: 'recs-test',
      surface: 'recommendations',
      variants: [
        { key: 'control', strategy: 'default' },
        { key: 'bestsellers', strategy: 'popular' },
      ],
      goal: { type: 'recommendation-ctr' },
      secondary: [{ type: 'recommendation-conversion' }, { type: 'revenue' }],
    });
    expect(created.status).toBe(200);
    expect((await call('POST', '/v1/experiments/recs-test/start')).status).toBe(200);
    const seen = new Map<string, number>();
    for (let u = 10; u < 50; u++) {
      const list = await call('GET', `/v1/users/u${u}/recommendations?k=4`);
      const assigned = await call(
        'GET',
        `/v1/experiments/recs-test/assignment?userId=u${u}`,
        undefined,
        keys.writeKey,
      );
      expect(assigned.body.sticky).toBe(true); // the list request was the exposure
      expect(list.body.strategy).toBe(assigned.body.strategy);
      seen.set(list.body.strategy, (seen.get(list.body.strategy) ?? 0) + 1);
      // Shoppers shown bestsellers click every time, the others every other time.
      if (list.body.strategy === 'popular' || u % 2 === 0)
        await call('POST', '/v1/track', {
          userId: `u${u}`,
          event: 'Product Clicked',
          properties: {
            product_id: list.body.items[0].itemId,
            recommendation_id: list.body.recommendationId,
          },
        });
    }
    expect(seen.size).toBe(2);
    // Naming a strategy overrides the experiment.
    expect((await call('GET', '/v1/users/u10/recommendations?k=2&strategy=default')).body.strategy).toBe(
      'default',
    );
    await new Promise((r) => setTimeout(r, 300));
    const results = await call('GET', '/v1/experiments/recs-test/results');
    const ctr = results.body.metrics[0];
    expect(ctr).toMatchObject({ name: 'recommendation-ctr', unit: 'impressions' });
    expect(ctr.variants.map((v: Json) => v.units)).toEqual([seen.get('default'), seen.get('popular')]);
    expect(ctr.variants[1].value).toBe(1);
    expect(ctr.variants[0].value).toBeLessThan(1);
    expect(results.body.variants.map((v: Json) => v.units)).toEqual([
      seen.get('default'),
      seen.get('popular'),
    ]);
    expect((await call('POST', '/v1/experiments/recs-test/stop')).status).toBe(200);
  });

  it('forgets an erased shopper at once and after a restart, until a new version is trained', async () => {
    const personal = (r: { body: Json }) =>
      (r.body.items as Json[]).filter((i) => /^because you/.test(i.reason)).length;
    expect(personal(await call('GET', '/v1/users/u3/recommendations?k=5'))).toBeGreaterThan(0);
    expect((await call('DELETE', '/v1/users/u3')).status).toBe(200);
    const after = await call('GET', '/v1/users/u3/recommendations?k=5');
    expect(personal(after)).toBe(0);
    expect(after.body.items.every((i: Json) => !['ials', 'itemknn', 'content'].includes(i.source))).toBe(
      true,
    );

    await api.reopen({});
    expect(personal(await call('GET', '/v1/users/u3/recommendations?k=5'))).toBe(0);
    expect(personal(await call('GET', '/v1/users/u5/recommendations?k=5'))).toBeGreaterThan(0);
  });
});
