import { describe, expect, it } from 'vitest';
import { hash64 } from './hash.js';
import { KeySet64 } from './key-set.js';

describe('KeySet64', () => {
  it('adds, finds and grows without losing keys', () => {
    const set = new KeySet64(4);
    const reference = new Set<string>();
    for (let i = 0; i < 50_000; i++) {
      const [hi, lo] = hash64(`k${i % 30_000}`);
      expect(set.add(hi, lo)).toBe(!reference.has(`${hi}:${lo}`));
      reference.add(`${hi}:${lo}`);
    }
    expect(set.size).toBe(30_000);
    for (let i = 0; i < 30_000; i++) expect(set.has(...hash64(`k${i}`))).toBe(true);
    for (let i = 30_000; i < 31_000; i++) expect(set.has(...hash64(`k${i}`))).toBe(false);
  });

  it('handles the all-zero key and keys that share a half', () => {
    const set = new KeySet64();
    expect(set.has(0, 0)).toBe(false);
    set.add(0, 0);
    set.add(0, 1);
    set.add(1, 0);
    expect([set.has(0, 0), set.has(0, 1), set.has(1, 0), set.has(1, 1)]).toEqual([true, true, true, false]);
  });
});
