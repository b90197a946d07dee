/**
 * Surprise's published MovieLens-100k benchmark, reproduced: 5-fold cross-validation of each rating
 * model with Surprise's default hyperparameters, mean RMSE and MAE over the folds, and the wall time
 * of the whole 5-fold run (fit + predicting every test rating), next to Surprise's own table.
 *
 *   npx tsx bench/surprise.ts path/to/ml-100k/u.data [--seed 0] [--models svd,nmf]
 *   npx tsx bench/surprise.ts --synthetic [--seed 0]
 *
 * MovieLens' terms forbid redistribution, so the project ships no copy: download ml-100k from
 * GroupLens yourself. `--synthetic` runs the same protocol on generated ratings of ML-100k's shape
 * (943 users, 1682 items, 100,000 ratings on 1-5, each user >= 20) with planted biases, a rank-10
 * taste structure and noise; it checks the models against each other, not against Surprise.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  kfold,
  mae,
  predictRatings,
  type RatingTriplets,
  rmse,
  syntheticRatings,
} from '../src/eval/ratings.js';
import { baseline } from '../src/models/recommend/baseline.js';
import type { Estimator } from '../src/models/recommend/contract.js';
import { knnBaseline } from '../src/models/recommend/knn-baseline.js';
import { nmf } from '../src/models/recommend/nmf.js';
import { svd } from '../src/models/recommend/svd.js';
import { svdpp } from '../src/models/recommend/svdpp.js';

/**
 * Surprise's README table "Movielens 100k" (5-fold CV, default parameters, benchmark.py; "a laptop
 * with an intel i5 11th Gen 2.60GHz"). SVD++ is the cache_ratings=False row.
 */
const PUBLISHED: Record<string, { rmse: number; mae: number; seconds: number }> = {
  BaselineOnly: { rmse: 0.944, mae: 0.748, seconds: 2 },
  SVD: { rmse: 0.934, mae: 0.737, seconds: 6 },
  'SVD++': { rmse: 0.919, mae: 0.721, seconds: 99 },
  NMF: { rmse: 0.963, mae: 0.758, seconds: 6 },
  KNNBaseline: { rmse: 0.931, mae: 0.733, seconds: 13 },
};

interface Entry {
  /** Row label; `published` keys Surprise's figures. */
  label: string;
  key: string;
  published?: string;
  create: () => Estimator;
}

const MODELS: Entry[] = [
  { label: 'BaselineOnly (ALS)', key: 'baseline', published: 'BaselineOnly', create: () => baseline() },
  { label: 'SVD', key: 'svd', published: 'SVD', create: () => svd() },
  { label: 'SVD++', key: 'svdpp', published: 'SVD++', create: () => svdpp() },
  { label: 'NMF', key: 'nmf', published: 'NMF', create: () => nmf() },
  // Surprise's KNNBaseline() defaults to the msd similarity, user-based: that is what its table measured.
  {
    label: 'KNNBaseline (msd, user-based)',
    key: 'knnbaseline',
    published: 'KNNBaseline',
    create: () => knnBaseline(),
  },
  {
    label: 'KNNBaseline (pearson_baseline, user-based)',
    key: 'knnbaseline-pearson',
    create: () => knnBaseline({ similarity: 'pearson_baseline' }),
  },
];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    synthetic: { type: 'boolean', default: false },
    seed: { type: 'string', default: '0' },
    folds: { type: 'string', default: '5' },
    models: { type: 'string' },
  },
});

const USAGE = [
  'usage: npx tsx bench/surprise.ts path/to/ml-100k/u.data   (or --synthetic)',
  'MovieLens 100k is not shipped (its terms forbid redistribution): download ml-100k.zip from',
  'https://grouplens.org/datasets/movielens/100k/ and pass the path of its u.data.',
].join('\n');

let data: RatingTriplets;
let source: string;
if (values.synthetic) {
  data = syntheticRatings({ users: 943, items: 1682, ratings: 100_000, minPerUser: 20, rank: 10, seed: 100 });
  source =
    'synthetic ratings of ML-100k shape (943 users, 1682 items, 100,000 ratings, 1-5, rank-10 + biases + noise)';
} else {
  const given = positionals[0];
  if (!given) {
    console.log(USAGE);
    process.exit(0);
  }
  const path = existsSync(given) && statSync(given).isDirectory() ? join(given, 'u.data') : given;
  if (!existsSync(path)) {
    console.log(`${path}: not found. ${USAGE}`);
    process.exit(0);
  }
  data = readUdata(path);
  source = `${path} (${data.users} users, ${data.items} items, ${data.rating.length} ratings)`;
}

/** u.data: user id, item id, rating, timestamp, tab-separated; ids mapped in order of appearance. */
function readUdata(path: string): RatingTriplets {
  const users = new Map<string, number>();
  const items = new Map<string, number>();
  const u: number[] = [];
  const i: number[] = [];
  const r: number[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const [user, item, rating] = line.split('\t');
    if (user === undefined || item === undefined || rating === undefined || Number.isNaN(Number(rating)))
      throw new Error(`${path}: not a u.data line: ${JSON.stringify(line)}`);
    if (!users.has(user)) users.set(user, users.size);
    if (!items.has(item)) items.set(item, items.size);
    u.push(users.get(user)!);
    i.push(items.get(item)!);
    r.push(Number(rating));
  }
  return {
    user: Uint32Array.from(u),
    item: Uint32Array.from(i),
    rating: Float32Array.from(r),
    users: users.size,
    items: items.size,
  };
}

const wanted = values.models?.split(',').map((s) => s.trim().toLowerCase());
const entries = wanted ? MODELS.filter((m) => wanted.includes(m.key)) : MODELS;
if (entries.length === 0) {
  console.error(`no such models; choose from ${MODELS.map((m) => m.key).join(', ')}`);
  process.exit(1);
}
const folds = Number(values.folds);
const seed = Number(values.seed);
const interactive = process.stderr.isTTY;

interface Result {
  entry: Entry;
  rmse: number;
  mae: number;
  seconds: number;
}

const results: Result[] = [];
for (const entry of entries) {
  let sumRmse = 0;
  let sumMae = 0;
  let ms = 0;
  let fold = 0;
  for (const { train, test } of kfold(data, folds, seed)) {
    fold++;
    if (interactive) process.stderr.write(`\r${entry.label}: fold ${fold}/${folds}   `);
    const start = performance.now();
    const model = await entry.create().fit({ interactions: train, ratings: train });
    const predicted = predictRatings(model, test);
    ms += performance.now() - start;
    sumRmse += rmse(predicted, test.rating);
    sumMae += mae(predicted, test.rating);
  }
  if (interactive) process.stderr.write('\r\x1b[K');
  results.push({ entry, rmse: sumRmse / folds, mae: sumMae / folds, seconds: ms / 1000 });
}

const clock = (s: number) => {
  const whole = Math.round(s);
  const m = Math.floor(whole / 60);
  if (s < 1) return `${s.toFixed(2)} s`;
  return s < 60 ? `${s.toFixed(1)} s` : `${m}:${String(whole % 60).padStart(2, '0')}`;
};
const ratio = (x: number, base: number | undefined) => (base ? `${(x / base).toFixed(1)}x` : '—');
const ourBase = results.find((r) => r.entry.key === 'baseline')?.seconds;

console.log(`Rating prediction, ${folds}-fold CV (seed ${seed}), on ${source}; Node ${process.version}.\n`);
if (values.synthetic) {
  console.log('| model | RMSE | MAE | time (all folds) | time / BaselineOnly |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of results)
    console.log(
      `| ${r.entry.label} | ${r.rmse.toFixed(4)} | ${r.mae.toFixed(4)} | ${clock(r.seconds)} | ${ratio(r.seconds, ourBase)} |`,
    );
} else {
  console.log(
    '| model | RMSE | MAE | Surprise RMSE | Surprise MAE | RMSE − Surprise | time (all folds) | Surprise time | time / BaselineOnly (ours / Surprise) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const theirBase = PUBLISHED.BaselineOnly!.seconds;
  for (const r of results) {
    const pub = r.entry.published ? PUBLISHED[r.entry.published] : undefined;
    const cells = pub
      ? [
          pub.rmse.toFixed(3),
          pub.mae.toFixed(3),
          `${r.rmse - pub.rmse >= 0 ? '+' : ''}${(r.rmse - pub.rmse).toFixed(3)}`,
          clock(r.seconds),
          clock(pub.seconds),
          `${ratio(r.seconds, ourBase)} / ${ratio(pub.seconds, theirBase)}`,
        ]
      : ['—', '—', '—', clock(r.seconds), '—', `${ratio(r.seconds, ourBase)} / —`];
    console.log(`| ${r.entry.label} | ${r.rmse.toFixed(4)} | ${r.mae.toFixed(4)} | ${cells.join(' | ')} |`);
  }
  console.log(
    "\nSurprise figures: its README's Movielens 100k table (benchmark.py, 5-fold CV, default parameters, i5 11th Gen laptop).",
  );
}
