/**
 * Cumulative regret of the bandit policies on synthetic problems, against a uniform split.
 *
 *   npx tsx bench/bandit-regret.ts [--reps 20] [--rounds 50000] [--context-reps 10] [--context-rounds 5000]
 *
 * 1. Five Bernoulli arms with click rates 4.0%, 4.5%, 5.0%, 5.5% and 6.0% (a banner test with
 *    realistic gaps), `--rounds` decisions, `--reps` seeded repetitions. Thompson sampling is the
 *    library's probability-matching policy (exact best-arm probabilities by quadrature, recomputed
 *    every 100 decisions, GrowthBook-style, and every 1000); "TS, one draw per decision" is classic
 *    Thompson sampling (argmax of one posterior draw per decision, no propensities) as a reference for
 *    what periodic reweighting costs. UCB1 uses c = sqrt(2), epsilon-greedy epsilon = 0.1, and the
 *    uniform split is epsilon-greedy with epsilon = 1.
 * 2. A contextual problem: contexts [1, u, v] with u, v ~ Bernoulli(0.5) (say "returning" and
 *    "mobile"), four arms whose click rate is linear in the context and whose best arm depends on it;
 *    LinUCB and linear Thompson sampling (default settings, reweighted every decision) against
 *    non-contextual Thompson sampling and the uniform split.
 *
 * Regret is pseudo-regret, Σ_t (best rate at t - rate of the chosen arm at t), so it measures the
 * policy, not the luck of the clicks. Every policy sees the same contexts and the same reward
 * uniforms per repetition (common random numbers). Mean ± standard deviation over repetitions.
 */
import { parseArgs } from 'node:util';
import { Rng } from '../src/core/rng.js';
import { choose, reward } from '../src/models/bandit/bandit.js';
import type { BanditState } from '../src/models/bandit/contract.js';
import { epsilonGreedy } from '../src/models/bandit/epsilon-greedy.js';
import { linearThompson } from '../src/models/bandit/linear-thompson.js';
import { linUcb } from '../src/models/bandit/linucb.js';
import { thompsonBeta } from '../src/models/bandit/thompson-beta.js';
import { ucb1 } from '../src/models/bandit/ucb1.js';

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '50000' },
    'context-reps': { type: 'string', default: '10' },
    'context-rounds': { type: 'string', default: '5000' },
  },
});
const reps = Number(values.reps);
const rounds = Number(values.rounds);
const contextReps = Number(values['context-reps']);
const contextRounds = Number(values['context-rounds']);

/** Horizons at which cumulative regret is reported. */
function horizonsUpTo(t: number): number[] {
  const h = [1000, 5000, 10_000, 25_000, 50_000, 100_000].filter((x) => x < t);
  return [...h, t];
}

/** One problem instance: contexts and reward uniforms shared by every policy of a repetition. */
interface World {
  contexts: (number[] | undefined)[];
  uniforms: Float64Array;
  /** Click rate of every arm at round t. */
  rates: (t: number) => readonly number[];
}

/** Cumulative pseudo-regret at each horizon for one policy on one world. */
function regretOf(
  world: World,
  horizons: number[],
  decide: (t: number) => number,
  learn: (t: number, arm: number, clicked: number) => void,
): number[] {
  const out: number[] = [];
  let regret = 0;
  let h = 0;
  for (let t = 0; t < horizons[horizons.length - 1]!; t++) {
    const rates = world.rates(t);
    const arm = decide(t);
    regret += Math.max(...rates) - rates[arm]!;
    learn(t, arm, world.uniforms[t]! < rates[arm]! ? 1 : 0);
    if (t + 1 === horizons[h]) {
      out.push(regret);
      h++;
    }
  }
  return out;
}

/** Runs a library policy (pure choose/reward) on a world. */
function runPolicy(create: () => BanditState, world: World, horizons: number[], seed: number): number[] {
  let state = create();
  const rng = new Rng(seed);
  let last: ReturnType<typeof choose> | null = null;
  return regretOf(
    world,
    horizons,
    (t) => {
      last = choose(state, world.contexts[t], rng);
      return last.index;
    },
    (t, arm, clicked) => {
      state = reward(last!.state, arm, clicked, world.contexts[t]);
    },
  );
}

/** Classic Thompson sampling: one draw from each Beta posterior, play the argmax (no propensity). */
function runClassicTs(k: number, world: World, horizons: number[], seed: number): number[] {
  const rng = new Rng(seed);
  const alpha = new Float64Array(k).fill(1);
  const beta = new Float64Array(k).fill(1);
  return regretOf(
    world,
    horizons,
    () => {
      let best = 0;
      let top = -1;
      for (let a = 0; a < k; a++) {
        const draw = rng.beta(alpha[a]!, beta[a]!);
        if (draw > top) {
          top = draw;
          best = a;
        }
      }
      return best;
    },
    (_t, arm, clicked) => {
      alpha[arm]! += clicked;
      beta[arm]! += 1 - clicked;
    },
  );
}

const fmt = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, text: `${mean.toFixed(1)} ± ${sd.toFixed(1)}` };
};

function printTable(
  title: string,
  horizons: number[],
  rows: { name: string; runs: number[][] }[],
  baseline: string,
) {
  console.log(`\n${title}\n`);
  console.log(
    `| policy | ${horizons.map((h) => `t = ${h.toLocaleString('en-US')}`).join(' | ')} | vs uniform at t = ${horizons[horizons.length - 1]!.toLocaleString('en-US')} |`,
  );
  console.log(`| --- | ${horizons.map(() => '---:').join(' | ')} | ---: |`);
  const base = fmt(rows.find((r) => r.name === baseline)!.runs.map((r) => r[r.length - 1]!)).mean;
  for (const row of rows) {
    const cells = horizons.map((_, h) => fmt(row.runs.map((r) => r[h]!)).text);
    const last = fmt(row.runs.map((r) => r[r.length - 1]!)).mean;
    console.log(`| ${row.name} | ${cells.join(' | ')} | ${(last / base).toFixed(3)} |`);
  }
}

// 1. Five Bernoulli arms.
{
  const rates = [0.04, 0.045, 0.05, 0.055, 0.06];
  const arms = rates.map((r) => `${(100 * r).toFixed(1)}%`);
  const horizons = horizonsUpTo(rounds);
  const policies: { name: string; run: (w: World, seed: number) => number[] }[] = [
    {
      name: 'Thompson sampling (reweight every 100)',
      run: (w, s) => runPolicy(() => thompsonBeta(arms, { reweightEvery: 100 }), w, horizons, s),
    },
    {
      name: 'Thompson sampling (reweight every 1000)',
      run: (w, s) => runPolicy(() => thompsonBeta(arms, { reweightEvery: 1000 }), w, horizons, s),
    },
    {
      name: 'TS, one draw per decision (reference)',
      run: (w, s) => runClassicTs(rates.length, w, horizons, s),
    },
    { name: 'UCB1', run: (w, s) => runPolicy(() => ucb1(arms), w, horizons, s) },
    {
      name: 'epsilon-greedy (0.1)',
      run: (w, s) => runPolicy(() => epsilonGreedy(arms, { epsilon: 0.1 }), w, horizons, s),
    },
    {
      name: 'uniform split',
      run: (w, s) => runPolicy(() => epsilonGreedy(arms, { epsilon: 1 }), w, horizons, s),
    },
  ];
  const rows = policies.map((p) => ({ name: p.name, runs: [] as number[][] }));
  for (let rep = 0; rep < reps; rep++) {
    const worldRng = new Rng(1000 + rep);
    const world: World = {
      contexts: [],
      uniforms: Float64Array.from({ length: rounds }, () => worldRng.float()),
      rates: () => rates,
    };
    policies.forEach((p, i) => {
      rows[i]!.runs.push(p.run(world, 7 * rep + i));
    });
  }
  printTable(
    `Cumulative regret (clicks lost against always showing the 6.0% arm), 5 arms at 4.0-6.0%, ${reps} repetitions`,
    horizons,
    rows,
    'uniform split',
  );
}

// 2. A contextual problem whose best arm depends on the context.
{
  const weights = [
    [0.05, 0.1, 0.0],
    [0.1, -0.05, 0.05],
    [0.08, 0.0, 0.08],
    [0.12, -0.04, -0.04],
  ];
  const arms = ['banner-a', 'banner-b', 'banner-c', 'banner-d'];
  const horizons = [500, 1000, 2500, contextRounds].filter(
    (h, i, a) => h <= contextRounds && a.indexOf(h) === i,
  );
  const policies: { name: string; create: () => BanditState }[] = [
    { name: 'LinUCB (alpha 1)', create: () => linUcb(arms, 3) },
    { name: 'linear Thompson sampling (v² 0.25)', create: () => linearThompson(arms, 3) },
    { name: 'Thompson sampling, no context', create: () => thompsonBeta(arms, { reweightEvery: 10 }) },
    { name: 'uniform split', create: () => epsilonGreedy(arms, { epsilon: 1 }) },
  ];
  const rows = policies.map((p) => ({ name: p.name, runs: [] as number[][] }));
  for (let rep = 0; rep < contextReps; rep++) {
    const worldRng = new Rng(5000 + rep);
    const contexts = Array.from({ length: contextRounds }, () => [
      1,
      worldRng.bernoulli(0.5) ? 1 : 0,
      worldRng.bernoulli(0.5) ? 1 : 0,
    ]);
    const world: World = {
      contexts,
      uniforms: Float64Array.from({ length: contextRounds }, () => worldRng.float()),
      rates: (t) => weights.map((w) => w[0]! + w[1]! * contexts[t]![1]! + w[2]! * contexts[t]![2]!),
    };
    policies.forEach((p, i) => {
      rows[i]!.runs.push(runPolicy(p.create, world, horizons, 11 * rep + i));
    });
  }
  printTable(
    `Contextual: 4 banners, click rate linear in [1, returning, mobile], best banner depends on the segment; ${contextReps} repetitions`,
    horizons,
    rows,
    'uniform split',
  );
}
