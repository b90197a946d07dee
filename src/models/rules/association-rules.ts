import { type Artifact, resolveParams } from '../recommend/contract.js';
import { type FrequentItemsets, fpGrowth, resolveFpGrowthParams, type Transactions } from './fp-growth.js';

/**
 * Association rules X => Y from frequent itemsets, with the semantics of R arules `apriori()`
 * (target "rules"): rule support is the support of X ∪ Y, minLen/maxLen count the items of X and Y
 * together, single-item consequents by default, and with minLen = 1 the empty-antecedent rules
 * {} => {y} are kept when y alone passes both thresholds. Plus {@link BasketRules}, the fitted
 * model the serving layer uses for basket completion and "bought together".
 */

/** Hyperparameters of {@link mineRules}; names and defaults of arules' `apriori(parameter = ...)`. */
export interface RuleParams {
  /** Minimum support of X ∪ Y, a fraction of transactions (arules `support`, default 0.1). */
  minSupport: number;
  /** Minimum confidence (arules `confidence`, default 0.8). */
  minConfidence: number;
  /** Fewest items in X ∪ Y (arules `minlen`, default 1, which allows {} => {y}). */
  minLen: number;
  /** Most items in X ∪ Y (arules `maxlen`, default 10). */
  maxLen: number;
  /** Also emit rules whose consequent has several items (arules only emits single-item consequents). */
  multiConsequent: boolean;
}

const RULE_DEFAULTS: RuleParams = {
  minSupport: 0.1,
  minConfidence: 0.8,
  minLen: 1,
  maxLen: 10,
  multiConsequent: false,
};

/** Consequents wider than this are not enumerated (2^k subsets per itemset). */
const MAX_MULTI_LEN = 20;

/**
 * Rules as counts in typed arrays: every measure derives from the three counts, so the set is
 * compact, exact and trivially serialized. Order: by itemset (shorter first, then lexicographic),
 * then by consequent.
 */
export interface Rules {
  readonly transactions: number;
  readonly itemCount: number;
  /** Rule r's antecedent X is lhsItems[lhsPtr[r] .. lhsPtr[r + 1]) (ascending; may be empty). */
  readonly lhsPtr: Uint32Array;
  readonly lhsItems: Uint32Array;
  /** Rule r's consequent Y is rhsItems[rhsPtr[r] .. rhsPtr[r + 1]) (ascending, never empty). */
  readonly rhsPtr: Uint32Array;
  readonly rhsItems: Uint32Array;
  /** Transactions containing X ∪ Y. */
  readonly count: Uint32Array;
  /** Transactions containing X (all of them when X is empty). */
  readonly lhsCount: Uint32Array;
  /** Transactions containing Y. */
  readonly rhsCount: Uint32Array;
}

/** One rule with its measures, for printing, JSON and tests. */
export interface Rule {
  lhs: number[];
  rhs: number[];
  /** P(X ∪ Y): count / transactions. */
  support: number;
  /** P(Y | X). */
  confidence: number;
  /** confidence / P(Y); 1 means independence. */
  lift: number;
  /** P(X ∪ Y) - P(X) P(Y). */
  leverage: number;
  /**
   * (1 - P(Y)) / (1 - confidence); Infinity when confidence is 1 (as in arules). JSON.stringify
   * writes Infinity as null, so serialized rules carry `"conviction": null` for exact rules.
   */
  conviction: number;
  /** Transactions containing X ∪ Y (arules `count`). */
  count: number;
}

/** Number of rules in a set. */
export function ruleCount(rules: Rules): number {
  return rules.count.length;
}

/** support of rule r. */
export function support(rules: Rules, r: number): number {
  return rules.count[r]! / rules.transactions;
}

/** confidence of rule r. */
export function confidence(rules: Rules, r: number): number {
  return rules.count[r]! / rules.lhsCount[r]!;
}

/** lift of rule r: count(X ∪ Y) n / (count(X) count(Y)), one rounding, so {} => {y} is exactly 1. */
export function lift(rules: Rules, r: number): number {
  return (rules.count[r]! * rules.transactions) / (rules.lhsCount[r]! * rules.rhsCount[r]!);
}

/** Rule r with all its measures. */
export function ruleAt(rules: Rules, r: number): Rule {
  const n = rules.transactions;
  const conf = confidence(rules, r);
  const rhsSupport = rules.rhsCount[r]! / n;
  return {
    lhs: Array.from(rules.lhsItems.subarray(rules.lhsPtr[r]!, rules.lhsPtr[r + 1]!)),
    rhs: Array.from(rules.rhsItems.subarray(rules.rhsPtr[r]!, rules.rhsPtr[r + 1]!)),
    support: support(rules, r),
    confidence: conf,
    lift: lift(rules, r),
    leverage: support(rules, r) - (rules.lhsCount[r]! / n) * rhsSupport,
    conviction:
      rules.count[r] === rules.lhsCount[r] ? Number.POSITIVE_INFINITY : (1 - rhsSupport) / (1 - conf),
    count: rules.count[r]!,
  };
}

/** Checks rule parameters (and their FP-Growth part), naming the one at fault. */
export function resolveRuleParams(given: Partial<RuleParams> = {}): Readonly<RuleParams> {
  const p = resolveParams('rules', RULE_DEFAULTS, given);
  resolveFpGrowthParams({ minSupport: p.minSupport, minLen: p.minLen, maxLen: p.maxLen });
  if (!(p.minConfidence >= 0 && p.minConfidence <= 1))
    throw new RangeError('minConfidence must be in [0, 1]');
  return p;
}

/**
 * Finds the counts of itemsets by their items: open addressing over a hash of the item sequence,
 * comparing candidates against the itemsets' CSR, so lookups allocate nothing.
 */
class ItemsetIndex {
  private readonly table: Int32Array;
  private readonly mask: number;

  constructor(private readonly sets: FrequentItemsets) {
    let size = 16;
    while (size < sets.counts.length * 2) size *= 2;
    this.table = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let s = 0; s < sets.counts.length; s++) {
      const from = sets.indptr[s]!;
      let slot = hash(sets.items, from, sets.indptr[s + 1]! - from) & this.mask;
      while (this.table[slot] !== -1) slot = (slot + 1) & this.mask;
      this.table[slot] = s;
    }
  }

  /** The index of the itemset buf[0 .. length), or -1 if it is not frequent. */
  find(buf: Uint32Array, length: number): number {
    const { indptr, items } = this.sets;
    for (let slot = hash(buf, 0, length) & this.mask; ; slot = (slot + 1) & this.mask) {
      const s = this.table[slot]!;
      if (s === -1) return -1;
      const from = indptr[s]!;
      if (indptr[s + 1]! - from !== length) continue;
      let j = 0;
      while (j < length && items[from + j] === buf[j]) j++;
      if (j === length) return s;
    }
  }
}

function hash(a: Uint32Array, from: number, length: number): number {
  let h = Math.imul(2166136261 ^ length, 16777619);
  for (let j = 0; j < length; j++) h = Math.imul(h ^ a[from + j]!, 16777619);
  return (h ^ (h >>> 15)) >>> 0;
}

/** Growable rule storage while rules are generated. */
class RuleBuffer {
  lhsPtr: number[] = [0];
  lhsItems: number[] = [];
  rhsPtr: number[] = [0];
  rhsItems: number[] = [];
  count: number[] = [];
  lhsCount: number[] = [];
  rhsCount: number[] = [];

  push(
    lhs: Uint32Array,
    lhsLength: number,
    rhs: Uint32Array,
    rhsLength: number,
    c: number,
    cx: number,
    cy: number,
  ) {
    for (let j = 0; j < lhsLength; j++) this.lhsItems.push(lhs[j]!);
    for (let j = 0; j < rhsLength; j++) this.rhsItems.push(rhs[j]!);
    this.lhsPtr.push(this.lhsItems.length);
    this.rhsPtr.push(this.rhsItems.length);
    this.count.push(c);
    this.lhsCount.push(cx);
    this.rhsCount.push(cy);
  }

  done(transactions: number, itemCount: number): Rules {
    return {
      transactions,
      itemCount,
      lhsPtr: Uint32Array.from(this.lhsPtr),
      lhsItems: Uint32Array.from(this.lhsItems),
      rhsPtr: Uint32Array.from(this.rhsPtr),
      rhsItems: Uint32Array.from(this.rhsItems),
      count: Uint32Array.from(this.count),
      lhsCount: Uint32Array.from(this.lhsCount),
      rhsCount: Uint32Array.from(this.rhsCount),
    };
  }
}

/**
 * Rules from frequent itemsets that reach `minConfidence`, with minLen <= |X ∪ Y| <= maxLen. The
 * itemsets must be closed under subsets (as FP-Growth returns them with minLen 1): every antecedent
 * and consequent is looked up there. Support was already enforced when the itemsets were mined.
 */
export function associationRules(
  itemsets: FrequentItemsets,
  params: Partial<Pick<RuleParams, 'minConfidence' | 'minLen' | 'maxLen' | 'multiConsequent'>> = {},
): Rules {
  // Support was applied by the miner; any valid value stands in for it here.
  const p = resolveRuleParams({ ...params, minSupport: 1 });
  // arules keeps c >= nextafter(conf, 0) - 1e-12 (its round-off allowance); the ulp is far below 1e-12.
  const threshold = p.minConfidence - 1e-12;
  const { transactions: n, indptr, items, counts } = itemsets;
  const index = new ItemsetIndex(itemsets);
  const out = new RuleBuffer();
  let longest = 1;
  for (let s = 0; s < counts.length; s++) longest = Math.max(longest, indptr[s + 1]! - indptr[s]!);
  const lhs = new Uint32Array(longest);
  const rhs = new Uint32Array(longest);
  const countOf = (buf: Uint32Array, length: number): number => {
    if (length === 0) return n;
    const s = index.find(buf, length);
    if (s < 0)
      throw new Error('associationRules: itemsets are not closed under subsets (mine them with minLen 1)');
    return counts[s]!;
  };
  for (let s = 0; s < counts.length; s++) {
    const from = indptr[s]!;
    const k = indptr[s + 1]! - from;
    if (k < p.minLen || k > p.maxLen) continue;
    const c = counts[s]!;
    if (!p.multiConsequent || k === 1) {
      for (let y = 0; y < k; y++) {
        let m = 0;
        for (let j = 0; j < k; j++) if (j !== y) lhs[m++] = items[from + j]!;
        const cx = countOf(lhs, m);
        if (c / cx < threshold) continue;
        rhs[0] = items[from + y]!;
        out.push(lhs, m, rhs, 1, c, cx, countOf(rhs, 1));
      }
      continue;
    }
    if (k > MAX_MULTI_LEN)
      throw new RangeError(`multiConsequent: itemsets longer than ${MAX_MULTI_LEN} items`);
    for (let mask = 1; mask < 1 << k; mask++) {
      let a = 0;
      let b = 0;
      for (let j = 0; j < k; j++) {
        if (mask & (1 << j)) rhs[b++] = items[from + j]!;
        else lhs[a++] = items[from + j]!;
      }
      const cx = countOf(lhs, a);
      if (c / cx < threshold) continue;
      out.push(lhs, a, rhs, b, c, cx, countOf(rhs, b));
    }
  }
  return out.done(n, itemsets.itemCount);
}

/** Frequent itemsets and the rules drawn from them, as one `apriori(..., target = "rules")` call gives. */
export interface MinedRules {
  itemsets: FrequentItemsets;
  rules: Rules;
}

/** Mines rules from transactions in one step: FP-Growth at minSupport, then {@link associationRules}. */
export function mineRules(data: Transactions, params: Partial<RuleParams> = {}): MinedRules {
  const p = resolveRuleParams(params);
  const itemsets = fpGrowth(data, { minSupport: p.minSupport, minLen: 1, maxLen: p.maxLen });
  return { itemsets, rules: associationRules(itemsets, p) };
}

/** What rules can be ranked by. */
export type RuleOrder = 'confidence' | 'lift' | 'support';

/**
 * Rule indices best first by `by`, ties broken by the other two measures (confidence, lift,
 * support in that order of precedence) and then by index, so the ranking is deterministic.
 */
export function rankRules(rules: Rules, by: RuleOrder = 'confidence'): Uint32Array {
  const m = ruleCount(rules);
  const conf = new Float64Array(m);
  const lifts = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    conf[r] = confidence(rules, r);
    lifts[r] = lift(rules, r);
  }
  const keys: Float64Array[] =
    by === 'confidence'
      ? [conf, lifts, Float64Array.from(rules.count)]
      : by === 'lift'
        ? [lifts, conf, Float64Array.from(rules.count)]
        : [Float64Array.from(rules.count), conf, lifts];
  const order = new Uint32Array(m);
  for (let r = 0; r < m; r++) order[r] = r;
  return order.sort((a, b) => {
    for (const key of keys) if (key[a] !== key[b]) return key[b]! - key[a]!;
    return a - b;
  });
}

/** Copies rules into the order given (a permutation or a subset of rule indices). */
export function selectRules(rules: Rules, order: ArrayLike<number>): Rules {
  const out = new RuleBuffer();
  for (let i = 0; i < order.length; i++) {
    const r = order[i]!;
    const l = rules.lhsItems.subarray(rules.lhsPtr[r]!, rules.lhsPtr[r + 1]!);
    const y = rules.rhsItems.subarray(rules.rhsPtr[r]!, rules.rhsPtr[r + 1]!);
    out.push(l, l.length, y, y.length, rules.count[r]!, rules.lhsCount[r]!, rules.rhsCount[r]!);
  }
  return out.done(rules.transactions, rules.itemCount);
}

/** Items suggested by rules, best first, each with its score and the rule (index) that produced it. */
export interface Suggestions {
  items: Uint32Array;
  /** The producing rule's confidence. */
  scores: Float32Array;
  /** Index of the producing rule, for {@link BasketRules.rule}. */
  rules: Uint32Array;
}

/**
 * Fitted association rules for serving: "complete this basket" and "bought together". Rules are kept
 * ranked by confidence, then lift, then support (see {@link rankRules}), so a suggestion is always
 * explained by the best rule that fires for it. Pure: no I/O, no clock, no randomness.
 */
export class BasketRules {
  readonly name = 'basket-rules';
  /** Rules whose antecedent is exactly {item}, by item: rule indices in rank order. */
  private readonly singlePtr: Uint32Array;
  private readonly singleRules: Uint32Array;

  /** Wraps rules already in ranked order; use {@link fitBasketRules} or {@link loadBasketRules}. */
  constructor(
    readonly params: Readonly<RuleParams>,
    readonly rules: Rules,
  ) {
    const { itemCount, lhsPtr, lhsItems } = rules;
    const m = ruleCount(rules);
    this.singlePtr = new Uint32Array(itemCount + 1);
    for (let r = 0; r < m; r++)
      if (lhsPtr[r + 1]! - lhsPtr[r]! === 1) this.singlePtr[lhsItems[lhsPtr[r]!]! + 1]!++;
    for (let i = 0; i < itemCount; i++) this.singlePtr[i + 1]! += this.singlePtr[i]!;
    this.singleRules = new Uint32Array(this.singlePtr[itemCount]!);
    const fill = this.singlePtr.slice(0, itemCount);
    for (let r = 0; r < m; r++)
      if (lhsPtr[r + 1]! - lhsPtr[r]! === 1) this.singleRules[fill[lhsItems[lhsPtr[r]!]!]!++] = r;
  }

  /** Number of items the model knows (indices 0 .. items - 1). */
  get items(): number {
    return this.rules.itemCount;
  }

  /** Number of rules. */
  get size(): number {
    return ruleCount(this.rules);
  }

  /** Rule `r` (0 = best) with its measures. */
  rule(r: number): Rule {
    return ruleAt(this.rules, r);
  }

  /**
   * Up to k items to add to `basket`: the consequents of rules whose antecedent is a subset of the
   * basket (the empty antecedent always is), best rule first, each item once. Items in the basket,
   * excluded items and indices the model does not know are never suggested.
   */
  complete(basket: ArrayLike<number>, k: number, exclude?: (item: number) => boolean): Suggestions {
    const { lhsPtr, lhsItems, rhsPtr, rhsItems, itemCount } = this.rules;
    const inBasket = new Uint8Array(itemCount);
    for (let j = 0; j < basket.length; j++) {
      const item = basket[j]!;
      if (Number.isInteger(item) && item >= 0 && item < itemCount) inBasket[item] = 1;
    }
    const taken = new Uint8Array(itemCount);
    const picks = new Picks(k, this.items);
    for (let r = 0; r < this.size && !picks.full; r++) {
      let fires = true;
      for (let j = lhsPtr[r]!; j < lhsPtr[r + 1]! && fires; j++) fires = inBasket[lhsItems[j]!] === 1;
      if (!fires) continue;
      for (let j = rhsPtr[r]!; j < rhsPtr[r + 1]! && !picks.full; j++) {
        const y = rhsItems[j]!;
        if (inBasket[y] || taken[y] || exclude?.(y)) continue;
        taken[y] = 1;
        picks.add(y, confidence(this.rules, r), r);
      }
    }
    return picks.result();
  }

  /**
   * Up to k items bought with `item`: consequents of the rules {item} => Y, best rule first, each
   * item once. Empty for an item the model does not know or that starts no rule.
   */
  boughtTogether(item: number, k: number, exclude?: (item: number) => boolean): Suggestions {
    const picks = new Picks(k, this.items);
    if (!(Number.isInteger(item) && item >= 0 && item < this.items)) return picks.result();
    const { rhsPtr, rhsItems } = this.rules;
    const taken = new Uint8Array(this.items);
    taken[item] = 1;
    for (let j = this.singlePtr[item]!; j < this.singlePtr[item + 1]! && !picks.full; j++) {
      const r = this.singleRules[j]!;
      for (let q = rhsPtr[r]!; q < rhsPtr[r + 1]! && !picks.full; q++) {
        const y = rhsItems[q]!;
        if (taken[y] || exclude?.(y)) continue;
        taken[y] = 1;
        picks.add(y, confidence(this.rules, r), r);
      }
    }
    return picks.result();
  }

  /** Learned state for storage: the rule counts as typed arrays, parameters and sizes as JSON. */
  toArtifact(): Artifact {
    const { rules } = this;
    return {
      name: this.name,
      params: { ...this.params },
      meta: { transactions: rules.transactions, items: rules.itemCount, rules: this.size },
      arrays: {
        lhsPtr: rules.lhsPtr,
        lhsItems: rules.lhsItems,
        rhsPtr: rules.rhsPtr,
        rhsItems: rules.rhsItems,
        count: rules.count,
        lhsCount: rules.lhsCount,
        rhsCount: rules.rhsCount,
      },
    };
  }
}

/** Collects up to k suggestions in arrival order (callers visit rules best first). */
class Picks {
  private readonly items: Uint32Array;
  private readonly scores: Float32Array;
  private readonly rules: Uint32Array;
  private n = 0;

  constructor(k: number, items: number) {
    const cap = k > 0 ? Math.min(Math.floor(k), items) : 0;
    this.items = new Uint32Array(cap);
    this.scores = new Float32Array(cap);
    this.rules = new Uint32Array(cap);
  }

  get full(): boolean {
    return this.n >= this.items.length;
  }

  add(item: number, score: number, rule: number): void {
    this.items[this.n] = item;
    this.scores[this.n] = score;
    this.rules[this.n++] = rule;
  }

  result(): Suggestions {
    return {
      items: this.items.slice(0, this.n),
      scores: this.scores.slice(0, this.n),
      rules: this.rules.slice(0, this.n),
    };
  }
}

/** Mines rules from transactions and ranks them for serving. */
export function fitBasketRules(data: Transactions, params: Partial<RuleParams> = {}): BasketRules {
  const p = resolveRuleParams(params);
  const { rules } = mineRules(data, p);
  return new BasketRules(p, selectRules(rules, rankRules(rules, 'confidence')));
}

const ARRAYS = ['lhsPtr', 'lhsItems', 'rhsPtr', 'rhsItems', 'count', 'lhsCount', 'rhsCount'] as const;

/** Restores a model written by {@link BasketRules.toArtifact}, checking its shape first. */
export function loadBasketRules(artifact: Artifact): BasketRules {
  if (artifact.name !== 'basket-rules') throw new Error(`not a basket-rules artifact: ${artifact.name}`);
  const params = resolveRuleParams(artifact.params as Partial<RuleParams>);
  const { transactions, items, rules: m } = artifact.meta;
  if (typeof transactions !== 'number' || typeof items !== 'number' || typeof m !== 'number')
    throw new Error('basket-rules artifact: meta needs transactions, items and rules');
  const arrays: Record<(typeof ARRAYS)[number], Uint32Array> = {} as Record<
    (typeof ARRAYS)[number],
    Uint32Array
  >;
  for (const key of ARRAYS) {
    const a = artifact.arrays[key];
    if (!(a instanceof Uint32Array)) throw new Error(`basket-rules artifact: ${key} must be a Uint32Array`);
    arrays[key] = a;
  }
  const { lhsPtr, lhsItems, rhsPtr, rhsItems, count, lhsCount, rhsCount } = arrays;
  if (
    lhsPtr.length !== m + 1 ||
    rhsPtr.length !== m + 1 ||
    count.length !== m ||
    lhsCount.length !== m ||
    rhsCount.length !== m ||
    lhsPtr[m] !== lhsItems.length ||
    rhsPtr[m] !== rhsItems.length ||
    lhsItems.some((i) => i >= items) ||
    rhsItems.some((i) => i >= items)
  )
    throw new Error('basket-rules artifact: arrays do not describe the stated rules');
  return new BasketRules(params, {
    transactions,
    itemCount: items,
    lhsPtr,
    lhsItems,
    rhsPtr,
    rhsItems,
    count,
    lhsCount,
    rhsCount,
  });
}
