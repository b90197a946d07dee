import { type DuckDBConnection, DuckDBInstance, JsonDuckDBValueConverter } from '@duckdb/node-api';
import { fileSize } from './text-file.js';

/**
 * Reading Parquet files through an in-memory DuckDB, the engine we already ship. Rows are streamed
 * one DuckDB chunk (2,048 rows) at a time, so memory stays bounded whatever the file size. Values
 * come back JSON-friendly: BIGINT and DECIMAL as strings (the schemas accept numeric strings),
 * timestamps as `YYYY-MM-DD HH:MM:SS` text, structs as objects, lists as arrays; SQL NULLs are left out.
 */

/** Options of {@link readParquet}. */
export interface ParquetOptions {
  /** Called after each chunk with the rows read so far and the row count in the file's metadata. */
  onRows?: (rowsRead: number, rowsTotal: number) => void;
  signal?: AbortSignal;
}

/** Quotes a string as a SQL literal, so any file name (quotes included) is read as that file. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

async function withConnection<T>(path: string, use: (conn: DuckDBConnection, source: string) => Promise<T>) {
  await fileSize(path); // a missing file gets our one-line error, not DuckDB's
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  try {
    return await use(conn, `read_parquet(${sqlString(path)})`);
  } catch (e) {
    throw new Error(`${path}: cannot read as Parquet (${(e as Error).message.split('\n')[0]})`);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The column names of a Parquet file, for `--map` checks and format detection. */
export async function parquetColumns(path: string): Promise<string[]> {
  return withConnection(path, async (conn, source) => {
    const reader = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
    return reader.getRowObjectsJson().map((r) => String(r.column_name));
  });
}

/** Streams the rows of a Parquet file as plain objects, one chunk at a time. */
export async function* readParquet(
  path: string,
  options: ParquetOptions = {},
): AsyncGenerator<Record<string, unknown>[]> {
  await fileSize(path);
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  const fail = (e: unknown) =>
    new Error(`${path}: cannot read as Parquet (${(e as Error).message.split('\n')[0]})`);
  try {
    const source = `read_parquet(${sqlString(path)})`;
    let total: number;
    let result: Awaited<ReturnType<DuckDBConnection['stream']>>;
    try {
      total = Number((await conn.runAndReadAll(`SELECT count(*) AS n FROM ${source}`)).getRows()[0]![0]);
      result = await conn.stream(`SELECT * FROM ${source}`);
    } catch (e) {
      throw fail(e);
    }
    const names = result.deduplicatedColumnNames();
    let read = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      const chunk = await result.fetchChunk().catch((e) => {
        throw fail(e);
      });
      if (!chunk || chunk.rowCount === 0) break;
      const rows = chunk.convertRows(JsonDuckDBValueConverter);
      const objects: Record<string, unknown>[] = new Array(rows.length);
      for (let r = 0; r < rows.length; r++) {
        const values = rows[r]!;
        const obj: Record<string, unknown> = {};
        for (let c = 0; c < names.length; c++) {
          const v = values[c];
          if (v !== null && v !== undefined) obj[names[c]!] = v;
        }
        objects[r] = obj;
      }
      read += rows.length;
      options.onRows?.(read, total);
      yield objects;
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
