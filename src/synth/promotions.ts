import type { Rng } from '../core/rng.js';
import type { Calendar } from './calendar.js';

/**
 * The store's marketing calendar: category sales (price cuts shown as banners) and coupon campaigns
 * (codes e-mailed to a random half of the registered shoppers, so their effect can be measured).
 */

/** A sale: a price cut on some top categories for a few days, announced by a banner. */
export interface Promotion {
  id: string;
  name: string;
  /** First day (inclusive) and last day (exclusive), as day indexes of the period. */
  startDay: number;
  endDay: number;
  /** Fraction taken off the list price. */
  discount: number;
  /** Indexes of the top categories on sale. */
  tops: number[];
  sitewide: boolean;
}

/** A coupon campaign: a code sent to a randomized treatment group of registered shoppers. */
export interface CouponCampaign {
  id: string;
  code: string;
  startDay: number;
  endDay: number;
  /** Fraction taken off the order subtotal when the code is used. */
  discount: number;
  /** Probability that an eligible shopper is assigned to the treatment group. */
  treatmentShare: number;
}

interface Recurring {
  name: string;
  month: number;
  day: number | 'black-friday';
  length: number;
  discount: number;
  tops: string[] | 'all';
}

const RECURRING: readonly Recurring[] = [
  { name: 'Spring Sale', month: 2, day: 20, length: 14, discount: 0.15, tops: ['Home', 'Sports'] },
  { name: 'Summer Sale', month: 6, day: 1, length: 14, discount: 0.25, tops: ['Fashion', 'Shoes'] },
  { name: 'Back to School', month: 7, day: 15, length: 17, discount: 0.15, tops: ['Electronics', 'Books'] },
  { name: 'Black Friday', month: 10, day: 'black-friday', length: 4, discount: 0.2, tops: 'all' },
  { name: 'Holiday Gifts', month: 11, day: 10, length: 11, discount: 0.15, tops: ['Toys', 'Beauty'] },
];
const FLASH_DISCOUNTS = [0.1, 0.15, 0.2, 0.3];
const COUPON_DISCOUNTS = [0.15, 0.2, 0.1];
const COUPON_EVERY_DAYS = 56;
const COUPON_DAYS = 10;

/** Schedules the recurring retail sales that fall in the period plus seeded 3-day flash sales. */
export function schedulePromotions(calendar: Calendar, topNames: readonly string[], rng: Rng): Promotion[] {
  const found: Omit<Promotion, 'id'>[] = [];
  const first = new Date(calendar.start).getUTCFullYear();
  const last = new Date(calendar.end).getUTCFullYear();
  for (let year = first; year <= last; year++) {
    for (const r of RECURRING) {
      const dayOfMonth = r.day === 'black-friday' ? blackFriday(year) : r.day;
      const startDay = calendar.dayOf(Date.UTC(year, r.month, dayOfMonth));
      const endDay = startDay + r.length;
      if (endDay <= 0 || startDay >= calendar.days) continue;
      const tops = r.tops === 'all' ? topNames.map((_, i) => i) : r.tops.map((n) => topNames.indexOf(n));
      found.push({
        name: `${r.name} ${year}`,
        startDay: Math.max(0, startDay),
        endDay: Math.min(calendar.days, endDay),
        discount: r.discount,
        tops: tops.filter((t) => t >= 0),
        sitewide: r.tops === 'all',
      });
    }
  }
  for (let day = 10 + rng.int(15); day + 3 <= calendar.days; day += 28 + rng.int(15)) {
    const top = rng.int(topNames.length);
    found.push({
      name: `Flash Sale: ${topNames[top]}`,
      startDay: day,
      endDay: day + 3,
      discount: rng.pick(FLASH_DISCOUNTS),
      tops: [top],
      sitewide: false,
    });
  }
  found.sort((a, b) => a.startDay - b.startDay || a.name.localeCompare(b.name));
  return found.map((p, i) => ({ id: `promo-${i + 1}`, ...p }));
}

/** Schedules coupon campaigns: the first three weeks in (earlier in short periods), then every eight weeks. */
export function scheduleCoupons(calendar: Calendar): CouponCampaign[] {
  const out: CouponCampaign[] = [];
  for (let start = Math.min(21, Math.floor(calendar.days / 3)); start + 3 <= calendar.days; ) {
    const n = out.length;
    const discount = COUPON_DISCOUNTS[n % COUPON_DISCOUNTS.length]!;
    out.push({
      id: `coupon-${n + 1}`,
      code: `SAVE${Math.round(discount * 100)}${String.fromCharCode(65 + (n % 26))}`,
      startDay: start,
      endDay: Math.min(calendar.days, start + COUPON_DAYS),
      discount,
      treatmentShare: 0.5,
    });
    start += COUPON_EVERY_DAYS;
  }
  return out;
}

/** Day of November of Black Friday: the day after the fourth Thursday (US Thanksgiving). */
function blackFriday(year: number): number {
  const firstWeekday = new Date(Date.UTC(year, 10, 1)).getUTCDay();
  const firstThursday = 1 + ((4 - firstWeekday + 7) % 7);
  return firstThursday + 21 + 1;
}

/** Per-day lookups of the sales, precomputed so the session loop reads an array instead of scanning. */
export class SaleCalendar {
  /** Discount by top category and day: `discount[top * days + day]`. */
  readonly discount: Float64Array;
  /** Promotions running on each day: indexes `list[offset[d] .. offset[d + 1])`. */
  readonly offset: Int32Array;
  readonly list: Int32Array;

  constructor(
    readonly promotions: readonly Promotion[],
    readonly tops: number,
    readonly days: number,
  ) {
    this.discount = new Float64Array(tops * days);
    this.offset = new Int32Array(days + 1);
    const lists: number[] = [];
    for (let d = 0; d < days; d++) {
      this.offset[d] = lists.length;
      promotions.forEach((p, i) => {
        if (d < p.startDay || d >= p.endDay) return;
        lists.push(i);
        for (const top of p.tops) {
          const k = top * days + d;
          if (p.discount > this.discount[k]!) this.discount[k] = p.discount;
        }
      });
    }
    this.offset[days] = lists.length;
    this.list = Int32Array.from(lists);
  }

  /** Whether any sale runs on a day. */
  active(day: number): boolean {
    return this.offset[day + 1]! > this.offset[day]!;
  }
}
