import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type FrequentItemsets,
  fpGrowth,
  minCountFor,
  type Transactions,
  transactionsFrom,
} from './fp-growth.js';

/** Itemsets as "a,b:count" strings, in the output order. */
function listed(sets: FrequentItemsets): string[] {
  return Array.from(
    sets.counts,
    (c, s) => `${Array.from(sets.items.subarray(sets.indptr[s]!, sets.indptr[s + 1]!)).join(',')}:${c}`,
  );
}

/** Every itemset over the catalog with its count, by brute force over all 2^items subsets. */
function bruteForce(
  baskets: number[][],
  itemCount: number,
  minSupport: number,
  minLen: number,
  maxLen: number,
) {
  const sets = baskets.map((b) => new Set(b));
  const found: { items: number[]; count: number }[] = [];
  for (let mask = 1; mask < 1 << itemCount; mask++) {
    const items = [...Array(itemCount).keys()].filter((i) => mask & (1 << i));
    if (items.length < minLen || items.length > maxLen) continue;
    const count = sets.filter((s) => items.every((i) => s.has(i))).length;
    if (count > 0 && count / baskets.length >= minSupport) found.push({ items, count });
  }
  found.sort((a, b) => {
    if (a.items.length !== b.items.length) return a.items.length - b.items.length;
    for (let j = 0; j < a.items.length; j++) if (a.items[j] !== b.items[j]) return a.items[j]! - b.items[j]!;
    return 0;
  });
  return found.map((f) => `${f.items.join(',')}:${f.count}`);
}

// a = 0, b = 1, c = 2, d = 3; the second basket repeats items, which must count once.
const BASKETS = [
  [0, 1, 2],
  [1, 0, 1, 0],
  [0, 2],
  [2, 1],
  [3, 0, 1, 2],
];

describe('fpGrowth', () => {
  it('finds the itemsets of a hand-checked example, shortest first, then lexicographic', () => {
    // Counts: a 4, b 4, c 4, d 1; ab 3 (T1 T2 T5), ac 3 (T1 T3 T5), bc 3 (T1 T4 T5), abc 2 (T1 T5).
    const sets = fpGrowth(transactionsFrom(BASKETS), { minSupport: 0.4 });
    expect(sets.minCount).toBe(2);
    expect(sets.transactions).toBe(5);
    expect(listed(sets)).toEqual(['0:4', '1:4', '2:4', '0,1:3', '0,2:3', '1,2:3', '0,1,2:2']);
  });

  it('honours minLen and maxLen, and keeps every itemset down to one basket at the lowest support', () => {
    const data = transactionsFrom(BASKETS);
    expect(listed(fpGrowth(data, { minSupport: 0.4, minLen: 2, maxLen: 2 }))).toEqual([
      '0,1:3',
      '0,2:3',
      '1,2:3',
    ]);
    const all = fpGrowth(data, { minSupport: 0.2 });
    expect(all.minCount).toBe(1);
    expect(all.counts.length).toBe(15); // every non-empty subset of {a, b, c, d} occurs (T5)
    expect(listed(all).at(-1)).toBe('0,1,2,3:1');
  });

  it('applies arules thresholds: count >= ceil(n * support), support lowered by one ulp', () => {
    expect(minCountFor(0.001, 9835)).toBe(10); // arules: 9.835 -> 10 (rules' minimum support 0.001017)
    expect(minCountFor(0.006, 9835)).toBe(60); // 59.01 -> 60 (Lantz's rules: minimum count 60)
    expect(minCountFor(0.07, 100)).toBe(7); // 100 * 0.07 = 7.000000000000001 in doubles; arules says 7
    expect(minCountFor(1e-9, 10)).toBe(1); // itemsets nobody bought are never frequent
    const misses: string[] = [];
    for (let n = 1; n <= 300; n++)
      for (let c = 1; c <= n; c++) if (minCountFor(c / n, n) !== c) misses.push(`${c}/${n}`);
    expect(misses).toEqual([]); // a support of exactly c/n keeps count c
  });

  it('is deterministic and independent of item order within baskets', () => {
    const data = transactionsFrom(BASKETS);
    const shuffled = transactionsFrom(BASKETS.map((b) => [...b].reverse()));
    const a = fpGrowth(data, { minSupport: 0.2 });
    expect(fpGrowth(data, { minSupport: 0.2 })).toEqual(a);
    expect(fpGrowth(shuffled, { minSupport: 0.2 })).toEqual(a);
  });

  it('handles no transactions, empty baskets and nothing frequent', () => {
    const none: Transactions = { indptr: new Uint32Array(1), items: new Uint32Array(0), itemCount: 3 };
    expect(fpGrowth(none).counts.length).toBe(0);
    expect(fpGrowth(transactionsFrom([[], [0], []], 2), { minSupport: 0.5 }).counts.length).toBe(0);
    expect(listed(fpGrowth(transactionsFrom([[], [0], []], 2), { minSupport: 0.3 }))).toEqual(['0:1']);
  });

  it('rejects bad parameters and items outside the catalog', () => {
    const data = transactionsFrom(BASKETS);
    expect(() => fpGrowth(data, { minSupport: 0 })).toThrow(/minSupport/);
    expect(() => fpGrowth(data, { minSupport: 1.5 })).toThrow(/minSupport/);
    expect(() => fpGrowth(data, { maxLen: 0 })).toThrow(/maxLen/);
    expect(() => fpGrowth(data, { minLen: 3, maxLen: 2 })).toThrow(/maxLen/);
    expect(() => fpGrowth(data, { support: 0.1 } as never)).toThrow(/unknown parameter "support"/);
    expect(() => fpGrowth({ ...data, itemCount: 3 })).toThrow(/item 3 outside/);
    expect(() => transactionsFrom([[0, -1]])).toThrow(/dense index/);
    expect(() => transactionsFrom([[0, 5]], 3)).toThrow(/outside/);
  });

  it('equals a brute-force enumeration on random transaction sets (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }).chain((itemCount) =>
          fc.record({
            itemCount: fc.constant(itemCount),
            baskets: fc.array(fc.array(fc.integer({ min: 0, max: itemCount - 1 }), { maxLength: 8 }), {
              minLength: 1,
              maxLength: 14,
            }),
            minSupport: fc.constantFrom(0.01, 0.1, 0.2, 0.25, 1 / 3, 0.5, 2 / 3, 0.75, 1),
            minLen: fc.integer({ min: 1, max: 3 }),
            extra: fc.integer({ min: 0, max: 7 }),
          }),
        ),
        ({ itemCount, baskets, minSupport, minLen, extra }) => {
          const maxLen = minLen + extra;
          const sets = fpGrowth(transactionsFrom(baskets, itemCount), { minSupport, minLen, maxLen });
          expect(listed(sets)).toEqual(bruteForce(baskets, itemCount, minSupport, minLen, maxLen));
        },
      ),
      { numRuns: 300 },
    );
  });
});
