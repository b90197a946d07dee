import { basename } from 'node:path';

/**
 * File formats by name. The name decides the parser (gzip is detected from the bytes, so a
 * trailing `.gz` is ignored here); presets that know their files (MovieLens, Groceries) do not ask.
 */

/** Tabular and line formats the importer reads. */
export type FileFormat = 'csv' | 'tsv' | 'jsonl' | 'parquet';

const BY_EXTENSION: Record<string, FileFormat> = {
  csv: 'csv',
  txt: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  json: 'jsonl',
  parquet: 'parquet',
  pq: 'parquet',
};

/** The file name without directory and without a trailing `.gz`, lower-cased: what formats and kinds are read from. */
export function plainName(path: string): string {
  return basename(path).toLowerCase().replace(/\.gz$/, '');
}

/** The format a file's name announces, or null when the extension is not one we read. */
export function formatOf(path: string): FileFormat | null {
  const name = plainName(path);
  const dot = name.lastIndexOf('.');
  return dot === -1 ? null : (BY_EXTENSION[name.slice(dot + 1)] ?? null);
}

/** The delimiter a header line most likely uses among `,` `\t` `;` `|` (the most frequent outside quotes). */
export function sniffDelimiter(
  headerLine: string,
  candidates: readonly string[] = [',', '\t', ';', '|'],
): string {
  const unquoted = headerLine.replace(/"[^"]*"/g, '');
  let best = candidates[0]!;
  let bestCount = 0;
  for (const d of candidates) {
    const count = unquoted.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}
