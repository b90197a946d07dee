import { loadConfig } from '../../config.js';
import type { StoreStats } from '../../store/store.js';
import type { Command } from '../command.js';
import { viaEngineOrServer } from '../engine-or-server.js';
import { formatCount } from '../progress.js';

/** Reads the counts from the store, or from the running server when it holds the database. */
async function readStats(config: ReturnType<typeof loadConfig>): Promise<StoreStats> {
  // The server answers times as ISO strings, the store as ms.
  type Times = { firstEvent: string | number | null; lastEvent: string | number | null };
  const s = await viaEngineOrServer<Omit<StoreStats, keyof Times> & Times>(
    config,
    (engine) => engine.stats(),
    {
      method: 'GET',
      path: '/v1/stats',
    },
  );
  const ms = (t: string | number | null) => (typeof t === 'string' ? Date.parse(t) : t);
  return { ...s, firstEvent: ms(s.firstEvent), lastEvent: ms(s.lastEvent) };
}

export const stats: Command = {
  name: 'stats',
  summary: 'print events by type, users, items and the date range',
  usage: 'cartwise stats [--data DIR] [--json]',
  details: [
    '--data DIR   data directory (default $CARTWISE_DATA or ./data)',
    '--json       machine-readable output',
  ].join('\n'),
  options: { data: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values }) {
    const config = loadConfig({ data: values.data as string });
    const s = await readStats(config);
    if (values.json) {
      console.log(JSON.stringify(s));
      return 0;
    }
    const day = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 10));
    console.log(`events     ${formatCount(s.events)}   (${day(s.firstEvent)} .. ${day(s.lastEvent)})`);
    console.log(
      `users      ${formatCount(s.users)} known, ${formatCount(s.anonymousShoppers)} anonymous shoppers`,
    );
    console.log(`items      ${formatCount(s.items)}`);
    const width = Math.max(0, ...Object.keys(s.eventsByType).map((k) => k.length));
    for (const [name, n] of Object.entries(s.eventsByType))
      console.log(`  ${name.padEnd(width)}  ${formatCount(n).padStart(12)}`);
    return 0;
  },
};
