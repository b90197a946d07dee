import { expect, it } from 'vitest';
import { validateItem } from '../ingest/items.js';
import { validateMessage } from '../ingest/messages.js';
import type { Item, StoredEvent } from './records.js';
import type { Impression, Store } from './store.js';

/**
 * The behaviour every Store backend must show. Each backend's test file calls this with a factory
 * that opens a fresh, empty store (and can reopen the same one to test persistence).
 */
export interface StoreFactory {
  /** A new empty store. */
  fresh(): Promise<Store>;
  /** Closes `store` and opens the same database again. */
  reopen(store: Store): Promise<Store>;
}

const T0 = Date.UTC(2025, 0, 1);

/** A validated event, as ingestion would produce it. */
export function event(raw: Record<string, unknown>, at = 0): StoredEvent {
  const result = validateMessage(
    { type: 'track', timestamp: new Date(T0 + at * 60_000).toISOString(), ...raw },
    {
      receivedAt: T0 + 1e9,
    },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.event;
}

/** A validated item. */
export function item(raw: Record<string, unknown>, now = T0): Item {
  const result = validateItem(raw, now);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.item;
}

/** Registers the shared store tests. */
export function checkStore(factory: StoreFactory): void {
  it('stores events, counts them, and keeps every field', async () => {
    const store = await factory.fresh();
    const order = event({
      event: 'Order Completed',
      userId: 'u1',
      messageId: 'm-order',
      properties: {
        order_id: 'o1',
        revenue: 30,
        currency: 'eur',
        coupon: 'SPRING',
        products: [
          { product_id: 'a', price: 10, quantity: 1 },
          { product_id: 'b', price: 20, quantity: 1 },
        ],
      },
      context: { ip: '10.0.0.1' },
    });
    expect(
      await store.appendEvents([
        order,
        event({ event: 'Product Viewed', userId: 'u1', properties: { product_id: 'a' } }, 1),
      ]),
    ).toEqual({
      stored: 2,
      duplicates: 0,
    });
    const stats = await store.stats();
    expect(stats.events).toBe(2);
    expect(stats.eventsByType).toEqual({ 'Order Completed': 1, 'Product Viewed': 1 });
    expect(stats.users).toBe(1);
    const exported = await store.exportUser('u1');
    expect(exported?.events[0]).toEqual(order);
    await store.close();
  });

  it('stores a repeated messageId once: within a batch, across batches and after a restart', async () => {
    let store = await factory.fresh();
    const a = event({ event: 'X', userId: 'u', messageId: 'same' });
    expect(await store.appendEvents([a, a])).toEqual({ stored: 1, duplicates: 1 });
    expect(await store.appendEvents([a])).toEqual({ stored: 0, duplicates: 1 });
    store = await factory.reopen(store);
    expect(await store.appendEvents([a, event({ event: 'X', userId: 'u', messageId: 'other' })])).toEqual({
      stored: 1,
      duplicates: 1,
    });
    expect((await store.stats()).events).toBe(2);
    await store.close();
  });

  it('group-commits concurrent appends and loses none', async () => {
    const store = await factory.fresh();
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        store.appendEvents([
          event({ event: 'Product Viewed', userId: `u${i % 7}`, properties: { product_id: `p${i}` } }),
        ]),
      ),
    );
    expect(results.every((r) => r.stored === 1)).toBe(true);
    expect((await store.stats()).events).toBe(300);
    await store.close();
  });

  it('joins anonymous activity to the user after identify, and follows aliases', async () => {
    const store = await factory.fresh();
    await store.appendEvents([
      event({ event: 'Product Viewed', anonymousId: 'anon-1', properties: { product_id: 'a' } }, 0),
      event({ event: 'Product Added', anonymousId: 'anon-1', properties: { product_id: 'a' } }, 1),
    ]);
    expect(await store.getUser('u1')).toBeNull();
    expect((await store.stats()).anonymousShoppers).toBe(1);
    await store.appendEvents([
      event(
        { type: 'identify', userId: 'u1', anonymousId: 'anon-1', traits: { email: 'a@x.io', plan: 'free' } },
        2,
      ),
    ]);
    let profile = await store.getUser('u1');
    expect(profile?.activity.events).toBe(3);
    expect(profile?.activity.byEvent).toEqual({ 'Product Viewed': 1, 'Product Added': 1, identify: 1 });
    expect(profile?.identities).toEqual([{ kind: 'anonymous', id: 'anon-1' }]);
    expect(profile?.traits).toEqual({ email: 'a@x.io', plan: 'free' });
    expect((await store.stats()).anonymousShoppers).toBe(0);

    // An older identify arriving late only fills traits that are missing.
    await store.appendEvents([
      event({ type: 'identify', userId: 'u1', traits: { plan: 'old', country: 'FR' } }, 1),
    ]);
    expect((await store.getUser('u1'))?.traits).toEqual({ email: 'a@x.io', plan: 'free', country: 'FR' });

    // alias: u1 becomes u2; u2's profile now holds u1's history and traits.
    await store.appendEvents([
      event({ event: 'Order Completed', userId: 'u2', properties: { order_id: 'o', revenue: 5 } }, 3),
      event({ type: 'alias', previousId: 'u1', userId: 'u2' }, 4),
    ]);
    profile = await store.getUser('u2');
    expect(profile?.activity.events).toBe(6);
    expect(profile?.activity.orders).toBe(1);
    expect(profile?.activity.revenue).toBe(5);
    expect(profile?.traits.email).toBe('a@x.io');
    expect((await store.getUser('u1'))?.userId).toBe('u2');
    // A later event from the old anonymous id lands in the same history.
    await store.appendEvents([
      event({ event: 'Product Viewed', anonymousId: 'anon-1', properties: { product_id: 'b' } }, 5),
    ]);
    expect((await store.getUser('u2'))?.activity.events).toBe(7);
    expect((await store.stats()).users).toBe(1);
    expect(await store.identityLinks()).toEqual([
      { kind: 'anonymous', id: 'anon-1', userId: 'u2' },
      { kind: 'anonymous', id: 'u1', userId: 'u2' },
      { kind: 'user', id: 'u1', userId: 'u2' },
    ]);
    await store.close();
  });

  it('keeps a shared device with its first user, follows alias chains, and resolves the same after a restart', async () => {
    let store = await factory.fresh();
    await store.appendEvents([
      event({ event: 'Product Viewed', anonymousId: 'tablet', properties: { product_id: 'a' } }, 0),
      event({ event: 'Signed In', userId: 'mum', anonymousId: 'tablet' }, 1),
      event({ event: 'Signed In', userId: 'kid', anonymousId: 'tablet' }, 2),
    ]);
    expect((await store.getUser('mum'))?.activity.events).toBe(2);
    expect((await store.getUser('kid'))?.identities).toEqual([]);

    // Chains: a -> b, then b -> c; a's history ends up with c.
    await store.appendEvents([
      event(
        { event: 'Product Viewed', userId: 'a', anonymousId: 'phone-a', properties: { product_id: 'x' } },
        3,
      ),
      event({ type: 'alias', previousId: 'a', userId: 'b' }, 4),
      event({ type: 'alias', previousId: 'b', userId: 'c' }, 5),
    ]);
    store = await factory.reopen(store);
    // After the restart the link cache is cold: a repeated assertion must not change who owns what.
    await store.appendEvents([
      event({ event: 'Signed In', userId: 'kid', anonymousId: 'tablet' }, 6),
      event(
        { event: 'Product Viewed', userId: 'a', anonymousId: 'phone-a', properties: { product_id: 'y' } },
        7,
      ),
    ]);
    expect((await store.getUser('mum'))?.activity.events).toBe(2);
    const c = await store.getUser('a');
    expect(c?.userId).toBe('c');
    expect(c?.identities).toEqual([
      { kind: 'anonymous', id: 'phone-a' },
      { kind: 'user', id: 'a' },
      { kind: 'user', id: 'b' },
    ]);
    expect(c?.activity.events).toBe(4);
    const stats = await store.stats();
    expect(stats.users).toBe(3); // mum, kid, c
    expect(stats.anonymousShoppers).toBe(0);
    expect(await store.eraseUser('b')).toMatchObject({ found: true, events: 4 });
    expect(await store.getUser('a')).toBeNull();
    expect((await store.getUser('mum'))?.activity.events).toBe(2);
    await store.close();
  });

  it('attributes clicks and order lines to the impressions that showed them', async () => {
    let store = await factory.fresh();
    const shown = (
      id: string,
      user: string,
      strategy: string,
      model: string,
      items: string[],
    ): Impression => ({
      id,
      timestamp: T0,
      userId: user,
      anonymousId: null,
      surface: 'user',
      strategy,
      model,
      version: 'v1',
      experiment: null,
      variant: null,
      items,
    });
    const order = (id: string, user: string, at: number, lines: [string, number, number][], rid?: string) =>
      event(
        {
          event: 'Order Completed',
          userId: user,
          messageId: id,
          properties: {
            order_id: id,
            ...(rid ? { recommendation_id: rid } : {}),
            products: lines.map(([product_id, price, quantity]) => ({ product_id, price, quantity })),
          },
        },
        at,
      );
    await store.recordImpressions([
      shown('r1', 'u1', 'A', 'ease', ['a', 'b']),
      shown('r2', 'u2', 'B', 'popularity', ['c']),
      shown('r3', 'u3', 'A', 'ease', ['a']),
    ]);
    await store.appendEvents([
      // Named click, unnamed view within the window, a view of an item not shown.
      event(
        { event: 'Product Clicked', userId: 'u1', properties: { product_id: 'b', recommendation_id: 'r1' } },
        5,
      ),
      event({ event: 'Product Viewed', userId: 'u2', properties: { product_id: 'c' } }, 10),
      event({ event: 'Product Viewed', userId: 'u3', properties: { product_id: 'z' } }, 10),
      // u1 buys a shown item within the window (and one not shown); u2 buys after the window;
      // u3's order names its impression after the window; u4 never saw a list.
      order('o1', 'u1', 30, [
        ['a', 10, 2],
        ['x', 5, 1],
      ]),
      order('o2', 'u2', 60 * 25, [['c', 9, 1]]),
      order('o3', 'u3', 60 * 48, [['a', 7, 1]], 'r3'),
      order('o4', 'u4', 30, [['a', 10, 1]]),
    ]);
    const day = 86_400_000;
    expect(await store.recommendationStats({ attributionMs: day })).toEqual([
      {
        strategy: 'A',
        model: 'ease',
        version: 'v1',
        impressions: 2,
        clicked: 1,
        converted: 2,
        orders: 2,
        revenue: 27,
      },
      {
        strategy: 'B',
        model: 'popularity',
        version: 'v1',
        impressions: 1,
        clicked: 1,
        converted: 0,
        orders: 0,
        revenue: 0,
      },
    ]);
    // A wider window reaches u2's late order.
    const wide = await store.recommendationStats({ attributionMs: 2 * day, strategy: 'B' });
    expect(wide).toEqual([
      {
        strategy: 'B',
        model: 'popularity',
        version: 'v1',
        impressions: 1,
        clicked: 1,
        converted: 1,
        orders: 1,
        revenue: 9,
      },
    ]);
    expect(await store.recommendationStats({ attributionMs: day, from: Date.UTC(2030, 0, 1) })).toEqual([]);
    // Impressions persist, and erasing a shopper takes theirs along.
    store = await factory.reopen(store);
    expect((await store.recommendationStats({ attributionMs: day }))[0]!.impressions).toBe(2);
    await store.eraseUser('u1');
    expect((await store.recommendationStats({ attributionMs: day }))[0]).toMatchObject({
      strategy: 'A',
      impressions: 1,
      clicked: 0,
    });
    await store.close();
  });

  it('reads the units of an experiment with their first variant and outcomes in the window', async () => {
    const store = await factory.fresh();
    await store.upsertItems([item({ id: 'a', price: 10, cost: 4 }), item({ id: 'b', price: 20 })]);
    const viewed = (user: string, variant: number, at: number, extra: Record<string, unknown> = {}) =>
      event(
        {
          event: 'Experiment Viewed',
          userId: user,
          properties: { experiment_id: 'exp1', variation_id: `v${variant}`, variant },
          ...extra,
        },
        at,
      );
    const order = (user: string, id: string, at: number, lines: [string, number, number][], refund = false) =>
      event(
        {
          event: refund ? 'Order Refunded' : 'Order Completed',
          userId: user,
          properties: {
            order_id: id,
            products: lines.map(([product_id, price, quantity]) => ({ product_id, price, quantity })),
          },
        },
        at,
      );
    await store.appendEvents([
      order('u1', 'pre', 0, [['b', 20, 1]]), // before exposure: the CUPED covariate
      viewed('u1', 1, 60, { context: { campaign: { source: 'newsletter' }, userAgent: 'Safari' } }),
      viewed('u1', 0, 70), // a later exposure does not change the variant
      order('u1', 'o1', 90, [
        ['a', 10, 2],
        ['b', 20, 1],
      ]),
      order('u1', 'r1', 100, [['b', 20, 1]], true),
      event({ event: 'Product Added', userId: 'u1', properties: { product_id: 'a' } }, 80),
      order('u1', 'late', 60 * 24 * 3, [['a', 10, 1]]), // after the 2-day window
      viewed('u2', 0, 10),
      event({ event: 'Product Added', userId: 'u2', properties: { product_id: 'b' } }, 5), // before exposure
      viewed('u3', 1, 20, { properties: { experiment_id: 'other', variant: 1 } }),
    ]);
    const units = await store.experimentUnits({
      experiment: 'exp1',
      windowMs: 2 * 86_400_000,
      events: ['Product Added', 'Order Completed'],
    });
    expect(units).toEqual([
      {
        unit: 'u1',
        variant: 1,
        exposedAt: Date.UTC(2025, 0, 1, 1),
        source: 'newsletter',
        userAgent: 'Safari',
        orders: 1,
        revenue: 20, // 40 ordered, 20 refunded
        margin: 12, // (10 - 4) x 2; b has no cost
        preRevenue: 20,
        counts: [1, 1],
        lastActive: Date.UTC(2025, 0, 4),
      },
      {
        unit: 'u2',
        variant: 0,
        exposedAt: Date.UTC(2025, 0, 1, 0, 10),
        source: null,
        userAgent: null,
        orders: 0,
        revenue: 0,
        margin: 0,
        preRevenue: 0,
        counts: [0, 0],
        lastActive: Date.UTC(2025, 0, 1, 0, 10),
      },
    ]);
    expect(
      await store.experimentUnits({
        experiment: 'exp1',
        windowMs: 86_400_000,
        until: Date.UTC(2025, 0, 1, 1, 35),
        events: [],
      }),
    ).toMatchObject([{ unit: 'u1', orders: 1, revenue: 40 }, { unit: 'u2' }]);
    const named = await store.eventsNamed('Product Added');
    expect(named.map((e) => [e.userId, e.itemId])).toEqual([
      ['u1', 'a'],
      ['u2', 'b'],
    ]);
    expect(await store.eventsNamed('Nothing Like This')).toEqual([]);
    expect(await store.firstExposures()).toEqual([
      { experiment: 'exp1', unit: 'u1', variant: 1 },
      { experiment: 'exp1', unit: 'u2', variant: 0 },
      { experiment: 'other', unit: 'u3', variant: 1 },
    ]);
    await store.close();
  });

  it('keeps a long scan whole while other reads and writes run, and frees it when the caller stops early', async () => {
    const store = await factory.fresh();
    const many = Array.from({ length: 5000 }, (_, i) =>
      event({ event: 'Product Viewed', userId: `u${i % 50}`, properties: { product_id: `p${i % 70}` } }, i),
    );
    await store.appendEvents(many);
    let rows = 0;
    let batches = 0;
    for await (const b of store.scanInteractions()) {
      rows += b.user.length;
      // Requests served meanwhile must not end the stream early.
      if (batches++ % 2 === 0) {
        await store.stats();
        await store.getUser('u1');
        await store.appendEvents([event({ event: 'Signed In', userId: `late${batches}` }, 9000 + batches)]);
      }
    }
    expect(rows).toBe(5000);
    for await (const b of store.scanInteractions()) {
      expect(b.user.length).toBeGreaterThan(0);
      break;
    }
    // An abandoned scan must not hold the database: erasure checkpoints, and so does close.
    await store.appendEvents([
      event({ event: 'Product Viewed', userId: 'gone', properties: { product_id: 'x' } }, 1),
    ]);
    expect(await store.eraseUser('gone')).toMatchObject({ found: true, events: 1 });
    await store.close();
  });

  it('erases a user everywhere and exports everything before that', async () => {
    const store = await factory.fresh();
    await store.appendEvents([
      event({ event: 'Product Viewed', anonymousId: 'anon-9', properties: { product_id: 'a' } }, 0),
      event({ type: 'identify', userId: 'gone', anonymousId: 'anon-9', traits: { email: 'g@x.io' } }, 1),
      event({ event: 'Order Completed', userId: 'gone', properties: { order_id: 'o9', revenue: 12 } }, 2),
      event({ event: 'Product Viewed', userId: 'stays', properties: { product_id: 'a' } }, 3),
    ]);
    const exported = await store.exportUser('gone');
    expect(exported?.events.map((e) => e.event ?? e.type)).toEqual([
      'Product Viewed',
      'identify',
      'Order Completed',
    ]);
    expect(exported?.profile.traits).toEqual({ email: 'g@x.io' });

    expect(await store.eraseUser('gone')).toEqual({ found: true, events: 3, identities: 1 });
    expect(await store.getUser('gone')).toBeNull();
    expect(await store.exportUser('gone')).toBeNull();
    expect((await store.stats()).events).toBe(1);
    expect((await store.getUser('stays'))?.activity.events).toBe(1);
    expect(await store.eraseUser('nobody')).toEqual({ found: false, events: 0, identities: 0 });
    await store.close();
  });

  it('upserts, reads, lists, filters, pages and deletes catalog items', async () => {
    let store = await factory.fresh();
    await store.upsertItems([
      item({
        id: 'shoe-1',
        title: 'Trail runner',
        category: ['Shoes', 'Running'],
        price: 90,
        brand: 'Fleet',
      }),
      item({ id: 'shoe-2', title: 'Road racer', category: 'Shoes > Running', price: 120 }),
      item({ id: 'shoe-3', title: 'Chelsea boot', category: 'Shoes > Boots', price: 150, tags: ['leather'] }),
      item({ id: 'hat-1', title: '50% wool hat', category: 'Hats', attributes: { color: 'red' } }),
    ]);
    expect(await store.getItem('hat-1')).toMatchObject({
      title: '50% wool hat',
      attributes: { color: 'red' },
      available: true,
    });
    expect(await store.getItem('nope')).toBeNull();

    const page1 = await store.listItems({ category: 'shoes', limit: 2 });
    expect(page1.items.map((i) => i.id)).toEqual(['shoe-1', 'shoe-2']);
    const page2 = await store.listItems({ category: 'shoes', limit: 2, cursor: page1.nextCursor! });
    expect(page2.items.map((i) => i.id)).toEqual(['shoe-3']);
    expect(page2.nextCursor).toBeNull();
    expect((await store.listItems({ category: 'Shoes > Running', limit: 10 })).items).toHaveLength(2);
    expect((await store.listItems({ category: 'Sho', limit: 10 })).items).toHaveLength(0);
    expect((await store.listItems({ q: 'RACER', limit: 10 })).items.map((i) => i.id)).toEqual(['shoe-2']);
    expect((await store.listItems({ q: '50%', limit: 10 })).items.map((i) => i.id)).toEqual(['hat-1']);
    expect((await store.listItems({ q: 'fleet', limit: 10 })).items.map((i) => i.id)).toEqual(['shoe-1']);

    // An update replaces the fields but keeps the creation time.
    await store.upsertItems([
      item({ id: 'shoe-1', title: 'Trail runner 2', price: 95 }, Date.UTC(2025, 5, 1)),
    ]);
    store = await factory.reopen(store);
    const updated = await store.getItem('shoe-1');
    expect(updated).toMatchObject({
      title: 'Trail runner 2',
      price: 95,
      category: null,
      createdAt: T0,
      updatedAt: Date.UTC(2025, 5, 1),
    });
    expect(await store.deleteItem('shoe-1')).toBe(true);
    expect(await store.deleteItem('shoe-1')).toBe(false);
    expect((await store.stats()).items).toBe(3);
    await store.close();
  });

  it('merges imported user traits', async () => {
    const store = await factory.fresh();
    await store.upsertUsers([{ userId: 'c1', traits: { tier: 'gold' }, createdAt: T0, updatedAt: T0 }]);
    await store.upsertUsers([
      { userId: 'c1', traits: { city: 'Lyon' }, createdAt: T0 + 5, updatedAt: T0 + 5 },
    ]);
    expect(await store.getUser('c1')).toMatchObject({
      traits: { tier: 'gold', city: 'Lyon' },
      createdAt: T0,
      activity: { events: 0 },
    });
    await store.close();
  });
}
