import { describe, expect, it } from 'vitest';
import { columnPaths, nestDottedKeys, tabularRecord } from './tabular-record.js';

describe('tabular records', () => {
  it('nests dotted columns, skips empty cells and types free-form values', () => {
    const paths = columnPaths([
      'id',
      'price',
      'attributes.color',
      'attributes.size',
      'attributes.new',
      'tags',
      '',
    ]);
    expect(tabularRecord(paths, ['007', '2.50', 'red', '42', 'true', '["a","b"]', 'ignored'])).toEqual({
      id: '007',
      price: '2.50',
      attributes: { color: 'red', size: 42, new: true },
      tags: ['a', 'b'],
    });
    expect(tabularRecord(paths, ['1', '', '', '00123'])).toEqual({ id: '1', attributes: { size: '00123' } });
  });

  it('nests dotted keys of Parquet rows', () => {
    expect(nestDottedKeys({ 'properties.sku': 1, event: 'x' })).toEqual({
      properties: { sku: 1 },
      event: 'x',
    });
    const plain = { a: 1 };
    expect(nestDottedKeys(plain)).toBe(plain);
  });
});
