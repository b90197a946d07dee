import { loadConfig } from '../../config.js';
import { Engine, StoreLockedError } from '../../engine.js';
import { loadKeys } from '../../keys.js';
import type { StoreStats } from '../../store/store.js';
import { CliError, type Command } from '../command.js';
import { formatCount } from '../progress.js';
import { runningServer } from './serve.js';

/** Reads the counts from the store, or from the running server when it holds the database. */
async function readStats(dataDir: string, config: ReturnType<typeof loadConfig>): Promise<StoreStats> {
  try {
    const engine = await Engine.open(config);
    try {
      return await engine.stats();
    } finally {
      await engine.close();
    }
  } catch (error) {
    const server = error instanceof StoreLockedError ? runningServer(dataDir) : null;
    if (!server) throw error;
    const { adminKey } = loadKeys(dataDir, config);
    const res = await fetch(`${server.url}/v1/stats`, { headers: { authorization: `Bearer ${adminKey}` } });
    if (!res.ok) throw new CliError(`the running server at ${server.url} answered ${res.status}`);
    const s = (await res.json()) as Omit<StoreStats, 'firstEvent' | 'lastEvent'> & {
      firstEvent: string | null;
      lastEvent: string | null;
    };
    return {
      ...s,
      firstEvent: s.firstEvent ? Date.parse(s.firstEvent) : null,
      lastEvent: s.lastEvent ? Date.parse(s.lastEvent) : null,
    };
  }
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
    const s = await readStats(config.dataDir, config);
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
