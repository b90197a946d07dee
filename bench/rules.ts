/**
 * FP-Growth against a plain Apriori on Groceries (9,835 baskets, 169 items): frequent itemsets and
 * association rules at the supports and confidences of the arules literature, both algorithms timed
 * in the same run, with the ratio. Rules are drawn from each algorithm's itemsets by the same
 * generator, and the two itemset lists must be identical (checked on every row).
 *
 *   npx tsx bench/rules.ts [path/to/groceries.csv] [--reps 5]
 *
 * The Apriori here is the textbook level-wise algorithm (Agrawal & Srikant 1994): join frequent
 * (k-1)-itemsets sharing a (k-2)-prefix, prune candidates with an infrequent subset, count the
 * survivors with one pass over the baskets. Its only care for speed: within a basket it visits only
 * candidates whose first item the basket holds. Times are medians of --reps runs (machines are
 * shared: read the ratio, not the milliseconds).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { associationRules, ruleCount } from '../src/models/rules/association-rules.js';
import {
  type FrequentItemsets,
  fpGrowth,
  minCountFor,
  type Transactions,
  transactionsFrom,
} from '../src/models/rules/fp-growth.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { reps: { type: 'string', default: '5' } },
});
const path = positionals[0] ?? resolve(import.meta.dirname, '../../shared/datasets/groceries/groceries.csv');
if (!existsSync(path)) {
  console.log(`${path}: not found; pass the path of groceries.csv (one basket per line, comma-separated)`);
  process.exit(0);
}
const reps = Math.max(1, Number(values.reps) || 5);

const ids = new Map<string, number>();
const baskets = readFileSync(path, 'utf8')
  .split(/\r?\n/)
  .filter((line) => line.trim() !== '')
  .map((line) =>
    line.split(',').map((raw) => {
      const label = raw.trim();
      if (!ids.has(label)) ids.set(label, ids.size);
      return ids.get(label)!;
    }),
  );
const data = transactionsFrom(baskets, ids.size);

/** Level-wise Apriori; returns its itemsets in FP-Growth's order (length, then lexicographic). */
function apriori(data: Transactions, minSupport: number, maxLen: number): FrequentItemsets {
  const n = data.indptr.length - 1;
  const minCount = minCountFor(minSupport, n);
  const baskets: Uint32Array[] = [];
  for (let t = 0; t < n; t++)
    baskets.push(Uint32Array.from(new Set(data.items.subarray(data.indptr[t]!, data.indptr[t + 1]!))));
  const itemCounts = new Uint32Array(data.itemCount);
  for (const b of baskets) for (const i of b) itemCounts[i]!++;
  const found: { items: number[]; count: number }[] = [];
  let level: number[][] = [];
  for (let i = 0; i < data.itemCount; i++)
    if (itemCounts[i]! >= minCount) {
      level.push([i]);
      found.push({ items: [i], count: itemCounts[i]! });
    }
  const mark = new Uint8Array(data.itemCount);
  for (let k = 2; k <= maxLen && level.length > 1; k++) {
    // Join sets sharing their first k-2 items; prune candidates with an infrequent (k-1)-subset.
    const known = new Set(level.map((s) => s.join(',')));
    const candidates: number[][] = [];
    for (let a = 0; a < level.length; a++) {
      for (let b = a + 1; b < level.length; b++) {
        const x = level[a]!;
        const y = level[b]!;
        let same = true;
        for (let j = 0; j < k - 2 && same; j++) same = x[j] === y[j];
        if (!same) break; // level is sorted: no later y shares x's prefix
        const c = [...x, y[k - 2]!];
        let keep = true;
        for (let drop = 0; drop < k - 2 && keep; drop++)
          keep = known.has(c.filter((_, j) => j !== drop).join(','));
        if (keep) candidates.push(c);
      }
    }
    if (candidates.length === 0) break;
    const byFirst = new Map<number, [number, number]>();
    candidates.forEach((c, i) => {
      const range = byFirst.get(c[0]!);
      if (range) range[1] = i + 1;
      else byFirst.set(c[0]!, [i, i + 1]);
    });
    const counts = new Uint32Array(candidates.length);
    for (const basket of baskets) {
      if (basket.length < k) continue;
      for (const i of basket) mark[i] = 1;
      for (const first of basket) {
        const range = byFirst.get(first);
        if (!range) continue;
        for (let c = range[0]; c < range[1]; c++) {
          const cand = candidates[c]!;
          let all = true;
          for (let j = 1; j < k && all; j++) all = mark[cand[j]!] === 1;
          if (all) counts[c]!++;
        }
      }
      for (const i of basket) mark[i] = 0;
    }
    level = candidates.filter((_, c) => counts[c]! >= minCount);
    candidates.forEach((items, c) => {
      if (counts[c]! >= minCount) found.push({ items, count: counts[c]! });
    });
  }
  const indptr = new Uint32Array(found.length + 1);
  found.forEach((f, s) => {
    indptr[s + 1] = indptr[s]! + f.items.length;
  });
  return {
    transactions: n,
    itemCount: data.itemCount,
    minCount,
    indptr,
    items: Uint32Array.from(found.flatMap((f) => f.items)),
    counts: Uint32Array.from(found, (f) => f.count),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median wall time of `reps` runs of `f`, and its last result. */
function timed<T>(f: () => T): { ms: number; value: T } {
  const times: number[] = [];
  let value = f();
  for (let r = 0; r < reps; r++) {
    const start = performance.now();
    value = f();
    times.push(performance.now() - start);
  }
  return { ms: median(times), value };
}

const same = (a: FrequentItemsets, b: FrequentItemsets) =>
  a.counts.length === b.counts.length &&
  a.indptr.every((v, i) => v === b.indptr[i]) &&
  a.items.every((v, i) => v === b.items[i]) &&
  a.counts.every((v, i) => v === b.counts[i]);

console.log(
  `Groceries (${path}): ${formatInt(data.indptr.length - 1)} baskets, ${ids.size} items; Node ${process.version}; median of ${reps} runs (1 warm-up).\n`,
);
console.log(
  '| support | confidence | itemsets | rules | FP-Growth ms | Apriori ms | Apriori / FP-Growth | same itemsets |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |');
for (const support of [0.01, 0.005, 0.002, 0.001]) {
  const fp = timed(() => fpGrowth(data, { minSupport: support, maxLen: 10 }));
  const ap = timed(() => apriori(data, support, 10));
  for (const confidence of [0.5, 0.25]) {
    const fpRules = timed(() => associationRules(fp.value, { minConfidence: confidence }));
    const apRules = timed(() => associationRules(ap.value, { minConfidence: confidence }));
    const fpMs = fp.ms + fpRules.ms;
    const apMs = ap.ms + apRules.ms;
    console.log(
      `| ${support} | ${confidence} | ${formatInt(fp.value.counts.length)} | ${formatInt(ruleCount(fpRules.value))} | ${fpMs.toFixed(1)} | ${apMs.toFixed(1)} | ${(apMs / fpMs).toFixed(1)}x | ${same(fp.value, ap.value) && ruleCount(apRules.value) === ruleCount(fpRules.value) ? 'yes' : 'NO'} |`,
    );
  }
}

function formatInt(n: number): string {
  return n.toLocaleString('en-US');
}
