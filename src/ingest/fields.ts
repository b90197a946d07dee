import { z } from 'zod';
import { localToUtc } from './time-zone.js';

/**
 * Field schemas shared by events, items and users. Trackers in the wild send ids as numbers and
 * amounts as numeric strings, so both are accepted and normalized; anything else is rejected with
 * a message that names what was expected.
 */

const NUMERIC = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/**
 * A scalar field checked by plain code (several times faster than a zod union on the ingestion hot
 * path) and documented by an explicit JSON Schema. `read` returns the value or an error message.
 */
function scalar<T>(read: (value: unknown) => T | { error: string }, jsonSchema: Record<string, unknown>) {
  return z
    .unknown()
    .transform((value, ctx) => {
      if (value === undefined) {
        ctx.addIssue({ code: 'custom', message: 'is required' });
        return z.NEVER;
      }
      const out = read(value);
      if (out !== null && typeof out === 'object' && 'error' in out) {
        ctx.addIssue({ code: 'custom', message: out.error });
        return z.NEVER;
      }
      return out as T;
    })
    .meta(jsonSchema);
}

/** An identifier: a non-empty string (trimmed, at most 256 characters) or a finite number, stored as a string. */
export const Id = scalar<string>(
  (v) => {
    if (typeof v === 'string') {
      const t = v.trim();
      if (t === '') return { error: 'must not be empty' };
      return t.length > 256 ? { error: 'must be at most 256 characters' } : t;
    }
    return typeof v === 'number' && Number.isFinite(v)
      ? String(v)
      : { error: 'expected a non-empty string or a number' };
  },
  { anyOf: [{ type: 'string', minLength: 1, maxLength: 256 }, { type: 'number' }] },
);

/** A finite number, or a string holding one (e.g. "12.50"). */
export const Num = scalar<number>(
  (v) => {
    if (typeof v === 'number') return Number.isFinite(v) ? v : { error: 'expected a number' };
    return typeof v === 'string' && NUMERIC.test(v) ? Number(v) : { error: 'expected a number' };
  },
  { anyOf: [{ type: 'number' }, { type: 'string', pattern: NUMERIC.source }] },
);

/** A non-negative amount of money or count. */
export const NonNegative = Num.pipe(z.number().min(0, 'must not be negative'));

/** A positive quantity. */
export const Positive = Num.pipe(z.number().positive('must be positive'));

/** ISO 4217 currency code, normalized to upper case. */
export const Currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'expected a three-letter ISO 4217 currency code')
  .transform((s) => s.toUpperCase());

const DATE_TIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses an ISO 8601 / RFC 3339 date or date-time (also with a space for `T`, one-digit month and
 * day, offsets `Z`, `UTC`, `±HH`, `±HHMM`, `±HH:MM`) to ms since epoch. A time without an offset is
 * wall-clock time in `zone`, UTC by default (never the server's own zone). Null when it is not one.
 */
export function parseTimestamp(text: string, zone = 'UTC'): number | null {
  const fast = parseCanonical(text);
  if (fast !== undefined) return fast;
  const m = DATE_TIME.exec(text.trim());
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
  if (new Date(local).getUTCDate() !== day) return null; // e.g. 2023-02-30
  if (!offset) return localToUtc(local, zone);
  const upper = offset.toUpperCase();
  if (upper === 'Z' || upper === 'UTC') return local;
  const sign = offset[0] === '-' ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  return local - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * 60_000;
}

/**
 * The form trackers almost always send (`2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.123Z`), read
 * digit by digit: ten times faster than the general pattern on the ingestion hot path. Returns
 * undefined when the text is not in exactly that form (the general parser then decides).
 */
function parseCanonical(s: string): number | null | undefined {
  const n = s.length;
  if ((n !== 20 && n !== 24) || s.charCodeAt(n - 1) !== 90 /* Z */ || s.charCodeAt(10) !== 84 /* T */)
    return undefined;
  const d = (i: number) => s.charCodeAt(i) - 48;
  const digits =
    n === 24
      ? [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22]
      : [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
  for (const i of digits) if (d(i) < 0 || d(i) > 9) return undefined;
  if (s[4] !== '-' || s[7] !== '-' || s[13] !== ':' || s[16] !== ':' || (n === 24 && s[19] !== '.'))
    return undefined;
  const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  const month = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  const hour = d(11) * 10 + d(12);
  const minute = d(14) * 10 + d(15);
  const second = d(17) * 10 + d(18);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const t = Date.UTC(
    year,
    month - 1,
    day,
    hour,
    minute,
    second,
    n === 24 ? d(20) * 100 + d(21) * 10 + d(22) : 0,
  );
  return new Date(t).getUTCDate() === day ? t : null;
}

/** An ISO 8601 timestamp, parsed once into ms since epoch (UTC). */
export const Timestamp = z.string().transform((s, ctx) => {
  const t = parseTimestamp(s);
  if (t === null) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 timestamp such as 2024-05-01T12:00:00Z' });
    return z.NEVER;
  }
  return t;
});

/** A JSON object of free-form fields (properties, traits, context), kept as sent. */
export const JsonObject = z
  .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
    error: (iss) => (iss.input === undefined ? 'is required' : 'expected an object'),
  })
  .meta({ type: 'object' });
