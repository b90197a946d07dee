import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../fields.js';
import { checkTimeZone, localToUtc, zoneOffset } from '../time-zone.js';
import { normalizeTimestamp } from './local-time.js';

const wall = (s: string) => Date.parse(`${s}Z`);
const iso = (ms: number) => new Date(ms).toISOString();

describe('local time', () => {
  it('converts UK wall-clock time, including British Summer Time', () => {
    expect(iso(localToUtc(wall('2010-12-01T08:26:00'), 'Europe/London'))).toBe('2010-12-01T08:26:00.000Z');
    expect(iso(localToUtc(wall('2011-06-01T08:26:00'), 'Europe/London'))).toBe('2011-06-01T07:26:00.000Z');
    // Spring forward (01:00 -> 02:00 on 2011-03-27): 01:30 does not exist and moves forward.
    expect(iso(localToUtc(wall('2011-03-27T00:59:00'), 'Europe/London'))).toBe('2011-03-27T00:59:00.000Z');
    expect(iso(localToUtc(wall('2011-03-27T02:00:00'), 'Europe/London'))).toBe('2011-03-27T01:00:00.000Z');
    // Fall back (02:00 -> 01:00 on 2011-10-30): 01:30 happens twice; the later one is taken.
    expect(iso(localToUtc(wall('2011-10-30T01:30:00'), 'Europe/London'))).toBe('2011-10-30T01:30:00.000Z');
    expect(iso(localToUtc(wall('2011-10-30T00:30:00'), 'Europe/London'))).toBe('2011-10-29T23:30:00.000Z');
  });

  it('handles other zones, half-hour offsets and half-hour changes', () => {
    expect(iso(localToUtc(wall('2024-07-04T12:00:00'), 'America/New_York'))).toBe('2024-07-04T16:00:00.000Z');
    expect(iso(localToUtc(wall('2024-01-15T12:00:00'), 'Asia/Kolkata'))).toBe('2024-01-15T06:30:00.000Z');
    // Lord Howe Island moves by 30 minutes (+11 -> +10:30 at 02:00 on 2024-04-07).
    expect(iso(localToUtc(wall('2024-04-07T01:00:00'), 'Australia/Lord_Howe'))).toBe(
      '2024-04-06T14:00:00.000Z',
    );
    expect(iso(localToUtc(wall('2024-04-07T03:00:00'), 'Australia/Lord_Howe'))).toBe(
      '2024-04-06T16:30:00.000Z',
    );
    expect(localToUtc(123, 'UTC')).toBe(123);
  });

  it('finds a UTC instant that shows the given wall-clock time', () => {
    const zones = [
      'Europe/London',
      'America/Los_Angeles',
      'Australia/Lord_Howe',
      'Asia/Kathmandu',
      'America/Sao_Paulo',
    ];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800 }), fc.constantFrom(...zones), (seconds, zone) => {
        const t = seconds * 1000;
        const local = t + zoneOffset(zone, t);
        const back = localToUtc(local, zone);
        expect(back + zoneOffset(zone, back)).toBe(local);
      }),
      { numRuns: 500 },
    );
  });

  it('checks zone names', () => {
    expect(checkTimeZone('Europe/London')).toBe('Europe/London');
    expect(() => checkTimeZone('Mars/Olympus')).toThrow(/--timezone: unknown time zone "Mars\/Olympus"/);
  });

  it('parses ISO-like text with or without an offset', () => {
    expect(parseTimestamp('2011-06-01 08:26', 'Europe/London')).toBe(Date.parse('2011-06-01T07:26:00Z'));
    expect(parseTimestamp('2011-06-01 08:26:00+00', 'Europe/London')).toBe(
      Date.parse('2011-06-01T08:26:00Z'),
    );
    expect(parseTimestamp('2011-06-01T08:26:00.5-0130', 'UTC')).toBe(Date.parse('2011-06-01T09:56:00.5Z'));
    expect(parseTimestamp('2011-02-30 00:00', 'UTC')).toBeNull();
    expect(parseTimestamp('yesterday', 'UTC')).toBeNull();
  });

  it('normalizes timestamp fields to ISO UTC', () => {
    expect(normalizeTimestamp(1_700_000_000, 'UTC')).toBe('2023-11-14T22:13:20.000Z');
    expect(normalizeTimestamp('1700000000000', 'UTC')).toBe('2023-11-14T22:13:20.000Z');
    expect(normalizeTimestamp('2023-11-14 22:13:20', 'America/New_York')).toBe('2023-11-15T03:13:20.000Z');
    expect(normalizeTimestamp('2023-11-14T22:13:20Z', 'UTC')).toBe('2023-11-14T22:13:20Z');
    expect(normalizeTimestamp('soon', 'UTC')).toBe('soon');
    expect(normalizeTimestamp(null, 'UTC')).toBeNull();
  });
});
