/**
 * Wall-clock times of named places: UCI Online Retail records UK local time, including summer time.
 * These turn a local time in an IANA zone into UTC with the platform's time zone database (Intl).
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
