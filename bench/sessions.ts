/**
 * Session-based recommenders on the DIGINETICA sample, with session-rec's protocol:
 *
 *   npx tsx bench/sessions.ts [path/to/sample_train-item-views.csv]
 *
 * The file is imported through the real Engine (preset `diginetica`) into a temporary store, read
 * back as sessions (one per DIGINETICA session_id: no inactivity split), filtered and split as
 * session-rec's diginetica config does (items with >= 5 views, sessions with >= 2, the last 7 days
 * as test), and every model predicts every next view of the test sessions from its prefix. A
 * second table drops the item-support filter (the sample is small), and a third measures request
 * latency on 100,000 synthetic sessions. Default hyperparameters throughout: nothing is tuned.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Rng } from '../src/core/rng.js';
import { Engine } from '../src/engine.js';
import type { Estimate } from '../src/eval/metrics.js';
import { evaluateNextItems, type SessionSplit, sessionProtocol } from '../src/eval/sessions.js';
import { buildSessions } from '../src/features/sessions.js';
import type { SessionData } from '../src/models/session/contract.js';
import { SESSION_MODELS } from '../src/models/session/registry.js';

const file =
  process.argv[2] ??
  resolve(import.meta.dirname, '../../shared/datasets/diginetica-sample/sample_train-item-views.csv');
const MODELS = ['popular', 'markov', 'sr', 'sknn', 'vsknn'];
const TEST_DAYS = 7; // session-rec conf/preprocess/session_based/single/diginetica.yml: days_test 7

const fmt = (m: Estimate) => `${m.mean.toFixed(4)} ±${((m.ci[1] - m.ci[0]) / 2).toFixed(4)}`;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const count = (d: SessionData) => d.indptr.length - 1;
const itemsIn = (d: SessionData) => new Set(d.items).size;
const paramsOf = (p: Readonly<Record<string, unknown>>) =>
  Object.keys(p).length === 0
    ? '-'
    : Object.entries(p)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');

function table(title: string, split: SessionSplit): void {
  const { train, test } = split;
  console.log(`\n### ${title}\n`);
  console.log(
    `train: ${count(train).toLocaleString('en-US')} sessions, ${train.items.length.toLocaleString('en-US')} views, ${itemsIn(train).toLocaleString('en-US')} items; ` +
      `test: sessions ending after ${new Date(split.testFrom).toISOString().slice(0, 16)}Z, ${count(test)} sessions, ${test.items.length - count(test)} predictions\n`,
  );
  console.log(
    '| model | parameters | HR@20 | MRR@20 | HR@10 | MRR@10 | HR@20 vs popular | fit ms | ms / prediction |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  let reference = Number.NaN;
  for (const id of MODELS) {
    const estimator = SESSION_MODELS[id]!.create();
    const t0 = performance.now();
    const model = estimator.fit(train);
    const t1 = performance.now();
    const report = evaluateNextItems(model, test, { ks: [20, 10] });
    const t2 = performance.now();
    const m = report.metrics;
    if (id === 'popular') reference = m['hr@20']!.mean;
    console.log(
      `| ${id} | ${paramsOf(estimator.params)} | ${fmt(m['hr@20']!)} | ${fmt(m['mrr@20']!)} | ${fmt(m['hr@10']!)} | ${fmt(m['mrr@10']!)} | ` +
        `${(m['hr@20']!.mean / reference).toFixed(2)}x | ${(t1 - t0).toFixed(1)} | ${((t2 - t1) / report.predictions).toFixed(4)} |`,
    );
  }
}

/** Sessions of 2-10 views over `items` items with Zipf-like popularity and topical locality. */
function synthetic(sessions: number, items: number, seed: number): SessionData {
  const rng = new Rng(seed);
  const indptr = new Uint32Array(sessions + 1);
  const list: number[] = [];
  const times: number[] = [];
  const zipf = () => Math.min(items - 1, Math.floor(items ** rng.float()) - 1);
  for (let s = 0; s < sessions; s++) {
    const len = 2 + rng.int(9);
    let item = zipf();
    for (let j = 0; j < len; j++) {
      list.push(item);
      times.push(s * 60_000 + j * 1000);
      item = rng.bernoulli(0.6) ? (item + 1 + rng.int(20)) % items : zipf();
    }
    indptr[s + 1] = list.length;
  }
  return { indptr, items: Uint32Array.from(list), times: Float64Array.from(times), itemCount: items };
}

function latency(): void {
  const data = synthetic(100_000, 20_000, 7);
  const rng = new Rng(8);
  const requests = Array.from({ length: 2000 }, () => {
    const s = rng.int(count(data));
    const from = data.indptr[s]!;
    return data.items.subarray(from, from + 1 + rng.int(data.indptr[s + 1]! - from));
  });
  console.log(
    `\n### Request latency: 100,000 synthetic sessions (${data.items.length.toLocaleString('en-US')} views, 20,000 items), 2,000 requests of 1-10 views, k = 20\n`,
  );
  console.log('| model | fit ms | ms / request | vs markov |');
  console.log('| --- | ---: | ---: | ---: |');
  let reference = Number.NaN;
  for (const id of MODELS) {
    const t0 = performance.now();
    const model = SESSION_MODELS[id]!.create().fit(data);
    const t1 = performance.now();
    for (const r of requests) model.recommend(r, 20);
    const ms = (performance.now() - t1) / requests.length;
    if (id === 'markov') reference = ms;
    console.log(
      `| ${id} | ${(t1 - t0).toFixed(0)} | ${ms.toFixed(4)} | ${Number.isNaN(reference) ? '' : `${(ms / reference).toFixed(1)}x`} |`,
    );
  }
}

async function main(): Promise<void> {
  if (!existsSync(file)) {
    console.log(
      `sample_train-item-views.csv not found at ${file}; pass its path (DIGINETICA / CIKM Cup 2016 item views)`,
    );
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'cartwise-bench-sessions-'));
  const engine = await Engine.open({ storeUrl: `duckdb:${join(root, 'db.duckdb')}` });
  try {
    const imported = await engine.importFiles([file], { preset: 'diginetica' });
    const built = await buildSessions(engine.store.scanInteractions(), {
      events: ['Product Viewed'],
      gapMinutes: Number.POSITIVE_INFINITY,
      minLength: 2,
    });
    const s = built.sessions;
    console.log(
      `\n## DIGINETICA sample (${file.split('/').at(-1)}): ${imported.events.accepted.toLocaleString('en-US')} views imported, ` +
        `${built.counts.shoppers.toLocaleString('en-US')} sessions, ${count(s).toLocaleString('en-US')} with >= 2 views ` +
        `(${day(s.times.reduce((a, b) => Math.min(a, b)))} .. ${day(s.times.reduce((a, b) => Math.max(a, b)))})`,
    );
    console.log(
      '\nProtocol of session-rec (Ludewig & Jannach 2018): the test set is the sessions ending in the last ' +
        `${TEST_DAYS} days (days_test of session-rec's diginetica config); test views of items unseen in training removed, ` +
        'then test sessions shorter than 2 dropped; every next view predicted from its prefix over the whole catalog, ' +
        'nothing excluded. ± is the 95% interval across predictions. Default hyperparameters, nothing tuned. ' +
        'This sample (12k views) is far smaller than DIGINETICA (about 1M views after filtering): ' +
        'these figures are NOT comparable with published full-DIGINETICA results. For orientation only: on the full data, ' +
        "session-rec's studies (Ludewig & Jannach 2018; Ludewig et al. 2021) find the nearest-neighbour methods " +
        '(V-SKNN, S-KNN) at or near the top and popularity at the bottom; exact published figures are not quoted here.',
    );
    table(
      `session-rec filter: items with >= 5 views, sessions with >= 2 views, test = last ${TEST_DAYS} days`,
      sessionProtocol(s, { minItemSupport: 5, minSessionLength: 2, testDays: TEST_DAYS }),
    );
    table(
      `Without the item filter (items with >= 1 view), sessions with >= 2 views, test = last ${TEST_DAYS} days`,
      sessionProtocol(s, { minItemSupport: 1, minSessionLength: 2, testDays: TEST_DAYS }),
    );
    latency();
    console.log(
      '\nTimes are wall-clock on a shared 2-core machine; compare ratios within one run, not absolute values.',
    );
  } finally {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
