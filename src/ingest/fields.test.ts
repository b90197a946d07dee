import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Currency, Id, Num, parseTimestamp } from './fields.js';

describe('parseTimestamp', () => {
  it('reads ISO 8601 dates and date-times, treating a missing offset as UTC', () => {
    expect(parseTimestamp('2024-05-01T12:00:00Z')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseTimestamp('2024-05-01T12:00:00.123Z')).toBe(Date.UTC(2024, 4, 1, 12, 0, 0, 123));
    expect(parseTimestamp('2024-05-01T12:00:00.123456789Z')).toBe(Date.UTC(2024, 4, 1, 12, 0, 0, 123));
    expect(parseTimestamp('2024-05-01 12:00:00')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseTimestamp('2024-05-01')).toBe(Date.UTC(2024, 4, 1));
    expect(parseTimestamp('2024-05-01T14:00:00+02:00')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseTimestamp('2024-05-01T07:30:00-0430')).toBe(Date.UTC(2024, 4, 1, 12));
  });

  it('rejects what is not a real instant', () => {
    for (const bad of [
      '',
      'yesterday',
      '2023-02-30T00:00:00Z',
      '2023-02-29',
      '2024-13-01',
      '2024-05-01T24:00:00Z',
      '2024-05-01T12:60:00Z',
      '1714564800',
      '2024-05-01T12:00:00+2',
    ]) {
      expect(parseTimestamp(bad)).toBeNull();
    }
  });

  it('agrees with Date for every canonical UTC timestamp, in both the fast and the general form', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('2999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        (d) => {
          const iso = d.toISOString();
          expect(parseTimestamp(iso)).toBe(d.getTime());
          expect(parseTimestamp(`${iso.slice(0, 19)}+00:00`)).toBe(Math.floor(d.getTime() / 1000) * 1000);
          expect(parseTimestamp(iso.replace('T', ' ').replace('Z', ''))).toBe(d.getTime());
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('field schemas', () => {
  it('coerce ids and numeric strings, and name what was expected', () => {
    expect(Id.parse(42)).toBe('42');
    expect(Id.parse('  sku-1 ')).toBe('sku-1');
    expect(Id.safeParse('').error?.issues[0]?.message).toBe('must not be empty');
    expect(Id.safeParse(undefined).error?.issues[0]?.message).toBe('is required');
    expect(Num.parse(' 12.50 ')).toBe(12.5);
    expect(Num.parse('-1e3')).toBe(-1000);
    expect(Num.safeParse('12,50').error?.issues[0]?.message).toBe('expected a number');
    expect(Num.safeParse(Number.NaN).success).toBe(false);
    expect(Currency.parse('eur')).toBe('EUR');
    expect(Currency.safeParse('euro').success).toBe(false);
  });

  it('accepts exactly the decimal numbers in a string', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(Num.parse(String(x)) === x).toBe(true);
      }),
    );
  });
});
