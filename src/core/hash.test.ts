import { describe, expect, it } from 'vitest';
import { deriveSeed, fnv1a32, hash64 } from './hash.js';

describe('fnv1a32', () => {
  it('matches the published FNV-1a test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });
});

describe('hash64', () => {
  it('is stable (golden values) and seed-dependent', () => {
    expect(hash64('message-1')).toEqual(hash64('message-1'));
    expect(hash64('message-1')).not.toEqual(hash64('message-2'));
    expect(hash64('message-1', 1)).not.toEqual(hash64('message-1', 0));
    expect(hash64('')).toEqual([hash64('')[0], hash64('')[1]]);
    expect(hash64('abc')).toMatchInlineSnapshot(`
      [
        2056387065,
        448892045,
      ]
    `);
  });

  it('spreads 200k sequential ids without a collision', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++) seen.add(hash64(`id-${i}`).join(':'));
    expect(seen.size).toBe(200_000);
  });

  it('derives different seeds for different labels', () => {
    expect(deriveSeed(42, 'a')).not.toBe(deriveSeed(42, 'b'));
    expect(deriveSeed(42, 'a')).toBe(deriveSeed(42, 'a'));
  });
});
