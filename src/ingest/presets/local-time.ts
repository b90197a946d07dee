import { parseTimestamp } from '../fields.js';

/**
 * Timestamps in imported files come as Unix epoch numbers or as date-times without an offset (local
 * times of some zone); these turn them into ISO 8601 UTC text, the form API messages have.
 */

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
  const ms = parseTimestamp(value, zone);
  return ms === null ? value : isoOrSame(ms, value);
}

function isoOrSame(ms: number, original: unknown): unknown {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? original : date.toISOString();
}
