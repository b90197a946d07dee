import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LruCache } from './lru-cache.js';

describe('LruCache', () => {
  it('forgets the least recently used entry when full', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect(c.size).toBe(2);
  });

  it('keeps nothing at capacity 0 and rejects a bad capacity', () => {
    const c = new LruCache<string, number>(0);
    c.set('a', 1);
    expect(c.get('a')).toBeUndefined();
    expect(() => new LruCache(-1)).toThrow(/capacity/);
    expect(() => new LruCache(1.5)).toThrow(/capacity/);
  });

  it('behaves as a reference model under any sequence of gets and sets', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 6 }), fc.integer()), { maxLength: 60 }),
        (capacity, ops) => {
          const c = new LruCache<number, number>(capacity);
          let model: [number, number][] = []; // least recent first
          for (const [isSet, key, value] of ops) {
            const at = model.findIndex(([k]) => k === key);
            if (isSet) {
              if (capacity === 0) continue;
              c.set(key, value);
              if (at >= 0) model.splice(at, 1);
              model.push([key, value]);
              if (model.length > capacity) model = model.slice(1);
            } else {
              const expected = at >= 0 ? model[at]![1] : undefined;
              expect(c.get(key)).toBe(expected);
              if (at >= 0) model.push(...model.splice(at, 1));
            }
          }
          expect(c.size).toBe(model.length);
        },
      ),
    );
  });
});
