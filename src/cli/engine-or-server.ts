import type { Config } from '../config.js';
import { Engine, StoreLockedError } from '../engine.js';
import { loadKeys } from '../keys.js';
import { CliError } from './command.js';
import { runningServer } from './commands/serve.js';

/**
 * Runs a use case on the store, or, when a running server holds the database, asks that server
 * the same thing over its API with the admin key (so commands work whether or not it runs).
 */
export async function viaEngineOrServer<T>(
  config: Config,
  local: (engine: Engine) => Promise<T>,
  remote: { method: 'GET' | 'POST'; path: string; body?: unknown },
): Promise<T> {
  let engine: Engine;
  try {
    engine = await Engine.open(config);
  } catch (error) {
    const server = error instanceof StoreLockedError ? runningServer(config.dataDir) : null;
    if (!server) throw error;
    const { adminKey } = loadKeys(config.dataDir, config);
    const res = await fetch(`${server.url}${remote.path}`, {
      method: remote.method,
      headers: {
        authorization: `Bearer ${adminKey}`,
        ...(remote.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: remote.body === undefined ? undefined : JSON.stringify(remote.body),
    });
    const answer = (await res.json()) as T & { error?: { message: string } };
    if (!res.ok)
      throw new CliError(answer.error?.message ?? `the server at ${server.url} answered ${res.status}`);
    return answer;
  }
  try {
    return await local(engine);
  } finally {
    await engine.close();
  }
}
