import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { Calendar, DAY_MS, SEASONALITY, yearlyFactor } from './calendar.js';
import { SaleCalendar, scheduleCoupons, schedulePromotions } from './promotions.js';
import { TAXONOMY } from './taxonomy.js';

const TOPS = TAXONOMY.map((t) => t.name);

describe('Calendar', () => {
  it('formats timestamps exactly as Date.toISOString does', () => {
    const c = new Calendar(Date.UTC(2024, 0, 1), 800);
    const rng = new Rng(1);
    for (let k = 0; k < 20_000; k++) {
      const t = c.start + Math.floor(rng.float() * (c.end - c.start));
      expect(c.iso(t)).toBe(new Date(t).toISOString());
    }
    expect(c.iso(c.end - 1)).toBe('2026-03-10T23:59:59.999Z');
  });

  it('has weekly and hourly profiles of mean 1, a weekend and an evening peak, and a holiday peak', () => {
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(SEASONALITY.weekly)).toBeCloseTo(1, 3);
    expect(mean(SEASONALITY.hourly)).toBeCloseTo(1, 3);
    const w = SEASONALITY.weekly;
    expect(Math.min(w[0]!, w[6]!)).toBeGreaterThan(Math.max(w[1]!, w[2]!, w[3]!, w[4]!));
    expect(SEASONALITY.hourly.indexOf(Math.max(...SEASONALITY.hourly))).toBe(20);
    const year = Array.from({ length: 365 }, (_, d) => yearlyFactor(d));
    const peak = year.indexOf(Math.max(...year));
    expect(peak).toBeGreaterThan(325);
    expect(peak).toBeLessThan(345);
    expect(yearlyFactor(SEASONALITY.yearly.holidayPeakDay) / yearlyFactor(150)).toBeGreaterThan(1.5);
  });

  it('draws acquisitions with an upward trend over the period', () => {
    const c = new Calendar(Date.UTC(2025, 0, 1), 364);
    const rng = new Rng(2);
    const halves = [0, 0];
    for (let k = 0; k < 20_000; k++) {
      const t = c.acquisitionTime(rng);
      expect(t).toBeGreaterThanOrEqual(c.start);
      expect(t).toBeLessThan(c.end);
      halves[t < c.start + 182 * DAY_MS ? 0 : 1]!++;
    }
    expect(halves[1]! / halves[0]!).toBeGreaterThan(1.3);
  });
});

describe('promotions', () => {
  it('schedules the retail calendar on the right dates, sitewide Black Friday included', () => {
    const c = new Calendar(Date.UTC(2025, 0, 1), 365);
    const promos = schedulePromotions(c, TOPS, new Rng(3));
    const named = (prefix: string) => promos.find((p) => p.name.startsWith(prefix))!;
    expect(c.dayIso(named('Black Friday').startDay)).toBe('2025-11-28T00:00:00.000Z');
    expect(named('Black Friday').sitewide).toBe(true);
    expect(named('Black Friday').tops).toHaveLength(TOPS.length);
    expect(c.dayIso(named('Summer Sale').startDay)).toBe('2025-07-01T00:00:00.000Z');
    expect(promos.filter((p) => p.name.startsWith('Flash Sale')).length).toBeGreaterThan(5);
    expect(schedulePromotions(c, TOPS, new Rng(3))).toEqual(promos);

    const sales = new SaleCalendar(promos, TOPS.length, c.days);
    const bf = named('Black Friday');
    expect(sales.discount[TOPS.indexOf('Books') * c.days + bf.startDay]).toBe(0.2);
    expect(sales.active(bf.startDay)).toBe(true);
  });

  it('schedules coupon campaigns every eight weeks, the first one early in short periods', () => {
    const year = scheduleCoupons(new Calendar(Date.UTC(2025, 0, 1), 365));
    expect(year.map((c) => c.startDay)).toEqual([21, 77, 133, 189, 245, 301, 357]);
    expect(year.at(-1)!.endDay).toBe(365);
    expect(new Set(year.map((c) => c.code)).size).toBe(year.length);
    expect(scheduleCoupons(new Calendar(Date.UTC(2025, 0, 1), 7))).toMatchObject([
      { startDay: 2, endDay: 7 },
    ]);
  });
});
