import { describe, expect, it } from 'vitest';
import { ColumnMap } from './column-map.js';

describe('ColumnMap', () => {
  it('parses col=field pairs', () => {
    const map = ColumnMap.parse(' customer = user, sku=item ,');
    expect(map.size).toBe(2);
    expect(map.columns(['customer', 'sku', 'qty'])).toEqual(['user', 'item', 'qty']);
    expect(map.keys({ customer: 1, other: 2 })).toEqual({ user: 1, other: 2 });
    expect(ColumnMap.parse({ a: 'b' }).columns(['a'])).toEqual(['b']);
  });

  it('lets a mapped column replace one that had the target name', () => {
    const map = ColumnMap.parse('sku=id');
    expect(map.columns(['id', 'sku'])).toEqual(['', 'id']);
    expect(map.columns(['id', 'title'])).toEqual(['id', 'title']); // no sku in this file: id stays
    expect(map.keys({ id: 'old', sku: 'new' })).toEqual({ id: 'new' });
  });

  it('reports malformed maps and unknown columns in one line', () => {
    expect(() => ColumnMap.parse('a')).toThrow(
      '--map: expected col=field pairs separated by commas, got "a"',
    );
    expect(() => ColumnMap.parse('a=b,a=c')).toThrow('--map: column "a" is mapped twice');
    expect(() => ColumnMap.parse('customer=user').check(['user_id', 'item'])).toThrow(
      '--map: unknown column "customer"; available columns: user_id, item',
    );
    expect(ColumnMap.none.keys({ a: 1 })).toEqual({ a: 1 });
  });
});
