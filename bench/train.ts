/**
 * Fit time and peak memory of every recommender on UCI Online Retail and on a synthetic store with
 * more than a million interactions, plus iALS seconds per iteration at 64 factors next to a
 * single-threaded C implementation of the same algorithm (bench/reference/ials.c), in one run.
 *
 *   npx tsx bench/train.ts [--users 36000] [--iterations 5] [--models popularity,itemknn,...] [--skip-retail]
 *
 * Each model is fitted in its own child process so its peak resident memory can be read
 * (process.resourceUsage().maxRSS); "node + data" is that of a child that loads the data and fits
 * nothing. Multithreaded models get a pool of two workers (the machine's cores).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../src/engine.js';
import { buildInteractions } from '../src/features/interactions.js';
import { generateStore } from '../src/synth/generate.js';
import { readCatalog, toText } from '../src/train/evaluation.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string' },
    models: { type: 'string' },
    'skip-retail': { type: 'boolean' },
    iterations: { type: 'string' },
  },
});
const MODELS = (
  values.models ?? 'popularity,trending,latest,itemknn,userknn,ials,bpr,ease,content,multvae,hybrid'
).split(',');
const root = mkdtempSync(join(tmpdir(), 'cartwise-bench-train-'));
const RETAIL = resolve(import.meta.dirname, '../../shared/datasets/online-retail/online_retail.csv');

interface Dataset {
  name: string;
  dir: string;
  users: number;
  items: number;
  interactions: number;
}

/** Imports files into a fresh store and writes its interaction matrix and catalog for the children. */
async function prepare(name: string, paths: string[]): Promise<Dataset> {
  const dir = join(root, name);
  const engine = await Engine.open({ storeUrl: `duckdb:${join(dir, 'db.duckdb')}` });
  await engine.importFiles(paths);
  const catalog = await readCatalog(engine.store);
  const x = await buildInteractions(engine.store.scanInteractions({ includeAnonymous: false }), {
    catalog: catalog.map((c) => c.id),
  });
  await engine.close();
  const m = x.matrix;
  const header = new Uint32Array([m.rows, m.cols, m.indices.length]);
  writeFileSync(
    join(dir, 'matrix.bin'),
    Buffer.concat(
      [header, m.indptr, m.indices, m.values].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)),
    ),
  );
  writeFileSync(join(dir, 'last-seen.bin'), Buffer.from(x.lastSeen.buffer));
  const byId = new Map(catalog.map((c) => [c.id, c]));
  writeFileSync(join(dir, 'items.json'), JSON.stringify(x.items.list().map((id) => toText(byId.get(id)))));
  writeFileSync(join(dir, 'now.txt'), String(x.now));
  return { name, dir, users: m.rows, items: m.cols, interactions: m.indices.length };
}

function child(
  dataset: Dataset,
  model: string,
  extra: string[] = [],
): { seconds: number; maxRssMb: number; perIteration?: number[] } {
  const out = spawnSync(
    process.execPath,
    ['--import', 'tsx', resolve(import.meta.dirname, 'train-child.ts'), dataset.dir, model, ...extra],
    { encoding: 'utf8' },
  );
  if (out.status !== 0) throw new Error(`${model} on ${dataset.name} failed:\n${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop()!);
}

/** The C reference's seconds per iteration, compiled with `flags`; null without a C compiler. */
function cReference(dataset: Dataset, iterations: number, flags: string[]): number[] | null {
  const exe = join(root, `ials-reference${flags.join('')}`);
  if (!existsSync(exe)) {
    const cc = spawnSync('cc', [
      ...flags,
      '-o',
      exe,
      resolve(import.meta.dirname, 'reference/ials.c'),
      '-lm',
    ]);
    if (cc.status !== 0) return null;
  }
  const out = execFileSync(
    exe,
    [join(dataset.dir, 'matrix.bin'), '64', String(iterations), '3', '1', '0.01'],
    { encoding: 'utf8' },
  );
  return out
    .trim()
    .split('\n')
    .map((l) => Number(l.split(' ')[2]));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const datasets: Dataset[] = [];
  if (!values['skip-retail'] && existsSync(RETAIL)) datasets.push(await prepare('online-retail', [RETAIL]));
  else console.error(`(online-retail skipped: ${RETAIL} absent or --skip-retail)`);
  const users = Number(values.users ?? 36_000);
  const store = join(root, 'generated');
  await generateStore({ users, items: 1000, days: 365, seed: 7, out: store });
  datasets.push(await prepare(`synthetic (${users.toLocaleString('en-US')} shoppers)`, [store]));

  console.log(
    `\n### Fit time and peak memory (${new Date().toISOString().slice(0, 10)}, node ${process.version}, 2 worker threads)\n`,
  );
  console.log(`| model | ${datasets.map((d) => `${d.name}: seconds | peak MB`).join(' | ')} |`);
  console.log(`| --- | ${datasets.map(() => '---: | ---:').join(' | ')} |`);
  const base = datasets.map((d) => child(d, 'none'));
  console.log(`| (node + data, no model) | ${base.map((b) => `- | ${b.maxRssMb.toFixed(0)}`).join(' | ')} |`);
  for (const model of MODELS) {
    const cells = datasets.map((d) => {
      try {
        const r = child(d, model);
        return `${r.seconds.toFixed(2)} | ${r.maxRssMb.toFixed(0)}`;
      } catch (error) {
        return `failed: ${(error as Error).message.split('\n').find((l) => /Error/.test(l)) ?? 'see stderr'} | -`;
      }
    });
    console.log(`| ${model} | ${cells.join(' | ')} |`);
  }
  for (const d of datasets) {
    console.log(
      `\n(${d.name}: ${d.users.toLocaleString('en-US')} users x ${d.items.toLocaleString('en-US')} items, ${d.interactions.toLocaleString('en-US')} distinct interactions)`,
    );
  }

  const iterations = Number(values.iterations ?? 5);
  const STRICT = ['-O3', '-march=native'];
  const FAST = [...STRICT, '-ffast-math'];
  console.log(`\n### iALS, 64 factors, 3 CG steps: seconds per iteration (median of ${iterations})\n`);
  console.log(
    'C, 1 thread, is bench/reference/ials.c: IEEE is `cc -O3 -march=native` (strict floating point, so the reductions stay scalar); fast-math adds `-ffast-math` (vectorized reductions, as BLAS would).\n',
  );
  console.log(
    '| data | C IEEE | C fast-math | TypeScript, 1 thread | vs C IEEE | vs fast-math | TypeScript, 2 threads | vs C IEEE | vs fast-math |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const d of datasets) {
    const strict = cReference(d, iterations, STRICT);
    const fast = cReference(d, iterations, FAST);
    const one = median(child(d, 'ials-epochs', [String(iterations), '1']).perIteration!);
    const two = median(child(d, 'ials-epochs', [String(iterations), '2']).perIteration!);
    const ref = strict ? median(strict) : Number.NaN;
    const refFast = fast ? median(fast) : Number.NaN;
    const fmt = (x: number) => (Number.isNaN(x) ? 'no C compiler' : x.toFixed(3));
    const ratio = (x: number, r: number) => `${(x / r).toFixed(2)}x`;
    console.log(
      `| ${d.name} | ${fmt(ref)} | ${fmt(refFast)} | ${fmt(one)} | ${ratio(one, ref)} | ${ratio(one, refFast)} | ${fmt(two)} | ${ratio(two, ref)} | ${ratio(two, refFast)} |`,
    );
  }
  rmSync(root, { recursive: true, force: true });
}

await main();
