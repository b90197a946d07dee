import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  associationRules,
  BasketRules,
  fitBasketRules,
  loadBasketRules,
  mineRules,
  type Rules,
  rankRules,
  ruleAt,
  ruleCount,
  selectRules,
} from './association-rules.js';
import { fpGrowth, transactionsFrom } from './fp-growth.js';

/** Rules as "lhs=>rhs" strings, in output order. */
function listed(rules: Rules): string[] {
  return Array.from({ length: ruleCount(rules) }, (_, r) => {
    const { lhs, rhs } = ruleAt(rules, r);
    return `${lhs.join(',')}=>${rhs.join(',')}`;
  });
}

// a = 0, b = 1, c = 2, d = 3 (d only in T5).
const SYMMETRIC = [
  [0, 1, 2],
  [0, 1],
  [0, 2],
  [1, 2],
  [0, 1, 2, 3],
];
// 0 in 5, 1 in 4, 2 in 3, 3 in 2 of 8 baskets; {0,1} in 3, {2,3} in 2, {0,2} in 1.
const SKEWED = [[0, 1], [0, 1], [0, 1], [0, 2], [0], [2, 3], [2, 3], [1]];

describe('associationRules', () => {
  it('keeps {} => {y} with minLen 1, as arules does, and orders rules by itemset then consequent', () => {
    const { rules } = mineRules(transactionsFrom(SYMMETRIC), { minSupport: 0.4, minConfidence: 0.7 });
    // {} => x: 4/5; x => y: 3/4; xy => z: 2/3 < 0.7.
    expect(listed(rules)).toEqual(['=>0', '=>1', '=>2', '1=>0', '0=>1', '2=>0', '0=>2', '2=>1', '1=>2']);
    const two = mineRules(transactionsFrom(SYMMETRIC), { minSupport: 0.4, minConfidence: 0.6, minLen: 2 });
    expect(listed(two.rules).slice(6)).toEqual(['1,2=>0', '0,2=>1', '0,1=>2']);
    const capped = mineRules(transactionsFrom(SYMMETRIC), { minSupport: 0.4, minConfidence: 0.6, maxLen: 2 });
    expect(ruleCount(capped.rules)).toBe(9);
  });

  it('computes support, confidence, lift, leverage, conviction and count (checked by hand)', () => {
    const { rules } = mineRules(transactionsFrom(SYMMETRIC), {
      minSupport: 0.4,
      minConfidence: 0.6,
      minLen: 2,
    });
    const ab = ruleAt(rules, listed(rules).indexOf('0=>1'));
    // support 3/5; confidence 3/4; lift 0.75 / 0.8; leverage 0.6 - 0.8 * 0.8; conviction 0.2 / 0.25.
    expect(ab.count).toBe(3);
    expect(ab.support).toBeCloseTo(0.6, 12);
    expect(ab.confidence).toBeCloseTo(0.75, 12);
    expect(ab.lift).toBeCloseTo(0.9375, 12);
    expect(ab.leverage).toBeCloseTo(-0.04, 12);
    expect(ab.conviction).toBeCloseTo(0.8, 12);
    const abc = ruleAt(rules, listed(rules).indexOf('0,1=>2'));
    // support 2/5; confidence 2/3; lift (2/3) / 0.8; leverage 0.4 - 0.6 * 0.8; conviction 0.2 / (1/3).
    expect([abc.count, abc.support, abc.confidence]).toEqual([2, 0.4, 2 / 3]);
    expect(abc.lift).toBeCloseTo(5 / 6, 12);
    expect(abc.leverage).toBeCloseTo(-0.08, 12);
    expect(abc.conviction).toBeCloseTo(0.6, 12);

    const skewed = mineRules(transactionsFrom(SKEWED), {
      minSupport: 0.25,
      minConfidence: 0.5,
      minLen: 2,
    }).rules;
    expect(listed(skewed)).toEqual(['1=>0', '0=>1', '3=>2', '2=>3']);
    const exact = ruleAt(skewed, 2);
    // {3} => {2}: every basket with 3 has 2: conviction is infinite; lift 2 * 8 / (2 * 3).
    expect(exact).toMatchObject({
      count: 2,
      support: 0.25,
      confidence: 1,
      conviction: Number.POSITIVE_INFINITY,
    });
    expect(exact.lift).toBeCloseTo(8 / 3, 12);
    expect(exact.leverage).toBeCloseTo(0.25 - 0.25 * 0.375, 12);
    expect(JSON.parse(JSON.stringify(exact)).conviction).toBeNull(); // Infinity is serialized as null
    expect(ruleAt(skewed, 3).conviction).toBeCloseTo(0.75 / (1 / 3), 12);
    const empty = mineRules(transactionsFrom(SKEWED), { minSupport: 0.5, minConfidence: 0.5 }).rules;
    expect(ruleAt(empty, 0)).toMatchObject({ lhs: [], rhs: [0], confidence: 0.625, lift: 1, leverage: 0 });
  });

  it('emits multi-item consequents on request, a superset of the single-item rules', () => {
    const data = transactionsFrom(SYMMETRIC);
    const multi = mineRules(data, { minSupport: 0.4, minConfidence: 0.6, multiConsequent: true }).rules;
    const single = mineRules(data, { minSupport: 0.4, minConfidence: 0.6 }).rules;
    expect(listed(multi)).toEqual(expect.arrayContaining(listed(single)));
    // a => bc: 2/4 < 0.6 fails; {} => ab: 3/5 = 0.6 passes.
    expect(listed(multi)).toContain('=>0,1');
    expect(listed(multi)).not.toContain('0=>1,2');
    expect(
      listed(mineRules(data, { minSupport: 0.4, minConfidence: 0.5, multiConsequent: true }).rules),
    ).toContain('0=>1,2');
  });

  it('needs itemsets closed under subsets and rejects bad parameters', () => {
    const pairs = fpGrowth(transactionsFrom(SYMMETRIC), { minSupport: 0.4, minLen: 2 });
    expect(() => associationRules(pairs, { minConfidence: 0.5 })).toThrow(/closed under subsets/);
    const data = transactionsFrom(SYMMETRIC);
    expect(() => mineRules(data, { minConfidence: 1.2 })).toThrow(/minConfidence/);
    expect(() => mineRules(data, { minSupport: -1 })).toThrow(/minSupport/);
    expect(() => mineRules(data, { confidence: 0.5 } as never)).toThrow(/unknown parameter/);
  });

  it('ranks by confidence, lift or support with deterministic ties', () => {
    const { rules } = mineRules(transactionsFrom(SKEWED), {
      minSupport: 0.25,
      minConfidence: 0.5,
      minLen: 2,
    });
    // 1=>0 (conf .75, lift 1.2), 0=>1 (.6, 1.2), 3=>2 (1, 8/3), 2=>3 (2/3, 8/3); counts 3, 3, 2, 2.
    expect(Array.from(rankRules(rules, 'confidence'))).toEqual([2, 0, 3, 1]);
    expect(Array.from(rankRules(rules, 'lift'))).toEqual([2, 3, 0, 1]);
    expect(Array.from(rankRules(rules, 'support'))).toEqual([0, 1, 2, 3]);
    expect(listed(selectRules(rules, [3, 0]))).toEqual(['2=>3', '1=>0']);
  });

  it('equals a brute-force rule enumeration on random transaction sets (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((itemCount) =>
          fc.record({
            itemCount: fc.constant(itemCount),
            baskets: fc.array(fc.array(fc.integer({ min: 0, max: itemCount - 1 }), { maxLength: 6 }), {
              minLength: 1,
              maxLength: 12,
            }),
            minSupport: fc.constantFrom(0.1, 0.2, 0.25, 1 / 3, 0.5),
            minConfidence: fc.constantFrom(0, 0.3, 0.5, 2 / 3, 0.8, 1),
            minLen: fc.integer({ min: 1, max: 3 }),
            maxLen: fc.integer({ min: 3, max: 6 }),
          }),
        ),
        ({ itemCount, baskets, minSupport, minConfidence, minLen, maxLen }) => {
          const { rules } = mineRules(transactionsFrom(baskets, itemCount), {
            minSupport,
            minConfidence,
            minLen,
            maxLen,
          });
          const sets = baskets.map((b) => new Set(b));
          const count = (items: number[]) => sets.filter((s) => items.every((i) => s.has(i))).length;
          const expected: string[] = [];
          for (let mask = 1; mask < 1 << itemCount; mask++) {
            const items = [...Array(itemCount).keys()].filter((i) => mask & (1 << i));
            const c = count(items);
            if (items.length < minLen || items.length > maxLen || c === 0 || c / baskets.length < minSupport)
              continue;
            for (const y of items) {
              const lhs = items.filter((i) => i !== y);
              if (c / count(lhs) >= minConfidence - 1e-9) expected.push(`${lhs.join(',')}=>${y}:${c}`);
            }
          }
          const got = listed(rules).map((s, r) => `${s}:${rules.count[r]}`);
          expect(got.sort()).toEqual(expected.sort());
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('BasketRules', () => {
  const model = fitBasketRules(transactionsFrom(SKEWED), { minSupport: 0.25, minConfidence: 0.5, minLen: 2 });

  it('keeps rules ranked by confidence, then lift', () => {
    expect(model.size).toBe(4);
    expect(model.items).toBe(4);
    expect([0, 1, 2, 3].map((r) => `${model.rule(r).lhs}=>${model.rule(r).rhs}`)).toEqual([
      '3=>2',
      '1=>0',
      '2=>3',
      '0=>1',
    ]);
  });

  it('completes a basket from rules whose antecedent it contains, with the rule behind each item', () => {
    const a = model.complete([3, 1], 10);
    expect(Array.from(a.items)).toEqual([2, 0]);
    expect(Array.from(a.scores)).toEqual([1, 0.75]);
    expect(Array.from(a.rules)).toEqual([0, 1]);
    expect(Array.from(model.complete([0, 2], 10).items)).toEqual([3, 1]);
    expect(Array.from(model.complete(new Uint32Array([0, 2]), 1).items)).toEqual([3]);
    // Already in the basket, excluded, unknown (99) or absent antecedents: nothing to suggest.
    expect(Array.from(model.complete([2, 3], 10).items)).toEqual([]);
    expect(Array.from(model.complete([0, 2], 10, (i) => i === 3).items)).toEqual([1]);
    expect(Array.from(model.complete([99, -1, 0.5], 10).items)).toEqual([]);
    expect(model.complete([3], 0).items.length).toBe(0);
    expect(Array.from(model.complete([3, 1], Number.POSITIVE_INFINITY).items)).toEqual([2, 0]);
    expect(model.complete([3, 1], Number.NaN).items.length).toBe(0);
  });

  it('falls back to {} => {y} rules for any basket when minLen is 1', () => {
    const popular = fitBasketRules(transactionsFrom(SYMMETRIC), { minSupport: 0.4, minConfidence: 0.7 });
    expect(Array.from(popular.complete([], 2).items)).toEqual([0, 1]);
    expect(Array.from(popular.complete([0], 10).items)).toEqual([1, 2]); // d (3) is in no rule: k is not reached
    expect(Array.from(popular.complete([0], 10, (i) => i === 1).items)).toEqual([2]);
  });

  it('lists what is bought together with one item: rules whose antecedent is exactly that item', () => {
    expect(Array.from(model.boughtTogether(3, 5).items)).toEqual([2]);
    expect(Array.from(model.boughtTogether(0, 5).scores)).toEqual([Math.fround(0.6)]);
    expect(Array.from(model.boughtTogether(0, 5, (i) => i === 1).items)).toEqual([]);
    expect(Array.from(model.boughtTogether(99, 5).items)).toEqual([]);
    const popular = fitBasketRules(transactionsFrom(SYMMETRIC), { minSupport: 0.4, minConfidence: 0.6 });
    expect(Array.from(popular.boughtTogether(0, 10).items)).toEqual([1, 2]); // not the {a,b} => c rules
    expect(Array.from(popular.boughtTogether(0, 1).items)).toEqual([1]);
  });

  it('round-trips through an artifact and rejects malformed ones', () => {
    const artifact = model.toArtifact();
    expect(artifact.name).toBe('basket-rules');
    expect(artifact.meta).toEqual({ transactions: 8, items: 4, rules: 4 });
    expect(JSON.parse(JSON.stringify({ params: artifact.params, meta: artifact.meta }))).toEqual({
      params: artifact.params,
      meta: artifact.meta,
    });
    const copy = loadBasketRules(structuredClone(artifact));
    expect(copy).toBeInstanceOf(BasketRules);
    expect(copy.params).toEqual(model.params);
    expect(copy.rules).toEqual(model.rules);
    expect(copy.complete([0, 2], 10)).toEqual(model.complete([0, 2], 10));
    expect(copy.boughtTogether(1, 3)).toEqual(model.boughtTogether(1, 3));
    expect(() => loadBasketRules({ ...artifact, name: 'ease' })).toThrow(/not a basket-rules/);
    expect(() =>
      loadBasketRules({ ...artifact, arrays: { ...artifact.arrays, count: new Uint32Array(1) } }),
    ).toThrow(/do not describe/);
    expect(() =>
      loadBasketRules({ ...artifact, arrays: { ...artifact.arrays, rhsItems: new Float32Array(4) } }),
    ).toThrow(/rhsItems must be a Uint32Array/);
  });
});
