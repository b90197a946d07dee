/**
 * Off-policy evaluation on the Open Bandit Dataset (ZOZOTOWN, Saito et al. 2020): the click rate of
 * the uniform-random policy, estimated by IPW, SNIPW and DR from the logs of the Bernoulli Thompson
 * sampling policy (bts), against the rate measured on-policy in the logs of the random policy
 * itself, per campaign. The OBP paper's own validation protocol, on the 10,000-row samples.
 *
 *   npx tsx bench/open-bandit.ts [--dir ../shared/datasets/open-bandit] [--campaigns all,men,women]
 *
 * Rows are (impression, position) pairs: an item shown in one of 3 slots, a click or not, and the
 * behaviour policy's probability of that item in that slot (`propensity_score`). The random policy
 * picks uniformly among the campaign's items for each position, so its probability of any
 * (item, position) is 1/items; the random logs' propensity column is checked to say exactly that.
 * The DR reward model is the mean click rate per (item, position), shrunk towards the item's rate.
 * Files are read as `{dir}/{bts,random}/{campaign}/{campaign}.csv` (the zr-obp layout) or
 * `{dir}/{bts,random}/{campaign}.csv`; campaigns whose files are absent are skipped with a note.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type BanditLog,
  doublyRobust,
  ipw,
  onPolicyValue,
  type PolicyValue,
  snipw,
  uniformPolicy,
} from '../src/eval/off-policy.js';
import { CsvParser } from '../src/ingest/files/csv.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: resolve(import.meta.dirname, '../../shared/datasets/open-bandit') },
    campaigns: { type: 'string', default: 'all,men,women' },
  },
});
const dir = values.dir!;
if (!existsSync(dir)) {
  console.log(`${dir}: not found; pass --dir pointing at the Open Bandit Dataset (obd/ of st-tech/zr-obp)`);
  process.exit(0);
}

interface Logged {
  items: Int32Array;
  positions: Int32Array;
  clicks: Float64Array;
  propensities: Float64Array;
}

/** The CSV of one (policy, campaign), or null when absent. */
function findFile(policy: string, campaign: string): string | null {
  for (const path of [join(dir, policy, campaign, `${campaign}.csv`), join(dir, policy, `${campaign}.csv`)])
    if (existsSync(path)) return path;
  return null;
}

/** Reads the four columns used, by header name, with the project's CSV parser. */
function readLog(path: string): Logged {
  const parser = new CsvParser();
  const rows = [...parser.push(readFileSync(path, 'utf8')), ...parser.end()];
  const header = rows[0]!.fields;
  const column = (...names: string[]) => {
    const i = header.findIndex((h) => names.includes(h));
    if (i < 0) throw new Error(`${path}: no column ${names.join(' or ')} in the header`);
    return i;
  };
  const [item, position, click, propensity] = [
    column('item_id'),
    column('position'),
    column('click'),
    column('propensity_score', 'action_prob'),
  ];
  const n = rows.length - 1;
  const out: Logged = {
    items: new Int32Array(n),
    positions: new Int32Array(n),
    clicks: new Float64Array(n),
    propensities: new Float64Array(n),
  };
  for (let r = 0; r < n; r++) {
    const f = rows[r + 1]!.fields;
    out.items[r] = Number(f[item]);
    out.positions[r] = Number(f[position]) - 1; // 1, 2, 3 -> 0, 1, 2
    out.clicks[r] = Number(f[click]);
    out.propensities[r] = Number(f[propensity]);
  }
  return out;
}

/** Items of a campaign: item_context.csv's rows if present, else the largest item id seen + 1. */
function itemCount(campaign: string, logs: Logged[]): number {
  for (const policy of ['random', 'bts']) {
    const path = join(dir, policy, campaign, 'item_context.csv');
    if (existsSync(path)) {
      const parser = new CsvParser();
      return parser.push(readFileSync(path, 'utf8')).length + parser.end().length - 1;
    }
  }
  let max = 0;
  for (const log of logs) for (const i of log.items) max = Math.max(max, i);
  return max + 1;
}

const pct = (x: number) => (100 * x).toFixed(3);
const withCi = (v: PolicyValue) => `${pct(v.estimate)} [${pct(v.ci[0])}, ${pct(v.ci[1])}]`;
const relative = (v: PolicyValue, truth: number) =>
  `${v.estimate >= truth ? '+' : ''}${(100 * (v.estimate / truth - 1)).toFixed(1)}%`;

const table: string[] = [];
const notes: string[] = [];
for (const campaign of values.campaigns!.split(',').map((c) => c.trim())) {
  const btsPath = findFile('bts', campaign);
  const randomPath = findFile('random', campaign);
  if (!btsPath || !randomPath) {
    notes.push(`- ${campaign}: skipped, ${!btsPath ? 'bts' : 'random'} log not found under ${dir}`);
    continue;
  }
  const bts = readLog(btsPath);
  const random = readLog(randomPath);
  const k = itemCount(campaign, [bts, random]);
  // The random policy's action probability, read from its own log: it must be 1/items everywhere.
  const uniform = random.propensities[0]!;
  for (const p of random.propensities) {
    if (Math.abs(p - uniform) > 1e-12)
      throw new Error(`${randomPath}: propensities are not constant (${p} vs ${uniform})`);
  }
  if (Math.abs(uniform - 1 / k) > 1e-12)
    throw new Error(`${randomPath}: propensity ${uniform} is not 1/${k} items (per position)`);
  const log: BanditLog = {
    actions: bts.items,
    rewards: bts.clicks,
    propensities: bts.propensities,
    positions: bts.positions,
    actionCount: k,
  };
  const candidate = uniformPolicy(k);
  const truth = onPolicyValue(random.clicks);
  const estimates = [ipw(log, candidate), snipw(log, candidate), doublyRobust(log, candidate)];
  table.push(
    `| ${campaign} | ${k} | ${bts.clicks.length} | ${random.clicks.length} | ${withCi(truth)} | ${estimates.map(withCi).join(' | ')} | ${estimates.map((v) => relative(v, truth.estimate)).join(' / ')} | ${estimates[0]!.meanWeight.toFixed(3)} | ${Math.round(estimates[0]!.maxWeight)} | ${Math.round(estimates[0]!.effectiveSampleSize)} |`,
  );
}

console.log(
  'Uniform-random policy click rate (%), 95% intervals: on-policy (random logs) vs off-policy from the Bernoulli TS logs\n',
);
console.log(
  '| campaign | items | bts rows | random rows | on-policy | IPW | SNIPW | DR | rel. error IPW / SNIPW / DR | mean weight | max weight | ESS |',
);
console.log('| --- | ---: | ---: | ---: | --- | --- | --- | --- | --- | ---: | ---: | ---: |');
for (const row of table) console.log(row);
if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
