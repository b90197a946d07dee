import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { loadConfig } from '../../config.js';
import { Engine, type RecommendationList } from '../../engine.js';
import { CliError, type Command, intFlag } from '../command.js';
import { formatCount, ProgressBar } from '../progress.js';

/** One user's list as the terminal shows it: rank, item, source and reason. */
export function renderList(userId: string, list: RecommendationList): string {
  const lines = [`${userId}: ${list.model} (version ${list.version ?? 'none'}, strategy ${list.strategy})`];
  list.items.forEach((item, r) => {
    lines.push(`${String(r + 1).padStart(3)}. ${item.itemId}  [${item.source}] ${item.reason}`);
  });
  if (list.items.length === 0) lines.push('  (nothing to recommend)');
  return lines.join('\n');
}

export const recommendCommand: Command = {
  name: 'recommend',
  summary: "print one user's recommendations with reasons, or write every user's top-k to a file",
  usage: 'cartwise recommend (--user ID | --all --out FILE) [--k K] [--strategy NAME] [--data DIR] [--json]',
  details: [
    "--user ID        one user's list with the source and reason of each item (anon:<id> for an anonymous shopper)",
    '--all            every identified shopper of the served version (for e-mail campaigns)',
    '--out FILE       with --all: JSON lines {"userId","recommendationId","model","version","items":[...]}',
    '--k K            items per user (default 10, at most 100)',
    '--strategy NAME  a configured strategy (default "default")',
    '--data DIR       data directory (default $CARTWISE_DATA or ./data)',
    '--json           with --user: the list as JSON',
    '',
    'Reads the served version from DIR/models (run `cartwise train` first); stop the server first.',
  ].join('\n'),
  options: {
    user: { type: 'string' },
    all: { type: 'boolean' },
    out: { type: 'string' },
    k: { type: 'string' },
    strategy: { type: 'string' },
    data: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args) {
    const v = args.values;
    if ((v.user === undefined) === !v.all) throw new CliError('give either --user ID or --all --out FILE', 2);
    if (v.all && typeof v.out !== 'string') throw new CliError('--out: required with --all', 2);
    const k = intFlag(args, 'k', 10);
    if (k > 100) throw new CliError(`--k: "${k}" must be at most 100`, 2);
    const query = { k, strategy: v.strategy as string | undefined };
    const engine = await Engine.open(loadConfig({ data: v.data as string }));
    try {
      if (engine.model() === null) throw new CliError('no trained model yet: run `cartwise train` first');
      if (typeof v.user === 'string') {
        const list = await engine.recommendForUser(v.user, query, false);
        console.log(v.json ? JSON.stringify(list) : renderList(v.user, list));
        return 0;
      }
      const users = await engine.servedUsers();
      const out = String(v.out);
      const tmp = `${out}.tmp`;
      const fd = openSync(tmp, 'w');
      const bar = new ProgressBar('recommend');
      const started = performance.now();
      try {
        let buffer = '';
        for (const [n, userId] of users.entries()) {
          const list = await engine.recommendForUser(userId, query, false);
          buffer += `${JSON.stringify({ userId, recommendationId: list.recommendationId, model: list.model, version: list.version, items: list.items })}\n`;
          if (buffer.length > 1 << 20) {
            writeSync(fd, buffer);
            buffer = '';
          }
          if (n % 256 === 0) bar.update(n, users.length, `${formatCount(n)} users`);
        }
        writeSync(fd, buffer);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
        bar.done();
      }
      renameSync(tmp, out);
      const seconds = (performance.now() - started) / 1000;
      console.error(
        `wrote ${formatCount(users.length)} users' top-${k} to ${out} in ${seconds.toFixed(1)} s (${formatCount(Math.round(users.length / Math.max(seconds, 1e-9)))} users/s)`,
      );
      return 0;
    } finally {
      await engine.close();
    }
  },
};
