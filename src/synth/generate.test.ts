import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateItem, validateUser } from '../ingest/items.js';
import { validateMessage } from '../ingest/messages.js';
import { DAY_MS } from './calendar.js';
import { type GenerateOptions, generateStore } from './generate.js';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON lines, checked by the assertions
type Json = Record<string, any>;

const root = mkdtempSync(join(tmpdir(), 'cartwise-synth-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function lines(dir: string, file: string): Json[] {
  return readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

function sha(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) {
    out[f] = createHash('sha256')
      .update(readFileSync(join(dir, f)))
      .digest('hex');
  }
  return out;
}

interface Store {
  dir: string;
  manifest: Json;
  truth: Json;
  items: Json[];
  users: Json[];
  events: Json[];
  shoppers: Json[];
}

function load(dir: string): Store {
  return {
    dir,
    manifest: JSON.parse(readFileSync(join(dir, 'cartwise-store.json'), 'utf8')),
    truth: JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')),
    items: lines(dir, 'items.jsonl'),
    users: lines(dir, 'users.jsonl'),
    events: lines(dir, 'events.jsonl'),
    shoppers: lines(dir, 'truth-users.jsonl'),
  };
}

/** Shopper index of every userId and anonymousId, from the truth. */
function owners(store: Store): Map<string, Json> {
  const map = new Map<string, Json>();
  for (const s of store.shoppers) {
    if (s.userId) map.set(s.userId, s);
    for (const a of s.anonymousIds) map.set(a, s);
  }
  return map;
}

const ownerOf = (ids: Map<string, Json>, e: Json): Json => ids.get(e.userId ?? e.anonymousId)!;
const orders = (store: Store) => store.events.filter((e) => e.event === 'Order Completed');

describe('generateStore: files', () => {
  const small: GenerateOptions = { users: 300, items: 100, days: 60, seed: 11, out: '' };
  let store: Store;

  beforeAll(async () => {
    await generateStore({ ...small, out: join(root, 'a') });
    store = load(join(root, 'a'));
  });

  it('writes the same bytes for the same seed and different bytes for another seed', async () => {
    const progress: number[] = [];
    await generateStore({ ...small, out: join(root, 'b') }, (p) => progress.push(p.usersDone));
    await generateStore({ ...small, seed: 12, out: join(root, 'c') });
    const a = sha(join(root, 'a'));
    expect(Object.keys(a)).toEqual([
      'cartwise-store.json',
      'events.jsonl',
      'items.jsonl',
      'truth-users.jsonl',
      'truth.json',
      'users.jsonl',
    ]);
    expect(sha(join(root, 'b'))).toEqual(a);
    const c = sha(join(root, 'c'));
    for (const f of Object.keys(a)) expect(c[f], f).not.toBe(a[f]);
    expect(progress.at(-1)).toBe(300);
  });

  it('writes only lines the importer accepts', () => {
    const receivedAt = Date.parse(store.manifest.end) + DAY_MS;
    for (const e of store.events) {
      const r = validateMessage(e, { receivedAt });
      if (!r.ok) expect.fail(`${JSON.stringify(r.errors)} in ${JSON.stringify(e)}`);
      expect(r.event.timestamp).toBeLessThan(Date.parse(store.manifest.end));
      expect(r.event.timestamp).toBeGreaterThanOrEqual(Date.parse(store.manifest.start));
    }
    for (const i of store.items) expect(validateItem(i, receivedAt).ok, JSON.stringify(i)).toBe(true);
    for (const u of store.users) expect(validateUser(u, receivedAt).ok, JSON.stringify(u)).toBe(true);
    const ids = store.events.map((e) => e.messageId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('counts in the manifest what is in the files', () => {
    const { manifest, events } = store;
    expect(manifest).toMatchObject({
      format: 'cartwise-store',
      version: 1,
      seed: 11,
      users: 300,
      items: 100,
      days: 60,
      start: '2025-01-01T00:00:00.000Z',
      end: '2025-03-02T00:00:00.000Z',
      files: { items: 'items.jsonl', users: 'users.jsonl', events: 'events.jsonl' },
    });
    expect(manifest.counts.items).toBe(store.items.length);
    expect(manifest.counts.users).toBe(store.users.length);
    expect(manifest.counts.events).toBe(events.length);
    const byName: Record<string, number> = {};
    for (const e of events) {
      const key = e.type === 'track' ? e.event : e.type;
      byName[key] = (byName[key] ?? 0) + 1;
    }
    expect(manifest.counts.eventsByName).toEqual(byName);
    for (const name of [
      'Product Viewed',
      'Product Added',
      'Checkout Started',
      'Order Completed',
      'page',
      'identify',
    ]) {
      expect(byName[name], name).toBeGreaterThan(0);
    }
    expect(store.shoppers).toHaveLength(300);
    expect(store.truth.items).toHaveLength(100);
  });

  it('keeps hidden truth out of traits and joins anonymous history at sign-up', () => {
    for (const u of store.users) {
      expect(Object.keys(u.traits).sort()).toEqual(
        [
          'city',
          'country',
          'device',
          'email',
          'firstName',
          'lastName',
          'name',
          'newsletter',
          'signupChannel',
        ].sort(),
      );
    }
    const identifies = store.events.filter((e) => e.type === 'identify');
    expect(identifies.length).toBe(store.users.length);
    for (const e of identifies) expect(e.anonymousId).toBeTruthy();
    // Before sign-up a shopper's events carry only the anonymousId, after it both ids.
    const signup = new Map(identifies.map((e) => [e.userId, Date.parse(e.timestamp)]));
    const ids = owners(store);
    for (const e of store.events) {
      const s = ownerOf(ids, e);
      if (!s.userId) expect(e.userId).toBeUndefined();
      else if (Date.parse(e.timestamp) < signup.get(s.userId)!) expect(e.userId).toBeUndefined();
      else expect(e.userId).toBe(s.userId);
    }
    expect(store.shoppers.some((s) => s.userId === null)).toBe(true);
    expect(store.items.some((i) => Date.parse(i.createdAt) > Date.parse(store.manifest.start))).toBe(true);
    expect(store.items.some((i) => i.available === false)).toBe(true);
  });

  it('prices every product event as the truth says: price history less running promotions', () => {
    const { truth } = store;
    const byId = new Map(truth.items.map((i: Json) => [i.id, i]));
    const start = Date.parse(truth.start);
    let checked = 0;
    for (const e of store.events) {
      if (e.event !== 'Product Viewed') continue;
      const item = byId.get(e.properties.product_id) as Json;
      // A session's prices are those of the day it started; check events well inside a day.
      const t = Date.parse(e.timestamp);
      const day = Math.floor((t - start) / DAY_MS);
      if (t - (start + day * DAY_MS) < 3_600_000) continue;
      let list = item.basePrice;
      for (const h of item.priceHistory) if (Date.parse(h.date) <= start + day * DAY_MS) list = h.price;
      const top = item.category.split(' > ')[0];
      let cut = 0;
      for (const p of truth.promotions) {
        const inside =
          Date.parse(p.start) <= start + day * DAY_MS && start + day * DAY_MS < Date.parse(p.end);
        if (inside && p.categories.includes(top)) cut = Math.max(cut, p.discount);
      }
      const expected = cut > 0 ? Math.round(list * (1 - cut) * 100) / 100 : list;
      expect(e.properties.price).toBe(expected);
      checked++;
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('refuses bad options with a message naming the option', async () => {
    const out = join(root, 'never');
    const bad: [Partial<GenerateOptions>, RegExp][] = [
      [{ users: 0 }, /^users: must be a positive integer/],
      [{ users: 1.5 }, /^users: must be a positive integer/],
      [{ users: 10_000_000 }, /^users: must be between 1 and 5,000,000/],
      [{ items: -3 }, /^items: must be a positive integer/],
      [{ items: Number.NaN }, /^items: must be a positive integer/],
      [{ days: 6 }, /^days: must be between 7 and 3,660/],
      [{ seed: -1 }, /^seed: must be an integer/],
      [{ seed: 2 ** 32 }, /^seed: must be an integer/],
      [{ start: '2025-02-30' }, /^start: expected a date/],
      [{ start: 'yesterday' }, /^start: expected a date/],
      [{ out: '' }, /^out: /],
    ];
    for (const [patch, message] of bad) {
      await expect(generateStore({ ...small, out, ...patch })).rejects.toThrow(message);
    }
    const full = join(root, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'notes.txt'), 'mine');
    await expect(generateStore({ ...small, out: full })).rejects.toThrow(/^out: .* is not empty/);
    expect(readdirSync(full)).toEqual(['notes.txt']);
  });

  it('stops when aborted and leaves no partial store', async () => {
    const controller = new AbortController();
    const out = join(root, 'aborted');
    const run = generateStore(
      { ...small, users: 5000, out },
      (p) => {
        if (p.usersDone === 1000) controller.abort();
      },
      controller.signal,
    );
    await expect(run).rejects.toThrow();
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('generateStore: the planted truth is in the data', () => {
  let store: Store;
  let ids: Map<string, Json>;

  beforeAll(async () => {
    const dir = join(root, 'truth');
    await generateStore({ users: 4000, items: 1000, days: 150, seed: 5, out: dir, start: '2025-03-01' });
    store = load(dir);
    ids = owners(store);
  });

  it('has planted co-purchase pairs with lift far above 1', () => {
    const baskets = orders(store).map(
      (o) => new Set<string>(o.properties.products.map((p: Json) => p.product_id)),
    );
    const n = baskets.length;
    expect(n).toBeGreaterThan(1000);
    const count = (id: string) => baskets.filter((b) => b.has(id)).length;
    const lifts: number[] = [];
    for (const { a, b } of store.truth.copurchase) {
      const both = baskets.filter((x) => x.has(a) && x.has(b)).length;
      const ca = count(a);
      const cb = count(b);
      if (ca >= 5 && cb >= 5) lifts.push((both * n) / (ca * cb));
    }
    expect(lifts.length).toBeGreaterThanOrEqual(3);
    lifts.sort((x, y) => x - y);
    expect(lifts[Math.floor(lifts.length / 2)]).toBeGreaterThan(5);
  });

  it('places more orders and sessions on weekends, as the weekly profile says', () => {
    const weekly: number[] = store.truth.seasonality.weekly;
    const byDay = (events: Json[]) => {
      const counts = [0, 0, 0, 0, 0, 0, 0];
      for (const e of events) counts[new Date(e.timestamp).getUTCDay()]!++;
      return counts;
    };
    const ratio = (c: number[]) => (c[0]! + c[6]!) / 2 / ((c[1]! + c[2]! + c[3]! + c[4]!) / 4);
    const truth = ratio(weekly);
    expect(truth).toBeGreaterThan(1.2);
    expect(ratio(byDay(orders(store)))).toBeGreaterThan(1.1);
    const sessions = byDay(store.events.filter((e) => e.type === 'page'));
    expect(Math.abs(ratio(sessions) - truth)).toBeLessThan(0.08);
  });

  it('has price-sensitive segments buy cheaper items', () => {
    // Log base price of each ordered item relative to the mean log base price of its leaf category.
    const leafMean = new Map<string, [number, number]>();
    const item = new Map<string, Json>(store.truth.items.map((i: Json) => [i.id, i]));
    for (const i of store.truth.items) {
      const cell = leafMean.get(i.category) ?? [0, 0];
      cell[0] += Math.log(i.basePrice);
      cell[1]++;
      leafMean.set(i.category, cell);
    }
    const sum: Record<string, [number, number]> = {};
    const pairs: [number, number][] = [];
    for (const o of orders(store)) {
      const segment = ownerOf(ids, o).segment as string;
      for (const p of o.properties.products) {
        const i = item.get(p.product_id)!;
        const [total, n] = leafMean.get(i.category)!;
        sum[segment] ??= [0, 0];
        const cell = sum[segment];
        cell[0] += Math.log(i.basePrice) - total / n;
        cell[1]++;
        pairs.push([ownerOf(ids, o).priceSensitivity, Math.log(i.basePrice) - total / n]);
      }
    }
    const bySensitivity = [...store.truth.segments]
      .sort((a: Json, b: Json) => a.priceSensitivity.mean - b.priceSensitivity.mean)
      .map((s: Json) => s.name as string);
    expect(bySensitivity).toEqual(['premium', 'loyal', 'casual', 'bargain_hunter']);
    const mean = (s: string) => sum[s]![0] / sum[s]![1];
    for (const s of ['premium', 'loyal', 'casual']) expect(mean('bargain_hunter'), s).toBeLessThan(mean(s));
    expect(mean('premium')).toBeGreaterThan(mean('loyal'));
    expect(mean('premium') - mean('bargain_hunter')).toBeGreaterThan(0.25);
    // And shopper by shopper: the higher the true sensitivity, the cheaper the items bought.
    expect(correlation(pairs)).toBeLessThan(-0.15);
  });

  it('makes coupon recipients convert more where the true effect is positive, and records both potential outcomes', () => {
    const orderTimes = new Map<number, number[]>();
    for (const o of orders(store)) {
      const s = ownerOf(ids, o);
      const list = orderTimes.get(s.index) ?? [];
      list.push(Date.parse(o.timestamp));
      orderTimes.set(s.index, list);
    }
    const coupons = new Map(store.truth.coupons.map((c: Json) => [c.id, c]));
    const cells: Record<string, { t: number; tn: number; c: number; cn: number; effect: number }> = {};
    for (const s of store.shoppers) {
      for (const a of s.coupons) {
        const c = coupons.get(a.id) as Json;
        const converted = (orderTimes.get(s.index) ?? []).some(
          (t) => t >= Date.parse(c.start) && t < Date.parse(c.end),
        );
        // The data shows y1 for the treated and y0 for the control group.
        expect(converted ? 1 : 0).toBe(a.arm === 'treatment' ? a.y1 : a.y0);
        cells[s.segment] ??= { t: 0, tn: 0, c: 0, cn: 0, effect: 0 };
        const cell = cells[s.segment];
        cell.effect += a.y1 - a.y0;
        if (a.arm === 'treatment') {
          cell.t += Number(converted);
          cell.tn++;
        } else {
          cell.c += Number(converted);
          cell.cn++;
        }
      }
    }
    for (const segment of ['bargain_hunter', 'casual']) {
      const x = cells[segment]!;
      expect(x.effect).toBeGreaterThan(0);
      expect(x.t / x.tn - x.c / x.cn, segment).toBeGreaterThan(0.03);
    }
    expect(cells.premium!.effect).toBeLessThan(0);
    // Treated shoppers' orders in the window carry the code.
    const withCoupon = orders(store).filter((o) => o.properties.coupon);
    expect(withCoupon.length).toBeGreaterThan(20);
    for (const o of withCoupon) expect(o.properties.discount).toBeGreaterThan(0);
  });

  it('shows no activity after churn, and churn follows the segment hazards', () => {
    const last = new Map<number, number>();
    for (const e of store.events) {
      const s = ownerOf(ids, e);
      last.set(s.index, Math.max(last.get(s.index) ?? 0, Date.parse(e.timestamp)));
    }
    for (const s of store.shoppers) {
      expect(last.has(s.index)).toBe(true);
      if (s.churnAt) expect(last.get(s.index)!).toBeLessThanOrEqual(Date.parse(s.churnAt));
    }
    // Observed weekly hazard per segment (churn events / weeks at risk) is near the truth.
    const end = Date.parse(store.truth.end);
    for (const seg of store.truth.segments) {
      let churned = 0;
      let weeks = 0;
      for (const s of store.shoppers) {
        if (s.segment !== seg.name) continue;
        const stop = s.churnAt ? Date.parse(s.churnAt) : end;
        weeks += (stop - Date.parse(s.acquiredAt)) / (7 * DAY_MS);
        if (s.churnAt) churned++;
      }
      // Exponential lifetimes: churn count given the exposure is Poisson(rate · weeks at risk).
      const expected = -Math.log(1 - seg.weeklyChurnHazard) * weeks;
      expect(expected, seg.name).toBeGreaterThan(30);
      expect(Math.abs(churned - expected), seg.name).toBeLessThan(4 * Math.sqrt(expected));
    }
  });

  it('starts each shopper with a session at acquisition and follows the upward acquisition trend', () => {
    const first = new Map<number, number>();
    for (const e of store.events) {
      const s = ownerOf(ids, e);
      if (!first.has(s.index)) first.set(s.index, Date.parse(e.timestamp));
    }
    for (const s of store.shoppers) expect(first.get(s.index)).toBe(Date.parse(s.acquiredAt));
    const start = Date.parse(store.truth.start);
    const half = start + 75 * DAY_MS;
    const early = store.shoppers.filter((s) => Date.parse(s.acquiredAt) < half).length;
    expect(store.shoppers.length - early).toBeGreaterThan(early);
  });

  it('converts views to carts as the true price elasticities say', () => {
    const item = new Map<string, Json>(store.truth.items.map((i: Json) => [i.id, i]));
    const add = new Map<string, number>(store.truth.segments.map((s: Json) => [s.name, s.addToCart]));
    const elasticity: Record<string, number> = store.truth.elasticity;
    let added = 0;
    let expected = 0;
    const rates = { sale: [0, 0], full: [0, 0] };
    let inCart = new Set<string>();
    let couponSession = false;
    const events = store.events;
    for (let k = 0; k < events.length; k++) {
      const e = events[k]!;
      if (e.type === 'page') {
        inCart = new Set();
        couponSession = e.context.campaign !== undefined;
      }
      if (e.event === 'Product Added') inCart.add(e.properties.product_id);
      if (e.event !== 'Product Viewed' || couponSession) continue;
      const i = item.get(e.properties.product_id)!;
      if (
        inCart.has(i.id) ||
        (i.outOfStockAt && Date.parse(e.timestamp) >= Date.parse(i.outOfStockAt) - 120_000)
      ) {
        continue;
      }
      const next = events[k + 1];
      const hit = next?.event === 'Product Added' && next.properties.product_id === i.id ? 1 : 0;
      const ratio = e.properties.price / i.basePrice;
      added += hit;
      expected += Math.min(0.95, add.get(ownerOf(ids, e).segment)! * ratio ** elasticity[i.category]!);
      if (elasticity[i.category]! < -1.5) {
        const bin = ratio <= 0.85 ? rates.sale : Math.abs(ratio - 1) < 0.005 ? rates.full : null;
        if (bin) {
          bin[0] += hit;
          bin[1]++;
        }
      }
    }
    expect(Math.abs(added / expected - 1)).toBeLessThan(0.05);
    const lift = rates.sale[0]! / rates.sale[1]! / (rates.full[0]! / rates.full[1]!);
    expect(rates.sale[1]).toBeGreaterThan(1000);
    expect(lift).toBeGreaterThan(1.2);
  });

  it('gives higher ratings to items closer to the shopper taste', () => {
    const vectors = new Map<string, number[]>(
      store.truth.items.map((i: Json) => [i.id, i.vector as number[]]),
    );
    const pairs: [number, number][] = [];
    for (const e of store.events) {
      if (e.event !== 'Product Reviewed') continue;
      const taste = ownerOf(ids, e).taste as number[];
      const v = vectors.get(e.properties.product_id)!;
      pairs.push([taste.reduce((s, x, k) => s + x * v[k]!, 0), e.properties.rating]);
    }
    expect(pairs.length).toBeGreaterThan(200);
    expect(correlation(pairs)).toBeGreaterThan(0.2);
  });
});

function correlation(xy: [number, number][]): number {
  const n = xy.length;
  const mx = xy.reduce((s, [x]) => s + x, 0) / n;
  const my = xy.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of xy) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
