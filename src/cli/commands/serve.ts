import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningServer, startServer } from '../../api/server.js';
import type { Config } from '../../config.js';
import { loadConfig } from '../../config.js';
import { Engine } from '../../engine.js';
import { loadKeys } from '../../keys.js';
import { VERSION } from '../../version.js';
import type { Command } from '../command.js';

/** Where a running server announces itself, so other commands can reach it instead of the locked file. */
export interface ServerFile {
  url: string;
  pid: number;
}

/** Reads `<dataDir>/server.json` if a live process wrote it. */
export function runningServer(dataDir: string): ServerFile | null {
  const file = join(dataDir, 'server.json');
  if (!existsSync(file)) return null;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as ServerFile;
    process.kill(info.pid, 0);
    return info;
  } catch {
    return null;
  }
}

/**
 * Serves `engine` until SIGTERM/SIGINT, then drains in-flight requests, commits what was
 * acknowledged, closes the database and exits 0. `banner` prints after the server listens.
 */
export async function serveUntilSignal(
  engine: Engine,
  config: Config,
  banner: (server: RunningServer, keys: ReturnType<typeof loadKeys>) => void,
): Promise<never> {
  const keys = loadKeys(config.dataDir, config);
  let server: RunningServer;
  try {
    server = await startServer(engine, {
      keys,
      maxBodyBytes: config.maxBodyBytes,
      version: VERSION,
      host: config.host,
      port: config.port,
    });
  } catch (error) {
    await engine.close();
    throw error;
  }
  const serverFile = join(config.dataDir, 'server.json');
  writeFileSync(serverFile, JSON.stringify({ url: server.url, pid: process.pid } satisfies ServerFile));
  banner(server, keys);
  return new Promise<never>(() => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.error(`cartwise: ${signal} received, finishing in-flight requests...`);
      server
        .close()
        .then(() => {
          rmSync(serverFile, { force: true });
          console.error('cartwise: stopped cleanly');
          process.exit(0);
        })
        .catch((error: unknown) => {
          console.error(`cartwise: shutdown failed: ${(error as Error).message}`);
          process.exit(1);
        });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

/** Prints the URLs and, the first time, the keys. */
export function printEndpoints(
  server: RunningServer,
  keys: ReturnType<typeof loadKeys>,
  dataDir: string,
): void {
  console.log(`Cartwise ${VERSION} is serving ${dataDir}`);
  console.log(`  API         ${server.url}/v1`);
  console.log(`  reference   ${server.url}/docs   (OpenAPI: ${server.url}/openapi.json)`);
  console.log(`  health      ${server.url}/healthz   metrics: ${server.url}/metrics (admin key)`);
  console.log(`  write key   ${keys.writeKey}   (events only; safe in a storefront)`);
  console.log(`  admin key   ${keys.adminKey}   (everything; keep it secret)`);
  if (keys.generated) console.log(`  (keys generated and saved to ${join(dataDir, 'keys.json')})`);
}

export const serve: Command = {
  name: 'serve',
  summary: 'serve the HTTP API of an existing store',
  usage: 'cartwise serve [--data DIR] [--port P] [--host H]',
  details: [
    '--data DIR   data directory (default $CARTWISE_DATA or ./data)',
    '--port P     port (default $CARTWISE_PORT or 8080; 0 picks a free one)',
    '--host H     interface to listen on (default $CARTWISE_HOST or 0.0.0.0)',
    '',
    'Keys come from $CARTWISE_WRITE_KEY / $CARTWISE_ADMIN_KEY, else from DIR/keys.json (created on first start).',
    'SIGTERM or Ctrl-C: stops accepting, finishes in-flight requests, commits, closes the database, exits 0.',
  ].join('\n'),
  options: { data: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
  async run({ values }) {
    const config = loadConfig({
      data: values.data as string,
      port: values.port as string,
      host: values.host as string,
    });
    const engine = await Engine.open(config);
    return serveUntilSignal(engine, config, (server, keys) => printEndpoints(server, keys, config.dataDir));
  },
};
