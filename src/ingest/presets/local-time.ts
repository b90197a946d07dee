/**
 * Timestamps written without an offset ("2011-06-01 08:26:00") are local times of some place: UCI
 * Online Retail records UK wall-clock time, including summer time. These functions turn them into
 * UTC for a given IANA zone using the platform's time zone database (Intl), and turn Unix epoch
 * numbers into ISO text, so imported files end up in the same form as API messages.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, Map<number, number>>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Checks an IANA zone name (e.g. `Europe/London`) and returns its canonical form; throws a one-line error otherwise. */
export function checkTimeZone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new Error(
      `--timezone: unknown time zone "${zone}" (expected an IANA name such as UTC or Europe/London)`,
    );
  }
}

/** Offset of the zone from UTC at an instant, in ms (positive east of Greenwich). */
export function zoneOffset(zone: string, utcMs: number): number {
  const seconds = Math.floor(utcMs / 1000) * 1000;
  let fields = 0;
  let y = 0;
  let mo = 0;
  let d = 0;
  let h = 0;
  let mi = 0;
  let s = 0;
  let bc = false;
  for (const p of formatter(zone).formatToParts(new Date(seconds))) {
    switch (p.type) {
      case 'year':
        y = Number(p.value);
        fields++;
        break;
      case 'month':
        mo = Number(p.value);
        break;
      case 'day':
        d = Number(p.value);
        break;
      case 'hour':
        h = Number(p.value);
        break;
      case 'minute':
        mi = Number(p.value);
        break;
      case 'second':
        s = Number(p.value);
        break;
      case 'era':
        bc = p.value.startsWith('B');
        break;
    }
  }
  if (fields === 0) return 0;
  const asUtc = Date.UTC(bc ? 1 - y : y, mo - 1, d, h, mi, s);
  return asUtc - seconds;
}

/**
 * Converts a wall-clock time in a zone, given as ms since epoch as if it were UTC, to the real UTC
 * instant. A time skipped by a spring-forward change moves forward by the gap; a time that occurs
 * twice at a fall-back change takes the later occurrence.
 */
export function localToUtc(localMs: number, zone: string): number {
  if (zone === 'UTC') return localMs;
  let cache = offsetCache.get(zone);
  if (!cache) {
    cache = new Map();
    offsetCache.set(zone, cache);
  }
  // Offsets are cached per wall-clock hour; an hour holding a change (its two ends disagree) is
  // computed exactly on every call.
  const hour = Math.floor(localMs / 3_600_000);
  let offset = cache.get(hour);
  if (offset === undefined) {
    const first = wallClockOffset(hour * 3_600_000, zone);
    const last = wallClockOffset(hour * 3_600_000 + 3_599_999, zone);
    offset = first === last ? first : Number.NaN;
    if (cache.size > 100_000) cache.clear();
    cache.set(hour, offset);
  }
  return Number.isNaN(offset) ? localMs - wallClockOffset(localMs, zone) : localMs - offset;
}

function wallClockOffset(localMs: number, zone: string): number {
  const guess = zoneOffset(zone, localMs);
  return zoneOffset(zone, localMs - guess);
}

const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses an ISO-like date-time; one without an offset is read as wall-clock time in `zone`. Accepts
 * a space or `T` separator, optional seconds and fraction, and offsets `Z`, `±HH`, `±HHMM`, `±HH:MM`
 * (the forms DuckDB and spreadsheets write). Returns ms since epoch, or null when it is not a date-time.
 */
export function parseLocalTimestamp(text: string, zone: string): number | null {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', offset] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const local = Date.UTC(Number(y), month - 1, day, hour, minute, second, ms);
  if (new Date(local).getUTCDate() !== day) return null;
  if (!offset) return localToUtc(local, zone);
  const upper = offset.toUpperCase();
  if (upper === 'Z' || upper === 'UTC') return local;
  const sign = offset[0] === '-' ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  return local - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * 60_000;
}

/** Unix epoch seconds or milliseconds (told apart by magnitude: below 1e11 is seconds) as ms. */
export function epochToMs(value: number): number {
  return Math.abs(value) < 1e11 ? value * 1000 : value;
}

const NUMBER = /^\s*-?\d+(\.\d+)?\s*$/;
const HAS_OFFSET = /(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Normalizes a timestamp field of an imported record to ISO 8601 UTC text: epoch numbers (or
 * numeric strings) and offset-less date-times (read in `zone`) are converted; anything else is
 * returned unchanged for the validator to accept or reject with its usual message.
 */
export function normalizeTimestamp(value: unknown, zone: string): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? isoOrSame(epochToMs(value), value) : value;
  if (typeof value !== 'string') return value;
  if (NUMBER.test(value)) return isoOrSame(epochToMs(Number(value)), value);
  if (zone === 'UTC' && HAS_OFFSET.test(value)) return value; // already what the API accepts
  const ms = parseLocalTimestamp(value, zone);
  return ms === null ? value : isoOrSame(ms, value);
}

function isoOrSame(ms: number, original: unknown): unknown {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? original : date.toISOString();
}
