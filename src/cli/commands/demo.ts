import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../config.js';
import { Engine } from '../../engine.js';
import { generateStore } from '../../synth/generate.js';
import { type Command, intFlag } from '../command.js';
import { formatCount, formatSeconds, ProgressBar } from '../progress.js';
import { importWithProgress } from './import.js';
import { printEndpoints, serveUntilSignal } from './serve.js';
import { renderManifest } from './train.js';

export const demo: Command = {
  name: 'demo',
  summary: 'generate a small store, import it, train the models and serve the API (what "npm start" runs)',
  usage:
    'cartwise demo [--data DIR] [--port P] [--host H] [--users N] [--items M] [--days D] [--seed S] [--fresh]',
  details: [
    '--data DIR    data directory of the demo (default ./data/demo)',
    '--port P      port (default $CARTWISE_PORT or 8080)',
    '--host H      interface (default $CARTWISE_HOST or 0.0.0.0)',
    '--users N     shoppers to simulate (default 3000)',
    '--items M     catalog size (default 400)',
    '--days D      days of history (default 90)',
    '--seed S      random seed (default 42)',
    '--fresh       delete the demo data and start over',
    '',
    'The first run generates, imports and trains; later runs reuse the store and models and start at once.',
  ].join('\n'),
  options: {
    data: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    users: { type: 'string' },
    items: { type: 'string' },
    days: { type: 'string' },
    seed: { type: 'string' },
    fresh: { type: 'boolean' },
  },
  async run(args) {
    const t0 = performance.now();
    const config = loadConfig({
      data: (args.values.data as string) ?? './data/demo',
      port: args.values.port as string,
      host: args.values.host as string,
    });
    const generated = join(config.dataDir, 'generated');
    const sizes = {
      users: intFlag(args, 'users', 3000),
      items: intFlag(args, 'items', 400),
      days: intFlag(args, 'days', 90, 7),
      seed: intFlag(args, 'seed', 42, 0),
    };
    if (args.values.fresh) rmSync(config.dataDir, { recursive: true, force: true });

    const engine = await Engine.open(config);
    try {
      if ((await engine.stats()).events === 0) {
        rmSync(generated, { recursive: true, force: true });
        const bar = new ProgressBar('generate');
        const g = await generateStore({ ...sizes, out: generated }, (p) =>
          bar.update(p.usersDone, p.usersTotal, `${formatCount(p.events)} events`),
        );
        bar.done();
        console.log(
          `generated ${formatCount(g.events)} events of ${formatCount(g.users)} shoppers and ${formatCount(g.items)} items (seed ${sizes.seed})`,
        );
        const s = await importWithProgress(engine, [generated], {});
        console.log(
          `imported ${formatCount(s.events.accepted)} events, ${formatCount(s.items.accepted)} items, ${formatCount(s.users.accepted)} users in ${formatSeconds(s.seconds)}`,
        );
      } else {
        console.log(`using the demo store in ${config.dataDir} (--fresh starts over)`);
      }
      if (engine.model() === null) {
        const bar = new ProgressBar('train');
        const manifest = await engine.train((message, fraction) => bar.update(fraction ?? 0, 1, message));
        bar.done();
        console.log(`trained models:\n${renderManifest(manifest)}`);
      }
    } catch (error) {
      await engine.close();
      throw error;
    }
    const stats = await engine.stats();
    const item = (await engine.listItems({ limit: 1 })).items[0]?.id ?? 'sku-1';
    const user = firstUser(generated) ?? 'user-1';
    return serveUntilSignal(engine, config, (server, keys) => {
      console.log(
        `\nready in ${formatSeconds((performance.now() - t0) / 1000)}: ${formatCount(stats.events)} events, ${formatCount(stats.users)} users, ${formatCount(stats.items)} items\n`,
      );
      printEndpoints(server, keys, config.dataDir);
      const admin = `-H "Authorization: Bearer ${keys.adminKey}"`;
      const write = `-H "Authorization: Bearer ${keys.writeKey}"`;
      console.log(`
Try:
  curl ${server.url}/v1/stats ${admin}
  curl ${server.url}/v1/users/${user} ${admin}
  curl "${server.url}/v1/items?limit=3" ${admin}
  curl ${server.url}/v1/items/${item} ${admin}
  curl "${server.url}/v1/users/${user}/recommendations?k=5" ${admin}
  curl "${server.url}/v1/items/${item}/similar?k=5" ${write}
  curl "${server.url}/v1/items/${item}/bought-together?k=5" ${write}
  curl "${server.url}/v1/trending?k=5" ${write}
  curl -X POST ${server.url}/v1/sessions/recommendations ${write} -H "Content-Type: application/json" -d '{"items":["${item}"],"k":5}'
  curl -X POST ${server.url}/v1/track -H "Authorization: Bearer ${keys.writeKey}" -H "Content-Type: application/json" \\
    -d '{"userId":"${user}","event":"Product Viewed","properties":{"product_id":"${item}"}}'

Ctrl-C stops the server cleanly.`);
    });
  },
};

function firstUser(dir: string): string | null {
  const file = join(dir, 'users.jsonl');
  if (!existsSync(file)) return null;
  const line = readFileSync(file, 'utf8').split('\n', 1)[0];
  try {
    return (JSON.parse(line ?? '') as { userId: string }).userId;
  } catch {
    return null;
  }
}
