import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Runtime configuration, from flags over environment variables over defaults. Every value is
 * checked here, at the boundary, and a bad one is reported naming the flag or variable.
 */
export interface Config {
  /** Directory holding the database, keys and (later) model artifacts. */
  dataDir: string;
  /** Where events live: `duckdb:<file>` (default `duckdb:<dataDir>/cartwise.duckdb`). */
  storeUrl: string;
  host: string;
  port: number;
  /** Keys given by the environment; otherwise generated and kept in the data directory. */
  writeKey: string | null;
  adminKey: string | null;
  /** Largest accepted request body for batch endpoints, bytes (single events get a 64 KiB limit). */
  maxBodyBytes: number;
  /** JSON settings file (training and serving), or null for the defaults. */
  settingsFile: string | null;
}

/** Flags that override the environment. */
export interface ConfigFlags {
  data?: string;
  settings?: string;
  port?: string;
  host?: string;
}

/** A configuration value that cannot be used; the message names its source. */
export class ConfigError extends Error {}

/** Builds the configuration from flags and environment. */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = resolve(flags.data ?? env.CARTWISE_DATA ?? './data');
  const port = parseInteger(
    flags.port ?? env.CARTWISE_PORT ?? env.PORT ?? '8080',
    flags.port ? '--port' : 'CARTWISE_PORT',
    0,
    65535,
  );
  const maxBodyBytes = parseInteger(
    env.CARTWISE_MAX_BODY_BYTES ?? String(5 * 1024 * 1024),
    'CARTWISE_MAX_BODY_BYTES',
    1024,
    1 << 30,
  );
  const storeUrl = env.CARTWISE_STORE ?? `duckdb:${resolve(dataDir, 'cartwise.duckdb')}`;
  if (!/^duckdb:.+/.test(storeUrl)) {
    throw new ConfigError(
      `CARTWISE_STORE: "${storeUrl}" is not supported; use duckdb:<file> (PostgreSQL is not available yet)`,
    );
  }
  const named = flags.settings ?? env.CARTWISE_SETTINGS;
  const settingsFile = named
    ? resolve(named)
    : existsSync(resolve(dataDir, 'settings.json'))
      ? resolve(dataDir, 'settings.json')
      : null;
  if (named && !existsSync(settingsFile!))
    throw new ConfigError(
      `${flags.settings ? '--settings' : 'CARTWISE_SETTINGS'}: ${settingsFile} does not exist`,
    );
  return {
    dataDir,
    storeUrl,
    settingsFile,
    host: flags.host ?? env.CARTWISE_HOST ?? '0.0.0.0',
    port,
    writeKey: checkKey(env.CARTWISE_WRITE_KEY, 'CARTWISE_WRITE_KEY'),
    adminKey: checkKey(env.CARTWISE_ADMIN_KEY, 'CARTWISE_ADMIN_KEY'),
    maxBodyBytes,
  };
}

function parseInteger(text: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new ConfigError(`${name}: "${text}" is not a whole number`);
  const n = Number(text);
  if (n < min || n > max) throw new ConfigError(`${name}: ${n} is outside ${min}..${max}`);
  return n;
}

function checkKey(key: string | undefined, name: string): string | null {
  if (key === undefined || key === '') return null;
  if (key.length < 16 || /[\s:]/.test(key)) {
    throw new ConfigError(`${name}: must be at least 16 characters without spaces or colons`);
  }
  return key;
}
