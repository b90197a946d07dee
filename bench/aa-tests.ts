/**
 * A/A validation of the experiment pipeline: many simulated experiments in which both arms are the
 * same, each assigned user by user with the GrowthBook-compatible hash (src/decide/experiment-assignment)
 * and analyzed with src/stats/analyze. Every "significant" result is a false positive, so the share of
 * experiments that declare one is the false-positive rate, shown with its 95% Wilson interval:
 *
 * - fixed horizon: one analysis on the last day (should be <= alpha);
 * - daily peeking without sequential testing, stopping at the first significant look (inflated);
 * - daily peeking with sequential testing (`sequential: {tuning}`), same stopping rule (<= alpha),
 *   on the relative effect and, for comparison, on the absolute difference;
 * - for reference, Bayesian chance to win > 95% on the last day and at any daily look;
 * - and the SRM check's alarm rate at p < 0.001 on the last day's arm counts.
 *
 * Two metrics per experiment: conversion (a proportion, base rate --rate) and revenue per user (a
 * mean of skewed values: 0 for non-buyers, log-normal order values for buyers, as in real stores).
 * Effects are relative (GrowthBook's default) unless a row says otherwise; alpha is two-sided.
 *
 *   npx tsx bench/aa-tests.ts [--experiments 2000] [--days 14] [--users 1000] [--rate 0.05]
 *                             [--alpha 0.05] [--tuning N] [--seed 1]
 *
 * --users is new users per day across both arms; --tuning defaults to the expected final sample
 * (users x days), the N* GrowthBook asks for. Seeded: the same flags print the same table.
 */
import { parseArgs } from 'node:util';
import { Rng } from '../src/core/rng.js';
import { assign } from '../src/decide/experiment-assignment.js';
import { analyze } from '../src/stats/analyze.js';
import { srmTest } from '../src/stats/srm.js';

const { values } = parseArgs({
  options: {
    experiments: { type: 'string', default: '2000' },
    days: { type: 'string', default: '14' },
    users: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '0.05' },
    alpha: { type: 'string', default: '0.05' },
    tuning: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});
const experiments = Number(values.experiments);
const days = Number(values.days);
const usersPerDay = Number(values.users);
const rate = Number(values.rate);
const alpha = Number(values.alpha);
const tuning = values.tuning === undefined ? usersPerDay * days : Number(values.tuning);
const seed = Number(values.seed);
for (const [name, v] of Object.entries({ experiments, days, users: usersPerDay, tuning, seed }))
  if (!Number.isInteger(v) || v < (name === 'seed' ? 0 : 1))
    throw new Error(`--${name} must be a whole number`);
if (!(rate > 0 && rate < 1) || !(alpha > 0 && alpha < 1))
  throw new Error('--rate and --alpha must be in (0, 1)');

/** Order values of buyers: log-normal with median e^3.5 ~ $33 and mean ~ $55 (sigma 1: heavy right tail). */
const ORDER_MU = 3.5;
const ORDER_SIGMA = 1;

type Metric = 'conversion' | 'revenue';
const METRICS: Metric[] = ['conversion', 'revenue'];
const ANALYSES = [
  'fixed horizon (last day)',
  'daily peeking, no sequential',
  'daily peeking, sequential',
  'daily peeking, sequential, absolute effect',
  'Bayesian P(win) > 95%, last day',
  'Bayesian P(win) > 95%, any day',
] as const;
type Analysis = (typeof ANALYSES)[number];

const hits = new Map<string, number>();
const hit = (analysis: Analysis, metric: Metric) => {
  const key = `${analysis}|${metric}`;
  hits.set(key, (hits.get(key) ?? 0) + 1);
};
let srmAlarms = 0;

/** Per-arm running sums of one experiment. */
interface Arm {
  n: number;
  buyers: number;
  revenue: number;
  revenueSquares: number;
}

function request(
  metric: Metric,
  arms: Arm[],
  engine: 'frequentist' | 'bayesian',
  sequential: boolean,
  relative = true,
) {
  return {
    type: metric === 'conversion' ? 'proportion' : 'mean',
    engine,
    relative,
    alpha,
    sequential: sequential ? { tuning } : null,
    arms: arms.map((a) =>
      metric === 'conversion'
        ? { n: a.n, sum: a.buyers }
        : { n: a.n, sum: a.revenue, sumSquares: a.revenueSquares },
    ),
  };
}

const significant = (r: { pValue: number | null }) => r.pValue !== null && r.pValue < alpha;

const started = performance.now();
const root = new Rng(seed);
let assigned = 0;
for (let e = 0; e < experiments; e++) {
  const rng = root.fork(e);
  const spec = { key: `aa-${seed}-${e}`, variants: 2 };
  const arms: Arm[] = [0, 1].map(() => ({ n: 0, buyers: 0, revenue: 0, revenueSquares: 0 }));
  const peeked = new Set<string>();
  for (let day = 0; day < days; day++) {
    for (let u = 0; u < usersPerDay; u++) {
      const { variant } = assign(spec, `u${day}-${u}`);
      const arm = arms[variant]!;
      arm.n++;
      if (rng.bernoulli(rate)) {
        const value = rng.logNormal(ORDER_MU, ORDER_SIGMA);
        arm.buyers++;
        arm.revenue += value;
        arm.revenueSquares += value * value;
      }
    }
    assigned += usersPerDay;
    const last = day === days - 1;
    for (const metric of METRICS) {
      const plain = analyze(request(metric, arms, 'frequentist', false)).variants[0]!;
      const sequential = analyze(request(metric, arms, 'frequentist', true)).variants[0]!;
      const absolute = analyze(request(metric, arms, 'frequentist', true, false)).variants[0]!;
      const bayes = analyze(request(metric, arms, 'bayesian', false)).variants[0]!;
      const win = (bayes.chanceToWin ?? 0) > 0.95;
      const first = (analysis: Analysis, yes: boolean) => {
        if (!yes || peeked.has(`${analysis}|${metric}`)) return;
        peeked.add(`${analysis}|${metric}`);
        hit(analysis, metric);
      };
      first('daily peeking, no sequential', significant(plain));
      first('daily peeking, sequential', significant(sequential));
      first('daily peeking, sequential, absolute effect', significant(absolute));
      first('Bayesian P(win) > 95%, any day', win);
      if (last) {
        if (significant(plain)) hit('fixed horizon (last day)', metric);
        if (win) hit('Bayesian P(win) > 95%, last day', metric);
      }
    }
  }
  if (srmTest([arms[0]!.n, arms[1]!.n], [0.5, 0.5]).alarm) srmAlarms++;
}
const seconds = (performance.now() - started) / 1000;

/** Wilson score interval for k successes in n trials at 95%. */
function wilson(k: number, n: number): [number, number] {
  const z = 1.959963984540054;
  const p = k / n;
  const denominator = 1 + (z * z) / n;
  const center = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const row = (label: string, k: number) => {
  const [lo, hi] = wilson(k, experiments);
  return `| ${label} | ${k} / ${experiments} | ${pct(k / experiments)} | ${pct(lo)} - ${pct(hi)} |`;
};

console.log(
  `A/A tests: ${experiments} experiments x ${days} days x ${usersPerDay} users/day (50/50 by hash v2), ` +
    `conversion ${rate}, revenue per user log-normal(${ORDER_MU}, ${ORDER_SIGMA}) for buyers; alpha ${alpha} ` +
    `two-sided, relative effects, sequential tuning N* = ${tuning}, seed ${seed}\n`,
);
console.log('| analysis | metric | false positives | rate | 95% interval |');
console.log('| --- | --- | ---: | ---: | --- |');
for (const analysis of ANALYSES)
  for (const metric of METRICS)
    console.log(row(`${analysis} | ${metric}`, hits.get(`${analysis}|${metric}`) ?? 0));
console.log(row('SRM alarm (p < 0.001), last day | units per arm', srmAlarms));
console.log(
  `\n${assigned.toLocaleString('en-US')} assignments and ${(experiments * days * METRICS.length * 4).toLocaleString('en-US')} analyses in ${seconds.toFixed(1)} s`,
);
