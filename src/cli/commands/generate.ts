import { resolve } from 'node:path';
import { generateStore } from '../../synth/generate.js';
import { type Command, intFlag } from '../command.js';
import { formatCount, formatSeconds, ProgressBar } from '../progress.js';

export const generate: Command = {
  name: 'generate',
  summary: 'write a synthetic store with known ground truth',
  usage:
    'cartwise generate --out DIR [--users N] [--items M] [--days D] [--seed S] [--start YYYY-MM-DD] [--json]',
  details: [
    '--out DIR       directory to create (must be empty or absent)',
    '--users N       shoppers to simulate (default 10000)',
    '--items M       catalog size (default 1000)',
    '--days D        length of the period, >= 7 (default 365)',
    '--seed S        random seed; the same seed writes the same bytes (default 42)',
    '--start DATE    first day, UTC (default 2025-01-01)',
    '--json          print the summary as JSON',
    '',
    'Writes items.jsonl, users.jsonl, events.jsonl (Segment messages), truth.json, truth-users.jsonl',
    'and cartwise-store.json; "cartwise import DIR" loads it.',
  ].join('\n'),
  options: {
    out: { type: 'string' },
    users: { type: 'string' },
    items: { type: 'string' },
    days: { type: 'string' },
    seed: { type: 'string' },
    start: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args) {
    const out = args.values.out;
    if (typeof out !== 'string' || out === '') throw new Error('--out: the output directory is required');
    const bar = new ProgressBar('generate');
    const summary = await generateStore(
      {
        out: resolve(out),
        users: intFlag(args, 'users', 10_000),
        items: intFlag(args, 'items', 1_000),
        days: intFlag(args, 'days', 365, 7),
        seed: intFlag(args, 'seed', 42, 0),
        start: args.values.start as string | undefined,
      },
      (p) => bar.update(p.usersDone, p.usersTotal, `${formatCount(p.events)} events`),
    );
    bar.done();
    if (args.values.json) {
      console.log(JSON.stringify(summary));
      return 0;
    }
    console.log(
      `wrote ${formatCount(summary.events)} events, ${formatCount(summary.users)} shoppers and ${formatCount(summary.items)} items to ${summary.out} in ${formatSeconds(summary.seconds)}`,
    );
    return 0;
  },
};
