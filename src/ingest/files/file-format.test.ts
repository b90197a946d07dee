import { describe, expect, it } from 'vitest';
import { formatOf, plainName, sniffDelimiter } from './file-format.js';

describe('file formats', () => {
  it('reads the format from the name, ignoring .gz', () => {
    expect(formatOf('/x/events.csv')).toBe('csv');
    expect(formatOf('/x/EVENTS.JSONL.GZ')).toBe('jsonl');
    expect(formatOf('a.ndjson')).toBe('jsonl');
    expect(formatOf('items.parquet')).toBe('parquet');
    expect(formatOf('data.tsv.gz')).toBe('tsv');
    expect(formatOf('u.data')).toBeNull();
    expect(formatOf('README')).toBeNull();
    expect(plainName('/a/B/Items.CSV.gz')).toBe('items.csv');
  });

  it('sniffs the delimiter of a header line, ignoring quoted text', () => {
    expect(sniffDelimiter('user,item,rating')).toBe(',');
    expect(sniffDelimiter('user\titem\trating')).toBe('\t');
    expect(sniffDelimiter('user;item;"a,b,c"')).toBe(';');
    expect(sniffDelimiter('single')).toBe(',');
  });
});
