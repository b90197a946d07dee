import { resolveParams } from '../recommend/contract.js';

/**
 * Frequent itemsets by FP-Growth (Han, Pei & Yin 2000, "Mining frequent patterns without candidate
 * generation"): the transactions are compressed once into a prefix tree of frequent items, then
 * mined recursively through conditional trees. Trees are flat typed arrays (no node objects, no
 * closures in the hot loops). Thresholds follow R arules exactly, so counts match published figures.
 */

/** Baskets as dense item indices in CSR form; the input of every rule miner here. */
export interface Transactions {
  /** Transaction t holds items[indptr[t] .. indptr[t + 1]); length = transactions + 1. */
  readonly indptr: Uint32Array;
  /** Item indices in [0, itemCount); order is free and repeats within a basket count once. */
  readonly items: Uint32Array;
  readonly itemCount: number;
}

/** Packs baskets of item indices into {@link Transactions}, so callers need not build the CSR by hand. */
export function transactionsFrom(baskets: readonly ArrayLike<number>[], itemCount?: number): Transactions {
  let total = 0;
  let max = -1;
  for (const basket of baskets) {
    total += basket.length;
    for (let j = 0; j < basket.length; j++) {
      const item = basket[j]!;
      if (!Number.isInteger(item) || item < 0) throw new RangeError(`item ${item} is not a dense index`);
      if (item > max) max = item;
    }
  }
  const count = itemCount ?? max + 1;
  if (max >= count) throw new RangeError(`item ${max} outside 0..${count - 1}`);
  const indptr = new Uint32Array(baskets.length + 1);
  const items = new Uint32Array(total);
  let k = 0;
  baskets.forEach((basket, t) => {
    for (let j = 0; j < basket.length; j++) items[k++] = basket[j]!;
    indptr[t + 1] = k;
  });
  return { indptr, items, itemCount: count };
}

/** Hyperparameters of {@link fpGrowth}; names and defaults as arules' `eclat`/`apriori` parameters. */
export interface FpGrowthParams {
  /** Minimum support, a fraction of transactions (arules `support`, default 0.1). */
  minSupport: number;
  /** Shortest itemset reported (arules `minlen`, default 1). */
  minLen: number;
  /** Longest itemset mined (arules `maxlen`, default 10). */
  maxLen: number;
}

const DEFAULTS: FpGrowthParams = { minSupport: 0.1, minLen: 1, maxLen: 10 };

/**
 * Frequent itemsets with their counts, as a CSR. Order is deterministic: shorter sets first, then
 * lexicographic by item index; items within a set ascend.
 */
export interface FrequentItemsets {
  /** Number of transactions mined (support = count / transactions). */
  readonly transactions: number;
  readonly itemCount: number;
  /** The absolute count threshold actually applied (see {@link minCountFor}). */
  readonly minCount: number;
  /** Itemset s holds items[indptr[s] .. indptr[s + 1]). */
  readonly indptr: Uint32Array;
  readonly items: Uint32Array;
  /** Transactions containing each itemset. */
  readonly counts: Uint32Array;
}

/** `x` minus one unit in the last place (C's nextafter(x, 0) for x > 0). */
function nextDown(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return x;
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  bits[0]! -= 1n;
  return f[0]!;
}

/**
 * The count threshold arules applies for a support fraction: it lowers the fraction by one ulp
 * (`nextafter(supp, 0)`, so 0.07 of 100 baskets means 7, not 8) and takes `ceil(n * supp)`, i.e.
 * an itemset is frequent when count / n >= supp. Never below 1: unseen itemsets are not reported.
 */
export function minCountFor(minSupport: number, transactions: number): number {
  return Math.max(1, Math.ceil(transactions * nextDown(minSupport)));
}

/** Checks FP-Growth parameters, naming the one at fault. */
export function resolveFpGrowthParams(given: Partial<FpGrowthParams> = {}): Readonly<FpGrowthParams> {
  const p = resolveParams('fpGrowth', DEFAULTS, given);
  if (!(p.minSupport > 0 && p.minSupport <= 1)) throw new RangeError('minSupport must be in (0, 1]');
  if (!Number.isInteger(p.minLen) || p.minLen < 1) throw new RangeError('minLen must be an integer >= 1');
  if (!Number.isInteger(p.maxLen) || p.maxLen < p.minLen)
    throw new RangeError('maxLen must be an integer >= minLen');
  return p;
}

/**
 * A prefix tree of item ranks (0 = most frequent) in flat arrays. Node 0 is the root. Children are a
 * linked list (firstChild / sibling); `link` chains the nodes of one rank from `head`.
 */
class FpTree {
  readonly rank: Int32Array;
  readonly count: Uint32Array;
  readonly parent: Int32Array;
  readonly firstChild: Int32Array;
  readonly sibling: Int32Array;
  readonly link: Int32Array;
  /** First node of each rank, -1 if none. */
  readonly head: Int32Array;
  /** Summed count of each rank's nodes: the support of (suffix + rank). */
  readonly total: Uint32Array;
  size = 1;

  constructor(
    capacity: number,
    readonly ranks: number,
  ) {
    this.rank = new Int32Array(capacity);
    this.count = new Uint32Array(capacity);
    this.parent = new Int32Array(capacity);
    this.firstChild = new Int32Array(capacity);
    this.sibling = new Int32Array(capacity);
    this.link = new Int32Array(capacity);
    this.head = new Int32Array(ranks).fill(-1);
    this.total = new Uint32Array(ranks);
    this.rank[0] = -1;
    this.parent[0] = -1;
    this.firstChild[0] = -1;
    this.sibling[0] = -1;
  }

  /** Adds path[from], path[from + step], ... (ranks ascending) with weight `c`. */
  insert(path: Int32Array, from: number, length: number, step: number, c: number): void {
    let node = 0;
    for (let j = 0, at = from; j < length; j++, at += step) {
      const r = path[at]!;
      let child = this.firstChild[node]!;
      while (child !== -1 && this.rank[child] !== r) child = this.sibling[child]!;
      if (child === -1) {
        child = this.size++;
        this.rank[child] = r;
        this.count[child] = 0;
        this.parent[child] = node;
        this.firstChild[child] = -1;
        this.sibling[child] = this.firstChild[node]!;
        this.firstChild[node] = child;
        this.link[child] = this.head[r]!;
        this.head[r] = child;
      }
      this.count[child]! += c;
      this.total[r]! += c;
      node = child;
    }
  }
}

/** Appends itemsets to growable typed arrays while the recursion runs. */
class Miner {
  items: Uint32Array = new Uint32Array(1024);
  counts: Uint32Array = new Uint32Array(256);
  lengths: Uint32Array = new Uint32Array(256);
  itemsUsed = 0;
  sets = 0;
  /** Ranks of the current suffix, outermost first. */
  readonly suffix: Int32Array;
  /** Scratch for one prefix path (bottom-up). */
  readonly path: Int32Array;

  constructor(
    readonly itemOfRank: Uint32Array,
    readonly minCount: number,
    readonly minLen: number,
    readonly maxLen: number,
  ) {
    this.suffix = new Int32Array(Math.min(maxLen, itemOfRank.length));
    this.path = new Int32Array(itemOfRank.length);
  }

  emit(length: number, count: number): void {
    if (length < this.minLen) return;
    if (this.sets === this.counts.length) {
      this.counts = grow(this.counts, this.sets * 2);
      this.lengths = grow(this.lengths, this.sets * 2);
    }
    if (this.itemsUsed + length > this.items.length)
      this.items = grow(this.items, Math.max(this.items.length * 2, this.itemsUsed + length));
    // Insertion sort of the suffix's items into ascending item order.
    const base = this.itemsUsed;
    for (let j = 0; j < length; j++) {
      const item = this.itemOfRank[this.suffix[j]!]!;
      let at = base + j;
      while (at > base && this.items[at - 1]! > item) {
        this.items[at] = this.items[at - 1]!;
        at--;
      }
      this.items[at] = item;
    }
    this.itemsUsed += length;
    this.counts[this.sets] = count;
    this.lengths[this.sets++] = length;
  }

  mine(tree: FpTree, depth: number): void {
    const { minCount, path } = this;
    for (let r = tree.ranks - 1; r >= 0; r--) {
      const support = tree.total[r]!;
      if (support < minCount) continue;
      this.suffix[depth] = r;
      this.emit(depth + 1, support);
      if (depth + 1 >= this.maxLen || r === 0) continue;
      // Conditional pattern base of rank r: the prefix paths above its nodes (ranks < r).
      const cond = new Uint32Array(r);
      let capacity = 1;
      for (let node = tree.head[r]!; node !== -1; node = tree.link[node]!) {
        const c = tree.count[node]!;
        for (let a = tree.parent[node]!; a > 0; a = tree.parent[a]!) {
          cond[tree.rank[a]!]! += c;
          capacity++;
        }
      }
      let top = r - 1;
      while (top >= 0 && cond[top]! < minCount) top--;
      if (top < 0) continue;
      const sub = new FpTree(capacity, top + 1);
      for (let node = tree.head[r]!; node !== -1; node = tree.link[node]!) {
        let length = 0;
        for (let a = tree.parent[node]!; a > 0; a = tree.parent[a]!) {
          const ar = tree.rank[a]!;
          if (cond[ar]! >= minCount) path[length++] = ar;
        }
        // The path was gathered bottom-up (ranks descending): insert it backwards.
        if (length > 0) sub.insert(path, length - 1, length, -1, tree.count[node]!);
      }
      this.mine(sub, depth + 1);
    }
  }
}

function grow(a: Uint32Array, size: number): Uint32Array {
  const b = new Uint32Array(size);
  b.set(a);
  return b;
}

/**
 * All itemsets whose support reaches `minSupport` (as arules counts it, see {@link minCountFor}),
 * with minLen <= size <= maxLen. Deterministic: same transactions, same output, in
 * {@link FrequentItemsets} order.
 */
export function fpGrowth(data: Transactions, params: Partial<FpGrowthParams> = {}): FrequentItemsets {
  const p = resolveFpGrowthParams(params);
  const { indptr, items, itemCount } = data;
  const n = indptr.length - 1;
  const minCount = minCountFor(p.minSupport, n);
  // Item counts, a basket's repeats counted once.
  const itemCounts = new Uint32Array(itemCount);
  const seen = new Int32Array(itemCount).fill(-1);
  for (let t = 0; t < n; t++) {
    for (let k = indptr[t]!; k < indptr[t + 1]!; k++) {
      const item = items[k]!;
      if (item >= itemCount) throw new RangeError(`item ${item} outside 0..${itemCount - 1}`);
      if (seen[item] !== t) {
        seen[item] = t;
        itemCounts[item]!++;
      }
    }
  }
  // Frequent items ranked by count (descending), ties by index: the tree's item order.
  const frequent: number[] = [];
  for (let i = 0; i < itemCount; i++) if (itemCounts[i]! >= minCount) frequent.push(i);
  frequent.sort((a, b) => itemCounts[b]! - itemCounts[a]! || a - b);
  const itemOfRank = Uint32Array.from(frequent);
  const rankOf = new Int32Array(itemCount).fill(-1);
  for (let r = 0; r < itemOfRank.length; r++) rankOf[itemOfRank[r]!] = r;

  let capacity = 1;
  for (let k = 0; k < items.length; k++) if (rankOf[items[k]!]! >= 0) capacity++;
  const tree = new FpTree(capacity, itemOfRank.length);
  const path = new Int32Array(itemOfRank.length);
  seen.fill(-1);
  for (let t = 0; t < n; t++) {
    let length = 0;
    for (let k = indptr[t]!; k < indptr[t + 1]!; k++) {
      const r = rankOf[items[k]!]!;
      if (r < 0 || seen[r] === t) continue;
      seen[r] = t;
      let at = length++;
      while (at > 0 && path[at - 1]! > r) {
        path[at] = path[at - 1]!;
        at--;
      }
      path[at] = r;
    }
    if (length > 0) tree.insert(path, 0, length, 1, 1);
  }

  const miner = new Miner(itemOfRank, minCount, p.minLen, p.maxLen);
  miner.mine(tree, 0);
  return sortItemsets(miner, n, itemCount, minCount);
}

/** Orders the mined sets by length, then lexicographically, into a compact CSR. */
function sortItemsets(miner: Miner, n: number, itemCount: number, minCount: number): FrequentItemsets {
  const { sets, lengths } = miner;
  const start = new Uint32Array(sets + 1);
  for (let s = 0; s < sets; s++) start[s + 1] = start[s]! + lengths[s]!;
  const src = miner.items;
  const order = new Uint32Array(sets);
  for (let s = 0; s < sets; s++) order[s] = s;
  order.sort((a, b) => {
    const la = lengths[a]!;
    const lb = lengths[b]!;
    if (la !== lb) return la - lb;
    const sa = start[a]!;
    const sb = start[b]!;
    for (let j = 0; j < la; j++) {
      const d = src[sa + j]! - src[sb + j]!;
      if (d !== 0) return d;
    }
    return 0;
  });
  const indptr = new Uint32Array(sets + 1);
  const items = new Uint32Array(start[sets]!);
  const counts = new Uint32Array(sets);
  let k = 0;
  for (let s = 0; s < sets; s++) {
    const from = order[s]!;
    items.set(src.subarray(start[from]!, start[from + 1]!), k);
    k += lengths[from]!;
    indptr[s + 1] = k;
    counts[s] = miner.counts[from]!;
  }
  return { transactions: n, itemCount, minCount, indptr, items, counts };
}
