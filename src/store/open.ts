import { DuckDBStore, type DuckDBStoreOptions } from './duckdb/duckdb-store.js';
import type { Store } from './store.js';

/** Opens the store a URL names, so callers never depend on a backend. Only `duckdb:<file>` exists today. */
export async function openStore(url: string, options: DuckDBStoreOptions = {}): Promise<Store> {
  if (url.startsWith('duckdb:')) return DuckDBStore.open(url.slice('duckdb:'.length), options);
  throw new Error(`store URL "${url}" is not supported; use duckdb:<file>`);
}
