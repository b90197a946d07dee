/**
 * The implicit-feedback leaderboard on UCI Online Retail (customers x products, purchases as
 * implicit feedback, temporal split at a global date), with popularity as the reference row:
 *
 *   npx tsx bench/leaderboard.ts [path/to/online_retail.csv] [--cutoff 2011-09-01] [--tune 9] [--models ...]
 *
 * Shoppers without a customer id (anonymous invoices) are left out; refunds take back their
 * order's signal. Every metric is the mean over the customers judged, with its 95% interval.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../src/engine.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    cutoff: { type: 'string' },
    tune: { type: 'string' },
    models: { type: 'string' },
    params: { type: 'string' },
  },
});
const file =
  positionals[0] ?? resolve(import.meta.dirname, '../../shared/datasets/online-retail/online_retail.csv');
const MODELS = (
  values.models ?? 'popularity,trending,itemknn,userknn,ials,bpr,ease,multvae,content,hybrid'
).split(',');

async function main(): Promise<void> {
  if (!existsSync(file)) {
    console.log(`online_retail.csv not found at ${file}; pass its path (UCI Online Retail, CC BY 4.0)`);
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'cartwise-bench-leaderboard-'));
  const engine = await Engine.open({ storeUrl: `duckdb:${join(root, 'db.duckdb')}` });
  try {
    await engine.importFiles([file]);
    const cutoff = Date.parse(values.cutoff ?? '2011-09-01T00:00:00Z');
    const report = await engine.evaluate(
      {
        protocol: 'temporal',
        models: MODELS,
        ks: [10, 20, 50, 100],
        seed: 42,
        cutoff,
        tune: Number(values.tune ?? 0),
        params: { multvae: { epochs: 30 } },
      },
      (m) => process.stderr.write(`  ${m}\n`),
    );
    const keys = [
      'ndcg@10',
      'recall@20',
      'nrecall@50',
      'ndcg@100',
      'hitrate@10',
      'coverage@10',
      'novelty@10',
    ];
    const ref = report.results.find((r) => r.model === 'popularity');
    console.log(
      `\n### UCI Online Retail, ${report.protocol}: ${report.data.users.toLocaleString('en-US')} customers, ${report.data.items.toLocaleString('en-US')} products, ${report.data.cases.toLocaleString('en-US')} customers judged${values.tune ? `, tuned (${values.tune} candidates)` : ', default parameters'}\n`,
    );
    console.log(`| model | ${keys.join(' | ')} | ndcg@10 vs popularity | fit s |`);
    console.log(`| --- | ${keys.map(() => '---:').join(' | ')} | ---: | ---: |`);
    const ranked = [...report.results].sort(
      (a, b) => b.metrics['ndcg@10']!.mean - a.metrics['ndcg@10']!.mean,
    );
    for (const r of ranked) {
      const cells = keys.map((k) => {
        const m = r.metrics[k]!;
        return m.ci[0] === m.ci[1]
          ? m.mean.toFixed(4)
          : `${m.mean.toFixed(4)} ±${((m.ci[1] - m.ci[0]) / 2).toFixed(4)}`;
      });
      const lift = ref ? `${(r.metrics['ndcg@10']!.mean / ref.metrics['ndcg@10']!.mean).toFixed(2)}x` : '';
      console.log(`| ${r.model} | ${cells.join(' | ')} | ${lift} | ${r.fitSeconds.toFixed(1)} |`);
    }
    if (values.tune) {
      console.log('\nChosen parameters:');
      for (const r of report.results) console.log(`- ${r.model}: ${JSON.stringify(r.params)}`);
    }
  } finally {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
