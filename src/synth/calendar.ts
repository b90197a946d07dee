import type { Rng } from '../core/rng.js';

/**
 * Time in a synthetic store: the period, and the seasonality that modulates how often shoppers
 * arrive and visit. Days are UTC calendar days counted from the start (which is a UTC midnight).
 */

/** Milliseconds in a day; the unit of the generator's schedules. */
export const DAY_MS = 86_400_000;
/** Milliseconds in a week; churn hazards and visit rates are per week. */
export const WEEK_MS = 7 * DAY_MS;
const HOUR_MS = 3_600_000;
const YEAR_DAYS = 365.25;
const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** Seasonality parameters, written to truth.json exactly as used. */
export interface Seasonality {
  /** Activity multiplier by UTC day of week, Sunday = 0 (mean 1; weekend peak). */
  weekly: readonly number[];
  /** Activity multiplier by UTC hour of day (mean 1). */
  hourly: readonly number[];
  /**
   * Yearly multiplier `1 + cosineAmplitude·cos(2π(doy − cosinePeakDay)/365.25)
   * + holidayAmplitude·exp(−½(Δ/holidayWidthDays)²)`, Δ the circular day distance from holidayPeakDay;
   * doy is the 0-based UTC day of year.
   */
  yearly: {
    cosineAmplitude: number;
    cosinePeakDay: number;
    holidayAmplitude: number;
    holidayPeakDay: number;
    holidayWidthDays: number;
  };
  /**
   * Linear trends in years since the start: shopper activity is multiplied by
   * `1 + activityPerYear·years`, the acquisition density by `1 + acquisitionPerYear·years`.
   */
  trend: { activityPerYear: number; acquisitionPerYear: number };
}

/** The seasonality every store is generated with. */
export const SEASONALITY: Seasonality = normalized({
  weekly: [1.22, 0.9, 0.88, 0.9, 0.95, 1.0, 1.15],
  hourly: [
    0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.55, 0.75, 0.85, 0.95, 1.05, 1.2, 1.15, 1.05, 1.0, 1.05, 1.15,
    1.35, 1.6, 1.75, 1.55, 1.1, 0.6,
  ],
  yearly: {
    cosineAmplitude: 0.12,
    cosinePeakDay: 350,
    holidayAmplitude: 0.7,
    holidayPeakDay: 336,
    holidayWidthDays: 14,
  },
  trend: { activityPerYear: 0.15, acquisitionPerYear: 1.0 },
});

function normalized(s: Seasonality): Seasonality {
  const scale = (xs: readonly number[]) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return xs.map((x) => Math.round((x / mean) * 1e4) / 1e4);
  };
  return { ...s, weekly: scale(s.weekly), hourly: scale(s.hourly) };
}

/** The yearly multiplier of {@link Seasonality.yearly} for a 0-based day of year. */
export function yearlyFactor(doy: number, s: Seasonality = SEASONALITY): number {
  const y = s.yearly;
  let delta = Math.abs(doy - y.holidayPeakDay) % YEAR_DAYS;
  if (delta > YEAR_DAYS / 2) delta = YEAR_DAYS - delta;
  return (
    1 +
    y.cosineAmplitude * Math.cos((2 * Math.PI * (doy - y.cosinePeakDay)) / YEAR_DAYS) +
    y.holidayAmplitude * Math.exp(-0.5 * (delta / y.holidayWidthDays) ** 2)
  );
}

/** The period of a store with per-day activity and acquisition factors precomputed for the hot loop. */
export class Calendar {
  /** End of the period (exclusive), ms since epoch. */
  readonly end: number;
  /** Weekly × yearly × activity trend, by day index. */
  readonly dayFactor: Float64Array;
  /** Cumulative acquisition distribution by day (last entry 1). */
  readonly acquisitionCdf: Float64Array;
  /** Hourly factors, and their maximum for thinning. */
  readonly hourFactor: Float64Array;
  readonly hourMax: number;
  /** `YYYY-MM-DDT` of each day, so event timestamps are formatted without a Date per event. */
  private readonly dayPrefix: string[];

  constructor(
    readonly start: number,
    readonly days: number,
    readonly seasonality: Seasonality = SEASONALITY,
  ) {
    this.end = start + days * DAY_MS;
    this.dayFactor = new Float64Array(days);
    this.acquisitionCdf = new Float64Array(days);
    let total = 0;
    for (let d = 0; d < days; d++) {
      const t = start + d * DAY_MS;
      const date = new Date(t);
      const doy = Math.floor((t - Date.UTC(date.getUTCFullYear(), 0, 1)) / DAY_MS);
      const years = d / YEAR_DAYS;
      const seasonal = seasonality.weekly[date.getUTCDay()]! * yearlyFactor(doy, seasonality);
      this.dayFactor[d] = seasonal * (1 + seasonality.trend.activityPerYear * years);
      total += seasonal * (1 + seasonality.trend.acquisitionPerYear * years);
      this.acquisitionCdf[d] = total;
    }
    for (let d = 0; d < days; d++) this.acquisitionCdf[d]! /= total;
    this.acquisitionCdf[days - 1] = 1;
    this.dayPrefix = Array.from({ length: days }, (_, d) =>
      new Date(start + d * DAY_MS).toISOString().slice(0, 11),
    );
    this.hourFactor = Float64Array.from(seasonality.hourly);
    this.hourMax = Math.max(...seasonality.hourly);
  }

  /** Day index of a time inside the period. */
  dayOf(t: number): number {
    return Math.floor((t - this.start) / DAY_MS);
  }

  /** Hour of day (UTC) of a time inside the period. */
  hourOf(t: number): number {
    return Math.floor(((t - this.start) % DAY_MS) / HOUR_MS);
  }

  /** ISO 8601 text of a time inside the period, as `Date.toISOString` writes it, without allocating a Date. */
  iso(t: number): string {
    const offset = t - this.start;
    const day = Math.floor(offset / DAY_MS);
    let ms = offset - day * DAY_MS;
    const h = Math.floor(ms / HOUR_MS);
    ms -= h * HOUR_MS;
    const m = Math.floor(ms / 60_000);
    ms -= m * 60_000;
    const sec = Math.floor(ms / 1000);
    ms -= sec * 1000;
    return `${this.dayPrefix[day]}${TWO[h]}:${TWO[m]}:${TWO[sec]}.${THREE[ms]}Z`;
  }

  /** ISO timestamp of a day index's midnight. */
  dayIso(day: number): string {
    return new Date(this.start + day * DAY_MS).toISOString();
  }

  /** A time within day `day` following the hourly profile. */
  timeInDay(day: number, rng: Rng): number {
    const hour = rng.categorical(this.hourFactor);
    return this.start + day * DAY_MS + hour * HOUR_MS + Math.floor(rng.float() * HOUR_MS);
  }

  /** An acquisition time: day drawn from the trending, seasonal acquisition density, hour from the hourly profile. */
  acquisitionTime(rng: Rng): number {
    const u = rng.float();
    const cdf = this.acquisitionCdf;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return this.timeInDay(lo, rng);
  }
}
