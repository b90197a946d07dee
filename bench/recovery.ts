/**
 * Do the models recover what the generator planted? On a synthetic store from `cartwise generate`
 * (known taste vectors, item vectors and co-purchase pairs):
 *
 *   npx tsx bench/recovery.ts [--users 20000] [--items 1000] [--days 365] [--seed 11]
 *
 * 1. Accuracy on a temporal split (last 20% of events), each model next to popularity.
 * 2. Item neighborhoods: overlap of each model's 10 most similar items with the 10 nearest by the
 *    planted item vectors (cosine), next to what random neighbors and same-category neighbors get.
 * 3. Planted co-purchase pairs: share of pairs whose partner is among a model's 10 most similar items.
 * 4. Cold items (no interaction before the cut-off): AUC of the item a user actually chose among
 *    all cold items, by each model's scores (0.5 = no idea).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { columnCounts } from '../src/core/csr.js';
import { topK } from '../src/core/topk.js';
import { Engine } from '../src/engine.js';
import { evaluate } from '../src/eval/evaluate.js';
import { temporal } from '../src/eval/protocols.js';
import { readEventLog } from '../src/features/interactions.js';
import type { Fitted, ItemText } from '../src/models/recommend/contract.js';
import { createRecommender } from '../src/models/recommend/registry.js';
import { generateStore } from '../src/synth/generate.js';
import { readCatalog, toText } from '../src/train/evaluation.js';
import { WorkerPool } from '../src/train/worker-pool.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string' },
    items: { type: 'string' },
    days: { type: 'string' },
    seed: { type: 'string' },
    models: { type: 'string' },
  },
});
const MODELS = (values.models ?? 'popularity,itemknn,userknn,ials,bpr,ease,content,hybrid').split(',');
const root = mkdtempSync(join(tmpdir(), 'cartwise-bench-recovery-'));

interface TruthItem {
  id: string;
  category: string;
  vector: number[];
  partner: string | null;
}

const cosine = (a: number[], b: number[]) => {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return d / (Math.sqrt(na * nb) || 1);
};

async function main(): Promise<void> {
  const out = join(root, 'store');
  const users = Number(values.users ?? 20_000);
  const items = Number(values.items ?? 1000);
  await generateStore({
    users,
    items,
    days: Number(values.days ?? 365),
    seed: Number(values.seed ?? 11),
    out,
  });
  const truth = JSON.parse(readFileSync(join(out, 'truth.json'), 'utf8')) as {
    items: TruthItem[];
    copurchase: { a: string; b: string }[];
  };
  const engine = await Engine.open({ storeUrl: `duckdb:${join(root, 'db.duckdb')}` });
  await engine.importFiles([out]);
  const catalog = await readCatalog(engine.store);
  const { log, items: ids } = await readEventLog(engine.store.scanInteractions(), {
    catalog: catalog.map((c) => c.id),
  });
  await engine.close();
  const byId = new Map(catalog.map((c) => [c.id, c]));
  const texts: ItemText[] = ids.list().map((id) => toText(byId.get(id)));
  const split = temporal(log, { testFraction: 0.2 }, { items: texts });
  const pool = WorkerPool.create(2);
  const estimators = MODELS.map((m) => createRecommender(m));
  const results = await evaluate(split, estimators, { ks: [10, 20], parallel: pool });
  const fitted: Fitted[] = [];
  for (const e of estimators) fitted.push(await e.fit(split.train, { parallel: pool }));
  await pool.close();

  console.log(
    `\n### Recovery on a synthetic store (${users.toLocaleString('en-US')} shoppers, ${items} items; ${log.length.toLocaleString('en-US')} events; ${split.protocol}, ${split.cases.length} users judged)\n`,
  );
  const pop = results.find((r) => r.model === 'popularity');
  console.log('| model | ndcg@10 | recall@20 | ndcg@10 vs popularity |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of results) {
    const n = r.metrics['ndcg@10']!.mean;
    console.log(
      `| ${r.model} | ${n.toFixed(4)} | ${r.metrics['recall@20']!.mean.toFixed(4)} | ${pop ? `${(n / pop.metrics['ndcg@10']!.mean).toFixed(2)}x` : ''} |`,
    );
  }

  // Item neighborhoods against the planted item vectors.
  const truthByIndex = ids.list().map((id) => truth.items.find((t) => t.id === id));
  const known = truthByIndex.map((t, i) => (t ? i : -1)).filter((i) => i >= 0);
  const trueNeighbors = new Map<number, Set<number>>();
  for (const i of known) {
    const sims = new Float32Array(ids.size).fill(Number.NEGATIVE_INFINITY);
    for (const j of known) if (j !== i) sims[j] = cosine(truthByIndex[i]!.vector, truthByIndex[j]!.vector);
    trueNeighbors.set(i, new Set(topK(sims, 10).items));
  }
  const sameCategory = (i: number) => {
    const s = new Float32Array(ids.size).fill(Number.NEGATIVE_INFINITY);
    for (const j of known) if (j !== i && truthByIndex[j]!.category === truthByIndex[i]!.category) s[j] = 1;
    return topK(s, 10).items;
  };
  const overlap = (neighbors: (i: number) => ArrayLike<number>) => {
    let total = 0;
    for (const i of known) {
      const truthSet = trueNeighbors.get(i)!;
      const list = neighbors(i);
      let hits = 0;
      for (let r = 0; r < list.length; r++) if (truthSet.has(list[r]!)) hits++;
      total += hits / 10;
    }
    return total / known.length;
  };
  const pairs = truth.copurchase
    .map((p) => [ids.get(p.a), ids.get(p.b)] as const)
    .filter(([a, b]) => a !== undefined && b !== undefined);
  console.log(
    `\n| item neighbors | overlap with the 10 nearest planted vectors | planted co-purchase partner in top 10 (${pairs.length} pairs) |`,
  );
  console.log('| --- | ---: | ---: |');
  console.log(
    `| random (expected) | ${(10 / (known.length - 1)).toFixed(4)} | ${(10 / (known.length - 1)).toFixed(4)} |`,
  );
  console.log(`| same category (truth) | ${overlap(sameCategory).toFixed(4)} | - |`);
  const buffer = new Float32Array(ids.size);
  for (const m of fitted) {
    if (!m.similarItems) continue;
    const near = (i: number) => {
      m.similarItems!(i, buffer);
      return topK(buffer, 10, (j) => j === i).items;
    };
    const partner = pairs.filter(([a, b]) => [...near(a!)].includes(b!)).length / Math.max(1, pairs.length);
    console.log(`| ${m.name} | ${overlap(near).toFixed(4)} | ${partner.toFixed(4)} |`);
  }

  // Cold items: nobody touched them before the cut-off.
  const counts = columnCounts(split.train.interactions);
  const cold = new Set<number>();
  for (let i = 0; i < counts.length; i++) if (counts[i] === 0) cold.add(i);
  console.log(
    `\n| cold items (${cold.size} without training interactions) | AUC of the chosen cold item among cold items |`,
  );
  console.log('| --- | ---: |');
  for (const m of fitted) {
    let auc = 0;
    let n = 0;
    for (const c of split.cases) {
      const chosen = [...c.relevant].filter((i) => cold.has(i));
      if (chosen.length === 0) continue;
      m.score(c.user, buffer);
      for (const i of chosen) {
        let below = 0;
        let others = 0;
        for (const j of cold) {
          if (j === i) continue;
          others++;
          if (buffer[j]! < buffer[i]!) below++;
          else if (buffer[j] === buffer[i]) below += 0.5;
        }
        auc += others ? below / others : 0.5;
        n++;
      }
    }
    console.log(`| ${m.name} | ${n ? (auc / n).toFixed(3) : '-'} |`);
  }
  rmSync(root, { recursive: true, force: true });
}

await main();
