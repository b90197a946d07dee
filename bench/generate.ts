/**
 * Throughput and memory of the synthetic store generator at a given size.
 *
 *   npx tsx bench/generate.ts [--users 100000] [--items 1000] [--days 365] [--seed 1] [--keep]
 *
 * Writes into a temporary directory (removed afterwards unless --keep) and prints a markdown table.
 * Peak RSS is sampled every 100 ms, so short spikes between samples can be missed.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateStore } from '../src/synth/generate.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    items: { type: 'string', default: '1000' },
    days: { type: 'string', default: '365' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});

const dir = mkdtempSync(join(tmpdir(), 'cartwise-bench-generate-'));
const out = join(dir, 'store');
let peak = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 100);
const interactive = process.stderr.isTTY;

try {
  const summary = await generateStore(
    {
      users: Number(values.users),
      items: Number(values.items),
      days: Number(values.days),
      seed: Number(values.seed),
      out,
    },
    (p) => {
      if (interactive && p.usersDone % 10_000 === 0) {
        process.stderr.write(`\r${p.usersDone}/${p.usersTotal} users, ${p.events} events`);
      }
    },
  );
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  if (interactive) process.stderr.write('\n');
  const bytes = readdirSync(out).reduce((sum, f) => sum + statSync(join(out, f)).size, 0);
  const eventBytes = statSync(join(out, 'events.jsonl')).size;
  const mb = (b: number) => (b / 1e6).toFixed(0);
  console.log('| users | items | days | events | seconds | events/s | MB written (events) | peak RSS MB |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  console.log(
    `| ${summary.users.toLocaleString('en-US')} | ${summary.items.toLocaleString('en-US')} | ${values.days} | ${summary.events.toLocaleString('en-US')} | ${summary.seconds.toFixed(1)} | ${Math.round(summary.events / summary.seconds).toLocaleString('en-US')} | ${mb(bytes)} (${mb(eventBytes)}) | ${(peak / 2 ** 20).toFixed(0)} |`,
  );
  if (values.keep) console.log(`\nkept in ${out}`);
} finally {
  clearInterval(sampler);
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
