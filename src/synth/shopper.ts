import type { Rng } from '../core/rng.js';
import { type Calendar, DAY_MS, WEEK_MS } from './calendar.js';
import { type Catalog, cents, LATENT_DIM, listPrice } from './catalog.js';
import type { Shopper } from './population.js';
import type { CouponCampaign, Promotion, SaleCalendar } from './promotions.js';
import { SEGMENTS } from './segments.js';
import { TAXONOMY } from './taxonomy.js';

/**
 * Simulates one shopper's life in the store as Segment messages: sessions arriving as a seasonal
 * Poisson process between acquisition and churn, each a landing page, banners, searches and product
 * views chosen by a two-stage logit (leaf, then item), a view -> cart -> checkout -> order funnel
 * driven by price elasticity, planted co-purchases, coupons, reviews and refunds.
 *
 * Coupon campaigns are simulated as potential outcomes. The shopper's natural history is drawn from
 * their own stream and never depends on the campaign arm; the coupon then only acts on it: treated
 * sleeping dogs abandon the checkouts they would have completed in the window, treated persuadables
 * who have not ordered in the window yet get one extra e-mail-driven session (drawn from a separate
 * stream) that ends in an order, and every other treated order in the window uses the code. So each
 * eligible shopper has both potential outcomes y0 and y1 ("ordered in the window"), written to the truth.
 */

/** Behaviour shared by all segments (segment-specific rates live in segments.ts). */
export const BEHAVIOUR = {
  /** Probability that a session of a two-device shopper happens on the main device. */
  mainDevice: 0.75,
  /** Per-session probability that a shopper who will register signs up spontaneously (otherwise at checkout). */
  signupPerSession: 0.2,
  /** Probability of seeing the banner of a running sale in a session. */
  bannerView: 0.5,
  /** Probability that a session (without a banner click) starts with a search. */
  search: 0.3,
  /** Probability that the next product view stays in the leaf category of the previous one. */
  leafStickiness: 0.5,
  /** Leaf choice weight `exp(taste · leafVector) · itemsInLeaf^leafSizeExponent`. */
  leafSizeExponent: 0.5,
  /** Add-to-cart probability is `min(maxAdd, segment.addToCart · (price / basePrice)^elasticity)`. */
  maxAdd: 0.95,
  /** Probability of removing one product from a non-empty cart before checkout. */
  remove: 0.12,
  cartView: 0.6,
  /** Probability of more than one unit in categories that allow it (quantity 2..maxQuantity uniform). */
  multiUnit: 0.25,
  /** Mean seconds between events of a session (2 s + exponential). */
  meanSecondsBetweenEvents: 30,
  /** Per ordered product: probability of a review, and its delay in days (uniform). */
  review: 0.15,
  reviewDelayDays: [2, 14] as [number, number],
  /** Rating = clamp(round(base + affinity·(taste·item) + quality·brandQuality + Normal(0, noise)), 1, 5). */
  rating: { base: 3.6, affinity: 0.6, quality: 1.0, noise: 0.8 },
  /** Per order: probability of a full refund, and its delay in days (uniform). */
  refund: 0.04,
  refundDelayDays: [3, 21] as [number, number],
  /** A coupon-driven session is placed at a uniform time in [start, end − margin) of the campaign window. */
  couponSessionMarginHours: 2,
  /** Extra views in a coupon-driven session are capped so it stays short. */
  couponSessionMaxExtraViews: 3,
};

const REVIEW_TEXT = ['Disappointed.', 'Not great.', 'It is okay.', 'Very good.', 'Love it!'];
const NONE = 0;
const PERSUADABLE = 1;
const SLEEPING_DOG = 2;
/** Names of coupon responses as written to the truth. */
export const RESPONSES = ['unaffected', 'persuadable', 'sleeping_dog'] as const;

/** Everything a session needs to know about the store. */
export interface World {
  calendar: Calendar;
  catalog: Catalog;
  promotions: readonly Promotion[];
  sales: SaleCalendar;
  coupons: readonly CouponCampaign[];
}

/** A shopper's part in one coupon campaign, with both potential outcomes. */
export interface CouponOutcome {
  campaign: number;
  treated: boolean;
  response: (typeof RESPONSES)[number];
  /** Ordered in the window without the coupon / with it. */
  y0: 0 | 1;
  y1: 0 | 1;
  /** What the data shows (y1 if treated, else y0). */
  observed: 0 | 1;
}

/** The simulated history of one shopper. */
export interface History {
  /** events.jsonl lines of this shopper, time-ordered, each ending in a newline. */
  text: string;
  events: number;
  registeredAt: number;
  orders: number;
  coupons: CouponOutcome[];
}

/** Runs shoppers through the store one at a time, reusing its scratch arrays between them. */
export class ShopperSimulator {
  /** Events emitted so far by name (track event name, or `page` / `identify`). */
  readonly eventsByName = new Map<string, number>();
  private readonly segDay: Float64Array[];
  private readonly segMax: number[];
  private readonly leafStart: Int32Array;
  private readonly leafFlat: Int32Array;
  private readonly leafCum: Float64Array;
  private readonly leafWeight: Float64Array;
  private leafTotal = 0;
  private readonly itemCum: Float64Array;
  private readonly leafReady: Uint8Array;
  private readonly itemHead: string[];
  private readonly couponStart: number[];
  private readonly couponEnd: number[];
  private readonly stepRate = 1 / (BEHAVIOUR.meanSecondsBetweenEvents * 1000);

  // State of the shopper being simulated.
  private s!: Shopper;
  private limit = 0;
  /** Clock of the session being simulated. */
  private t = 0;
  private registeredAt = Number.POSITIVE_INFINITY;
  private who = '';
  private context = '';
  private ts: number[] = [];
  private heads: string[] = [];
  private bodies: string[] = [];
  private cartItem: number[] = [];
  private cartQty: number[] = [];
  private cartPrice: number[] = [];
  private orderSeq = 0;
  private orders = 0;
  private cRng: (Rng | null)[] = [];
  private cTreated: boolean[] = [];
  private cResponse: number[] = [];
  private cTau: number[] = [];
  private cY0: number[] = [];
  private cObserved: number[] = [];
  private cDone: boolean[] = [];

  constructor(private readonly w: World) {
    const { calendar, catalog, sales } = w;
    this.segDay = SEGMENTS.map((spec) => {
      const f = new Float64Array(calendar.days);
      for (let d = 0; d < calendar.days; d++) {
        f[d] = calendar.dayFactor[d]! * (sales.active(d) ? spec.promotionVisitMultiplier : 1);
      }
      return f;
    });
    this.segMax = this.segDay.map((f) => f.reduce((a, b) => Math.max(a, b), 0));
    const leaves = catalog.leaves;
    this.leafStart = new Int32Array(leaves.length + 1);
    const flat: number[] = [];
    leaves.forEach((leaf, l) => {
      this.leafStart[l] = flat.length;
      for (const i of leaf.items) flat.push(i);
    });
    this.leafStart[leaves.length] = flat.length;
    this.leafFlat = Int32Array.from(flat);
    this.leafCum = new Float64Array(leaves.length);
    this.leafWeight = new Float64Array(leaves.length);
    this.itemCum = new Float64Array(flat.length);
    this.leafReady = new Uint8Array(leaves.length);
    this.itemHead = catalog.ids.map((id, i) =>
      JSON.stringify({
        product_id: id,
        name: catalog.titles[i],
        category: leaves[catalog.leafOf[i]!]!.path,
        brand: catalog.brands[catalog.brandOf[i]!]!.name,
      }).slice(0, -1),
    );
    this.couponStart = w.coupons.map((c) => calendar.start + c.startDay * DAY_MS);
    this.couponEnd = w.coupons.map((c) => calendar.start + c.endDay * DAY_MS);
  }

  /** Simulates one shopper from their own stream; `messageIdPrefix` makes their message ids unique. */
  simulate(s: Shopper, rng: Rng, messageIdPrefix: string): History {
    const { calendar } = this.w;
    this.reset(s);
    this.drawCampaigns(rng);

    const segDay = this.segDay[s.segment]!;
    const ceiling = this.segMax[s.segment]! * calendar.hourMax;
    const rate = (s.visitsPerWeek / WEEK_MS) * ceiling;
    this.session(s.acquiredAt, rng, -1);
    let t = s.acquiredAt;
    for (;;) {
      t += rng.exponential(rate);
      if (t >= this.limit) break;
      const at = Math.floor(t);
      const accept = segDay[calendar.dayOf(at)]! * calendar.hourFactor[calendar.hourOf(at)]!;
      if (rng.float() * ceiling >= accept) continue;
      this.couponSessionsBefore(at);
      this.session(at, rng, -1);
    }
    this.couponSessionsBefore(Number.POSITIVE_INFINITY);
    return {
      text: this.serialize(messageIdPrefix),
      events: this.ts.length,
      registeredAt: this.registeredAt,
      orders: this.orders,
      coupons: this.outcomes(),
    };
  }

  private reset(s: Shopper): void {
    this.s = s;
    this.limit = Math.min(s.churnAt, this.w.calendar.end);
    this.registeredAt = Number.POSITIVE_INFINITY;
    this.ts.length = 0;
    this.heads.length = 0;
    this.bodies.length = 0;
    this.orderSeq = 0;
    this.orders = 0;
    this.leafReady.fill(0);
    const leaves = this.w.catalog.leaves;
    let total = 0;
    for (let l = 0; l < leaves.length; l++) {
      const n = leaves[l]!.items.length;
      const weight =
        n === 0 ? 0 : Math.exp(dot(s.taste, leaves[l]!.vector)) * n ** BEHAVIOUR.leafSizeExponent;
      this.leafWeight[l] = weight;
      total += weight;
      this.leafCum[l] = total;
    }
    this.leafTotal = total;
  }

  private drawCampaigns(rng: Rng): void {
    const n = this.w.coupons.length;
    this.cRng.length = n;
    for (let c = 0; c < n; c++) {
      this.cDone[c] = false;
      this.cY0[c] = 0;
      this.cObserved[c] = 0;
      if (this.couponStart[c]! <= this.s.acquiredAt) {
        this.cRng[c] = null;
        continue;
      }
      const crng = rng.fork(`coupon-${c}`);
      const spec = SEGMENTS[this.s.segment]!.coupon;
      this.cRng[c] = crng;
      this.cTreated[c] = crng.bernoulli(this.w.coupons[c]!.treatmentShare);
      const u = crng.float();
      this.cResponse[c] =
        u < spec.persuadable ? PERSUADABLE : u < spec.persuadable + spec.sleepingDog ? SLEEPING_DOG : NONE;
      const margin = BEHAVIOUR.couponSessionMarginHours * 3_600_000;
      this.cTau[c] = Math.floor(
        this.couponStart[c]! + crng.float() * (this.couponEnd[c]! - margin - this.couponStart[c]!),
      );
    }
  }

  private eligible(c: number): boolean {
    return this.cRng[c] !== null && this.registeredAt < this.couponStart[c]!;
  }

  /** The campaign whose window contains t and for which the shopper is eligible, or −1. */
  private campaignAt(t: number): number {
    for (let c = 0; c < this.couponStart.length; c++) {
      if (t >= this.couponStart[c]! && t < this.couponEnd[c]! && this.eligible(c)) return c;
    }
    return -1;
  }

  private alive(c: number): boolean {
    return this.cTau[c]! < this.limit - BEHAVIOUR.couponSessionMarginHours * 3_600_000;
  }

  private couponSessionsBefore(t: number): void {
    for (let c = 0; c < this.couponStart.length; c++) {
      if (this.cRng[c] === null || this.cDone[c] || this.cTau[c]! >= t) continue;
      this.cDone[c] = true;
      if (
        this.eligible(c) &&
        this.cTreated[c] &&
        this.cResponse[c] === PERSUADABLE &&
        this.cY0[c] === 0 &&
        this.alive(c)
      ) {
        this.session(this.cTau[c]!, this.cRng[c]!, c);
      }
    }
  }

  private outcomes(): CouponOutcome[] {
    const out: CouponOutcome[] = [];
    for (let c = 0; c < this.couponStart.length; c++) {
      if (!this.eligible(c)) continue;
      const y0 = this.cY0[c] ? 1 : 0;
      const response = this.cResponse[c]!;
      const y1 = response === PERSUADABLE ? (this.alive(c) ? 1 : y0) : response === SLEEPING_DOG ? 0 : y0;
      out.push({
        campaign: c,
        treated: this.cTreated[c]!,
        response: RESPONSES[response]!,
        y0,
        y1,
        observed: this.cObserved[c] ? 1 : 0,
      });
    }
    return out;
  }

  /** Moves the session clock to the next event; true when that is past the shopper's end (churn or period end). */
  private advance(rng: Rng): boolean {
    this.t += 2000 + Math.floor(rng.exponential(this.stepRate));
    return this.t >= this.limit;
  }

  private emit(t: number, type: 'track' | 'page' | 'identify', name: string, body: string): void {
    const head =
      type === 'track'
        ? `"type":"track","event":"${name}",${this.who}`
        : type === 'page'
          ? `"type":"page","name":"${name}",${this.who}`
          : `"type":"identify",${this.who}`;
    this.ts.push(t);
    this.heads.push(head);
    this.bodies.push(body);
    const key = type === 'track' ? name : type;
    this.eventsByName.set(key, (this.eventsByName.get(key) ?? 0) + 1);
  }

  private identity(anonymousId: string): void {
    this.who =
      this.registeredAt === Number.POSITIVE_INFINITY
        ? `"anonymousId":"${anonymousId}"`
        : `"userId":"${this.s.userId}","anonymousId":"${anonymousId}"`;
  }

  private register(t: number, anonymousId: string): void {
    this.registeredAt = t;
    this.identity(anonymousId);
    this.emit(t, 'identify', '', `,"traits":${JSON.stringify(this.s.traits)},${this.context}`);
  }

  /** One session starting at t; `coupon` ≥ 0 marks a coupon-driven session of that campaign. */
  private session(start: number, rng: Rng, coupon: number): void {
    const s = this.s;
    const spec = SEGMENTS[s.segment]!;
    const { calendar, catalog, promotions, sales } = this.w;
    const device =
      s.devices.length > 1 && rng.float() >= BEHAVIOUR.mainDevice ? s.devices[1]! : s.devices[0]!;
    const anonymousId = device.anonymousId;
    this.identity(anonymousId);
    const day = calendar.dayOf(start);
    const limit = this.limit;
    this.t = start;

    if (coupon >= 0) {
      const code = this.w.coupons[coupon]!.code;
      this.context = `"context":{"device":{"type":"${device.type}"},"campaign":{"name":"${code}","source":"email","medium":"email"}}`;
      this.emit(
        this.t,
        'page',
        'Home',
        `,"properties":{"path":"/","url":"https://shop.example.com/?utm_source=email&utm_medium=email&utm_campaign=${code}","title":"Home"},${this.context}`,
      );
    } else {
      this.context = `"context":{"device":{"type":"${device.type}"}}`;
      this.emit(
        this.t,
        'page',
        'Home',
        `,"properties":{"path":"/","url":"https://shop.example.com/","title":"Home"},${this.context}`,
      );
    }
    if (this.advance(rng)) return;
    if (
      this.registeredAt === Number.POSITIVE_INFINITY &&
      s.willRegister &&
      rng.float() < BEHAVIOUR.signupPerSession
    ) {
      this.register(this.t, anonymousId);
      if (this.advance(rng)) return;
    }

    let leaf = -1;
    let promoTops: number[] | null = null;
    const first = sales.offset[day]!;
    const running = sales.offset[day + 1]! - first;
    if (running > 0 && rng.float() < BEHAVIOUR.bannerView) {
      const p = promotions[sales.list[first + rng.int(running)]!]!;
      const promo = `,"properties":{"promotion_id":"${p.id}","name":${JSON.stringify(p.name)},"creative":"home_banner","position":"home_top"}`;
      this.emit(this.t, 'track', 'Promotion Viewed', promo);
      if (this.advance(rng)) return;
      if (rng.float() < spec.promotionClick) {
        this.emit(this.t, 'track', 'Promotion Clicked', promo);
        if (this.advance(rng)) return;
        promoTops = p.tops;
        leaf = this.sampleLeafIn(promoTops, rng);
      }
    }
    if (promoTops === null && rng.float() < BEHAVIOUR.search) {
      leaf = this.sampleLeaf(rng);
      this.emit(
        this.t,
        'track',
        'Products Searched',
        `,"properties":{"query":${JSON.stringify(this.query(leaf, rng))}}`,
      );
      if (this.advance(rng)) return;
    }

    const extra = rng.poisson(spec.extraViews);
    const views = 1 + (coupon >= 0 ? Math.min(extra, BEHAVIOUR.couponSessionMaxExtraViews) : extra);
    this.cartItem.length = 0;
    this.cartQty.length = 0;
    this.cartPrice.length = 0;
    for (let v = 0; v < views; v++) {
      if (v > 0 && rng.float() >= BEHAVIOUR.leafStickiness) leaf = -1;
      if (leaf < 0) leaf = this.sampleLeaf(rng);
      const item = this.sampleItem(leaf, this.t, rng);
      if (item < 0) {
        leaf = -1;
        continue;
      }
      const price = this.price(item, day);
      this.emit(this.t, 'track', 'Product Viewed', `,"properties":${this.itemHead[item]},"price":${price}}`);
      if (this.advance(rng)) return;
      if (this.t >= catalog.outOfStockAt[item]! || this.cartItem.includes(item)) continue;
      const elasticity = catalog.leaves[catalog.leafOf[item]!]!.elasticity;
      const add = Math.min(
        BEHAVIOUR.maxAdd,
        spec.addToCart * (price / catalog.basePrice[item]!) ** elasticity,
      );
      if (rng.float() < add || (coupon >= 0 && v === views - 1 && this.cartItem.length === 0)) {
        this.addToCart(this.t, item, price, rng);
        if (this.advance(rng)) return;
      }
    }
    if (coupon >= 0 && this.cartItem.length === 0) {
      for (let tries = 0; tries < 50 && this.cartItem.length === 0; tries++) {
        const item = this.sampleItem(this.sampleLeaf(rng), this.t, rng);
        if (item < 0 || this.t >= catalog.outOfStockAt[item]!) continue;
        const price = this.price(item, day);
        this.emit(
          this.t,
          'track',
          'Product Viewed',
          `,"properties":${this.itemHead[item]},"price":${price}}`,
        );
        if (this.advance(rng)) return;
        this.addToCart(this.t, item, price, rng);
        if (this.advance(rng)) return;
      }
    }
    if (this.cartItem.length === 0) return;
    if (coupon < 0 && rng.float() < BEHAVIOUR.remove) {
      const k = rng.int(this.cartItem.length);
      this.emit(
        this.t,
        'track',
        'Product Removed',
        this.productBody(this.cartItem[k]!, this.cartPrice[k]!, this.cartQty[k]!),
      );
      this.cartItem.splice(k, 1);
      this.cartQty.splice(k, 1);
      this.cartPrice.splice(k, 1);
      if (this.advance(rng)) return;
      if (this.cartItem.length === 0) return;
    }
    if (rng.float() < BEHAVIOUR.cartView) {
      this.emit(
        this.t,
        'track',
        'Cart Viewed',
        `,"properties":{"value":${this.subtotal()},"currency":"USD","products":${this.lines()}}`,
      );
      if (this.advance(rng)) return;
    }
    if (coupon < 0 && rng.float() >= spec.checkout) return;
    const complete = coupon >= 0 || rng.float() < spec.complete;
    if (this.registeredAt === Number.POSITIVE_INFINITY && s.willRegister) {
      this.register(this.t, anonymousId);
      if (this.advance(rng)) return;
    }
    if (complete) {
      const n = this.cartItem.length;
      for (let k = 0; k < n; k++) {
        const a = this.cartItem[k]!;
        const b = catalog.partner[a]!;
        if (b < 0 || rng.float() >= catalog.partnerProbability[a]!) continue;
        if (this.cartItem.includes(b) || catalog.createdAt[b]! > this.t || this.t >= catalog.outOfStockAt[b]!)
          continue;
        this.addToCart(this.t, b, this.price(b, day), rng);
        if (this.advance(rng)) return;
      }
    }

    const orderId = `o${s.index + 1}-${++this.orderSeq}`;
    const subtotal = this.subtotal();
    const products = this.lines();
    this.emit(
      this.t,
      'track',
      'Checkout Started',
      `,"properties":{"order_id":"${orderId}","value":${subtotal},"currency":"USD","products":${products}}`,
    );
    if (this.advance(rng)) return;
    if (!complete) return;

    const c = coupon >= 0 ? coupon : this.campaignAt(this.t);
    if (c >= 0 && coupon < 0) this.cY0[c] = 1;
    const treated = c >= 0 && this.cTreated[c]!;
    const suppressed = treated && coupon < 0 && this.cResponse[c] === SLEEPING_DOG;
    const campaign = treated ? this.w.coupons[c]! : null;
    const discount = campaign ? cents(subtotal * campaign.discount) : 0;
    const revenue = cents(subtotal - discount);
    if (!suppressed) {
      let couponField = '';
      if (campaign) {
        couponField = `,"coupon":"${campaign.code}"`;
        this.emit(
          this.t,
          'track',
          'Coupon Applied',
          `,"properties":{"order_id":"${orderId}","coupon_id":"${campaign.id}","coupon_name":"${campaign.code}","discount":${discount}}`,
        );
      }
      this.emit(
        this.t,
        'track',
        'Order Completed',
        `,"properties":{"order_id":"${orderId}","total":${revenue},"subtotal":${subtotal},"revenue":${revenue},"discount":${discount}${couponField},"currency":"USD","products":${products}}`,
      );
      this.orders++;
      if (c >= 0) this.cObserved[c] = 1;
    }
    // Reviews and refunds are drawn even for suppressed orders so the stream stays arm-independent.
    const n = this.cartItem.length;
    for (let k = 0; k < n; k++) {
      if (rng.float() >= BEHAVIOUR.review) continue;
      const item = this.cartItem[k]!;
      const rating = this.rating(item, rng);
      const at =
        this.t + Math.floor(rng.uniform(BEHAVIOUR.reviewDelayDays[0], BEHAVIOUR.reviewDelayDays[1]) * DAY_MS);
      if (suppressed || at >= limit) continue;
      this.emit(
        at,
        'track',
        'Product Reviewed',
        `,"properties":${this.itemHead[item]},"rating":${rating},"review_body":"${REVIEW_TEXT[rating - 1]}"}`,
      );
    }
    if (rng.float() < BEHAVIOUR.refund) {
      const at =
        this.t + Math.floor(rng.uniform(BEHAVIOUR.refundDelayDays[0], BEHAVIOUR.refundDelayDays[1]) * DAY_MS);
      if (!suppressed && at < limit) {
        this.emit(
          at,
          'track',
          'Order Refunded',
          `,"properties":{"order_id":"${orderId}","revenue":${revenue},"currency":"USD","products":${products}}`,
        );
      }
    }
  }

  private addToCart(t: number, item: number, price: number, rng: Rng): void {
    const { catalog } = this.w;
    const max = TAXONOMY[catalog.leaves[catalog.leafOf[item]!]!.top]!.maxQuantity;
    const quantity = max > 1 && rng.float() < BEHAVIOUR.multiUnit ? 2 + rng.int(max - 1) : 1;
    this.cartItem.push(item);
    this.cartQty.push(quantity);
    this.cartPrice.push(price);
    this.emit(t, 'track', 'Product Added', this.productBody(item, price, quantity));
  }

  private productBody(item: number, price: number, quantity: number): string {
    return `,"properties":${this.itemHead[item]},"price":${price},"quantity":${quantity}}`;
  }

  private subtotal(): number {
    let sum = 0;
    for (let k = 0; k < this.cartItem.length; k++) sum += this.cartPrice[k]! * this.cartQty[k]!;
    return cents(sum);
  }

  private lines(): string {
    let out = '[';
    for (let k = 0; k < this.cartItem.length; k++) {
      if (k > 0) out += ',';
      out += `${this.itemHead[this.cartItem[k]!]},"price":${this.cartPrice[k]},"quantity":${this.cartQty[k]}}`;
    }
    return `${out}]`;
  }

  /** Sale price of an item on a day: list price less the largest running sale on its top category. */
  private price(item: number, day: number): number {
    const { catalog, calendar, sales } = this.w;
    const list = listPrice(catalog, item, day);
    const cut = sales.discount[catalog.leaves[catalog.leafOf[item]!]!.top * calendar.days + day]!;
    return cut > 0 ? cents(list * (1 - cut)) : list;
  }

  private rating(item: number, rng: Rng): number {
    const { catalog } = this.w;
    const r = BEHAVIOUR.rating;
    const affinity = dotAt(this.s.taste, catalog.vectors, item * LATENT_DIM);
    const x = r.base + r.affinity * affinity + r.quality * catalog.quality[item]! + rng.normal(0, r.noise);
    return Math.min(5, Math.max(1, Math.round(x)));
  }

  private query(leaf: number, rng: Rng): string {
    const { catalog } = this.w;
    const noun = rng.pick(catalog.leaves[leaf]!.nouns).toLowerCase();
    if (rng.float() < 0.3) {
      const top = catalog.leaves[leaf]!.top;
      const brands = catalog.brands.filter((b) => b.top === top);
      return `${rng.pick(brands).name.toLowerCase()} ${noun}`;
    }
    return noun;
  }

  private sampleLeaf(rng: Rng): number {
    const r = rng.float() * this.leafTotal;
    const cum = this.leafCum;
    let l = 0;
    while (l < cum.length - 1 && cum[l]! <= r) l++;
    return l;
  }

  private sampleLeafIn(tops: readonly number[], rng: Rng): number {
    const leaves = this.w.catalog.leaves;
    let total = 0;
    for (let l = 0; l < leaves.length; l++) if (tops.includes(leaves[l]!.top)) total += this.leafWeight[l]!;
    if (total === 0) return this.sampleLeaf(rng);
    let r = rng.float() * total;
    let last = -1;
    for (let l = 0; l < leaves.length; l++) {
      if (!tops.includes(leaves[l]!.top) || this.leafWeight[l] === 0) continue;
      last = l;
      r -= this.leafWeight[l]!;
      if (r < 0) return l;
    }
    return last;
  }

  /**
   * An item of a leaf drawn with weight `exp(taste·v + popularity + quality − priceSensitivity·ln(basePrice))`,
   * restricted to items already in the catalog at time t (by rejection); −1 when none was found.
   */
  private sampleItem(leaf: number, t: number, rng: Rng): number {
    const start = this.leafStart[leaf]!;
    const end = this.leafStart[leaf + 1]!;
    if (end === start) return -1;
    if (this.leafReady[leaf] === 0) this.prepareLeaf(leaf, start, end);
    const cum = this.itemCum;
    const total = cum[end - 1]!;
    const created = this.w.catalog.createdAt;
    for (let tries = 0; tries < 8; tries++) {
      const r = rng.float() * total;
      let lo = start;
      let hi = end - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid]! > r) hi = mid;
        else lo = mid + 1;
      }
      const item = this.leafFlat[lo]!;
      if (created[item]! <= t) return item;
    }
    return -1;
  }

  private prepareLeaf(leaf: number, start: number, end: number): void {
    const c = this.w.catalog;
    const taste = this.s.taste;
    const sensitivity = this.s.priceSensitivity;
    let acc = 0;
    for (let p = start; p < end; p++) {
      const i = this.leafFlat[p]!;
      const a =
        dotAt(taste, c.vectors, i * LATENT_DIM) +
        c.popularity[i]! +
        c.quality[i]! -
        sensitivity * c.logBasePrice[i]!;
      acc += Math.exp(a);
      this.itemCum[p] = acc;
    }
    this.leafReady[leaf] = 1;
  }

  private serialize(prefix: string): string {
    const n = this.ts.length;
    const ts = this.ts;
    const order = new Array<number>(n);
    for (let k = 0; k < n; k++) order[k] = k;
    order.sort((a, b) => ts[a]! - ts[b]! || a - b);
    const calendar = this.w.calendar;
    const parts = new Array<string>(n);
    for (let k = 0; k < n; k++) {
      const e = order[k]!;
      parts[k] =
        `{${this.heads[e]},"messageId":"${prefix}${k.toString(36)}","timestamp":"${calendar.iso(ts[e]!)}"${this.bodies[e]}}\n`;
    }
    return parts.join('');
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return s;
}

function dotAt(a: Float64Array, m: Float64Array, offset: number): number {
  let s = 0;
  for (let k = 0; k < LATENT_DIM; k++) s += a[k]! * m[offset + k]!;
  return s;
}
