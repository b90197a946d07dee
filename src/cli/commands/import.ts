import { loadConfig } from '../../config.js';
import { Engine } from '../../engine.js';
import type { ImportOptions, ImportSummary, KindCounts } from '../../ingest/import.js';
import { CliError, type Command, intFlag } from '../command.js';
import { formatBytes, formatCount, formatSeconds, ProgressBar } from '../progress.js';

const PRESETS = 'segment, movielens, online-retail, baskets, interactions, diginetica, cartwise, generic';

/** Imports with a progress bar on stderr; shared by `import` and `demo`. */
export async function importWithProgress(
  engine: Engine,
  paths: string[],
  options: ImportOptions,
): Promise<ImportSummary> {
  const bar = new ProgressBar('import');
  const progress: { done: number; total: number; records: number } = { done: 0, total: 0, records: 0 };
  const finished = new Map<string, number>();
  try {
    return await engine.importFiles(paths, options, (p) => {
      finished.set(p.file, p.bytesRead);
      progress.done = [...finished.values()].reduce((a, b) => a + b, 0);
      progress.total = Math.max(progress.total, p.bytesTotal);
      bar.update(p.bytesRead, p.bytesTotal, `${formatCount(p.records)} records, ${formatBytes(p.bytesRead)}`);
    });
  } finally {
    bar.done();
  }
}

/** The human summary: counts per kind, and the first rejects with their line and reason. */
export function printSummary(s: ImportSummary): void {
  const row = (name: string, c: KindCounts) =>
    `  ${name.padEnd(7)} ${formatCount(c.read).padStart(12)} ${formatCount(c.accepted).padStart(12)} ${formatCount(c.rejected).padStart(10)} ${formatCount(c.duplicates).padStart(11)}`;
  console.log(
    `imported ${s.files.length} file(s), ${formatCount(s.rows)} rows, in ${formatSeconds(s.seconds)}:`,
  );
  for (const f of s.files) console.log(`  ${f.path} (${f.preset}, ${formatBytes(f.bytes)})`);
  console.log(
    `  ${'kind'.padEnd(7)} ${'read'.padStart(12)} ${'accepted'.padStart(12)} ${'rejected'.padStart(10)} ${'duplicates'.padStart(11)}`,
  );
  console.log(row('events', s.events));
  console.log(row('items', s.items));
  console.log(row('users', s.users));
  if (s.rejects.length > 0) {
    console.log(`first ${s.rejects.length} rejects:`);
    for (const r of s.rejects) console.log(`  ${r.file}:${r.line} (${r.kind}) ${r.message}`);
  }
}

export const importCommand: Command = {
  name: 'import',
  summary: 'stream CSV, JSONL or Parquet files of events, items and users into the store',
  usage: 'cartwise import [--data DIR] [--preset NAME] [--map col=field,...] [options] PATH...',
  details: [
    '--data DIR         data directory (default $CARTWISE_DATA or ./data); the server must not be running on it',
    `--preset NAME      ${PRESETS} (detected from file names and headers when absent)`,
    '--map col=field    rename source columns before the preset reads them, e.g. --map customer=user,sku=item',
    '--timezone ZONE    IANA zone of timestamps without an offset (default UTC; online-retail: Europe/London)',
    '--event NAME       event name of interaction files (default "Product Viewed"; "Product Reviewed" makes the value a rating)',
    '--start TIME       timestamp of the first basket of basket files (default 2000-01-01T00:00:00Z)',
    '--kind KIND        events, items or users, for generic files whose names do not say',
    '--encoding ENC     utf8 or latin1 (MovieLens 100k/1M files are latin1 and detected as such)',
    '--batch N          records per transaction (default 5000)',
    '--json             print the summary as JSON',
    '',
    'PATH may be files (.csv, .tsv, .dat, .data, .jsonl, .json, .parquet, optionally .gz) or a directory',
    'written by "cartwise generate". Re-importing the same files stores nothing twice (deterministic message ids).',
  ].join('\n'),
  positionals: true,
  options: {
    data: { type: 'string' },
    preset: { type: 'string' },
    map: { type: 'string' },
    timezone: { type: 'string' },
    event: { type: 'string' },
    start: { type: 'string' },
    kind: { type: 'string' },
    encoding: { type: 'string' },
    batch: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args) {
    if (args.positionals.length === 0) throw new CliError('no PATH given (see "cartwise import --help")', 2);
    const config = loadConfig({ data: args.values.data as string });
    const options: ImportOptions = {
      preset: args.values.preset as ImportOptions['preset'],
      map: args.values.map as string | undefined,
      timezone: args.values.timezone as string | undefined,
      eventName: args.values.event as string | undefined,
      start: args.values.start as string | undefined,
      kind: args.values.kind as ImportOptions['kind'],
      encoding: args.values.encoding as ImportOptions['encoding'],
      batchSize: intFlag(args, 'batch', 5000),
    };
    const engine = await Engine.open(config);
    let summary: ImportSummary;
    try {
      summary = await importWithProgress(engine, args.positionals, options);
    } finally {
      await engine.close();
    }
    if (args.values.json) console.log(JSON.stringify(summary));
    else printSummary(summary);
    const accepted = summary.events.accepted + summary.items.accepted + summary.users.accepted;
    const rejected = summary.events.rejected + summary.items.rejected + summary.users.rejected;
    return accepted === 0 && rejected > 0 ? 1 : 0;
  },
};
