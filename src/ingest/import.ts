import type { Item, StoredEvent, UserRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { parseTimestamp } from './fields.js';
import { readParquet } from './files/parquet.js';
import { fileSize, readTextFile, type TextEncoding } from './files/text-file.js';
import { validateItem, validateUser } from './items.js';
import { validateMessage } from './messages.js';
import { ColumnMap } from './presets/column-map.js';
import { detectPreset } from './presets/detect.js';
import type {
  InputFile,
  Preset,
  PresetContext,
  PresetName,
  PresetOptions,
  RecordKind,
} from './presets/preset.js';
import { PRESET_NAMES, presetNamed } from './presets/registry.js';
import { checkTimeZone } from './time-zone.js';

/**
 * `cartwise import`: streams files of events, items and users into the store. A preset (given or
 * detected) turns files into raw records; each is validated by the same code as the HTTP API and
 * written in batches, each write awaited before reading on, so memory is bounded by one batch
 * whatever the file size. Rejected records are counted and the first ones kept with their line.
 */

/** Options of {@link importFiles}; the CLI flags map onto them one to one. */
export interface ImportOptions {
  /** `--preset`; detected per path when absent. */
  preset?: PresetName;
  /** `--map col=field,...` (or the renames as an object). */
  map?: string | Readonly<Record<string, string>>;
  /** IANA zone of timestamps without an offset (default UTC; online-retail: Europe/London). */
  timezone?: string;
  /** Event name of interaction files (default `Product Viewed`). */
  eventName?: string;
  /** Time of the first basket of basket files (default 2000-01-01T00:00:00Z). */
  start?: string | number | Date;
  /** What generic files hold, when their names do not say. */
  kind?: 'events' | 'items' | 'users';
  /** Records per write (default 5,000). */
  batchSize?: number;
  /** Text encoding, overriding the preset's (MovieLens 100k/1M default to latin1). */
  encoding?: TextEncoding;
  /** Stops the import; batches already written stay written. */
  signal?: AbortSignal;
  /** How many rejects the summary keeps (default 20). */
  maxRejects?: number;
}

/** Progress of an import, for a progress bar: bytes of the input files read so far. */
export interface ImportProgress {
  file: string;
  bytesRead: number;
  bytesTotal: number;
  records: number;
}

/** Counts for one kind of record. */
export interface KindCounts {
  /** Records read from the files. */
  read: number;
  /** Records that passed validation and were written. */
  accepted: number;
  rejected: number;
  /** Accepted events the store already had (same messageId): a re-import shows up here. */
  duplicates: number;
}

/** A record that was not imported, and why. */
export interface ImportReject {
  file: string;
  line: number;
  kind: RecordKind;
  field: string;
  message: string;
}

/** What an import did. */
export interface ImportSummary {
  events: KindCounts;
  items: KindCounts;
  users: KindCounts;
  /** Data rows (lines) read from the files. */
  rows: number;
  /** Files read, with the preset that read them. */
  files: { path: string; preset: PresetName; bytes: number }[];
  seconds: number;
  /** The first rejects (see {@link ImportOptions.maxRejects}). */
  rejects: ImportReject[];
}

/** The part of the store an import writes to. */
export type ImportSink = Pick<Store, 'appendEvents' | 'upsertItems' | 'upsertUsers'>;

const DEFAULT_START = Date.UTC(2000, 0, 1);

/** Options checked and defaulted once; every error names the option, as the CLI prints it. */
function presetOptions(options: ImportOptions): PresetOptions {
  let start = DEFAULT_START;
  if (options.start !== undefined) {
    const s = options.start;
    start =
      s instanceof Date ? s.getTime() : typeof s === 'number' ? s : (parseTimestamp(s, 'UTC') ?? Number.NaN);
    if (!Number.isFinite(start))
      throw new Error(`--start: expected an ISO 8601 date-time, got "${String(s)}"`);
  }
  const kinds: Record<string, RecordKind> = { events: 'event', items: 'item', users: 'user' };
  if (options.kind !== undefined && !Object.hasOwn(kinds, options.kind)) {
    throw new Error(`--kind: expected events, items or users, got "${options.kind}"`);
  }
  if (options.encoding !== undefined && options.encoding !== 'utf8' && options.encoding !== 'latin1') {
    throw new Error(`--encoding: expected utf8 or latin1, got "${options.encoding}"`);
  }
  const eventName = options.eventName?.trim() ?? 'Product Viewed';
  if (eventName === '') throw new Error('--event: must not be empty');
  return {
    map: ColumnMap.parse(options.map),
    timezone: options.timezone === undefined ? undefined : checkTimeZone(options.timezone),
    eventName,
    start,
    kind: options.kind ? kinds[options.kind] : undefined,
    encoding: options.encoding,
    signal: options.signal,
  };
}

/** Which preset reads which paths: the given one for all, or each path's detected one, in order. */
async function plan(paths: readonly string[], options: ImportOptions): Promise<[Preset, string[]][]> {
  if (options.preset !== undefined) {
    const preset = presetNamed(options.preset);
    if (!preset) {
      throw new Error(
        `--preset: unknown preset "${options.preset}"; choose one of ${PRESET_NAMES.join(', ')}`,
      );
    }
    return [[preset, [...paths]]];
  }
  const groups = new Map<PresetName, string[]>();
  for (const path of paths) {
    const name = await detectPreset(path);
    const group = groups.get(name);
    if (group) group.push(path);
    else groups.set(name, [path]);
  }
  return [...groups].map(([name, group]) => [presetNamed(name)!, group]);
}

/**
 * Imports files into a sink (the store). Throws a one-line Error for problems that stop the import
 * before or while reading (missing file, unknown preset, bad `--map`, a file that is not what its
 * preset expects); records that fail validation are counted and reported in the summary instead.
 */
export async function importFiles(
  paths: readonly string[],
  options: ImportOptions,
  sink: ImportSink,
  onProgress?: (progress: ImportProgress) => void,
): Promise<ImportSummary> {
  const startedAt = Date.now();
  if (paths.length === 0) throw new Error('import: no files given');
  const popts = presetOptions(options);
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 5000));
  const maxRejects = Math.max(0, options.maxRejects ?? 20);
  const signal = options.signal;

  const groups: { preset: Preset; files: InputFile[] }[] = [];
  const sizes = new Map<string, number>();
  for (const [preset, group] of await plan(paths, options)) {
    const files = await preset.files(group, popts);
    for (const f of files) sizes.set(f.path, await fileSize(f.path));
    groups.push({ preset, files });
  }
  if (popts.map.size > 0) {
    const available = new Set<string>();
    for (const { preset, files } of groups) {
      for (const f of files) for (const c of (await preset.columns(f, popts)) ?? []) available.add(c);
    }
    popts.map.check([...available]);
  }

  const counts = () => ({ read: 0, accepted: 0, rejected: 0, duplicates: 0 });
  const summary: ImportSummary = {
    events: counts(),
    items: counts(),
    users: counts(),
    rows: 0,
    files: groups.flatMap(({ preset, files }) =>
      files.map((f) => ({ path: f.path, preset: preset.name, bytes: sizes.get(f.path) ?? 0 })),
    ),
    seconds: 0,
    rejects: [],
  };

  // Progress: bytes read per file, summed; reported at most every 100 ms.
  const bytesTotal = [...sizes.values()].reduce((a, b) => a + b, 0);
  const readByFile = new Map<string, number>();
  let bytesRead = 0;
  let currentFile = '';
  let records = 0;
  let lastReport = 0;
  const noteBytes = (file: string, n: number) => {
    currentFile = file;
    const capped = Math.min(n, sizes.get(file) ?? n);
    bytesRead += capped - (readByFile.get(file) ?? 0);
    readByFile.set(file, capped);
  };
  const report = (force = false) => {
    if (!onProgress) return;
    const now = Date.now();
    if (!force && now - lastReport < 100) return;
    lastReport = now;
    onProgress({ file: currentFile, bytesRead, bytesTotal, records });
  };

  const ctx: PresetContext = {
    options: popts,
    text: (file, encoding) =>
      readTextFile(file, {
        encoding: popts.encoding ?? encoding,
        signal,
        onBytes: (n) => noteBytes(file, n),
      }),
    parquet: (file) =>
      readParquet(file, {
        signal,
        onRows: (read, total) =>
          noteBytes(file, Math.round(((sizes.get(file) ?? 0) * read) / Math.max(total, 1))),
      }),
    countRows: (n) => {
      summary.rows += n;
    },
  };

  let events: StoredEvent[] = [];
  let items: Item[] = [];
  let users: UserRecord[] = [];
  const flushItems = async () => {
    if (items.length === 0) return;
    const batch = items;
    items = [];
    await sink.upsertItems(batch);
  };
  const flushUsers = async () => {
    if (users.length === 0) return;
    const batch = users;
    users = [];
    await sink.upsertUsers(batch);
  };
  const flushAll = async () => {
    // Catalog and users first, so the events written next can be joined to them.
    await flushItems();
    await flushUsers();
    if (events.length === 0) return;
    const batch = events;
    events = [];
    const result = await sink.appendEvents(batch);
    summary.events.duplicates += result.duplicates;
  };
  const reject = (kind: RecordKind, file: string, line: number, field: string, message: string) => {
    summary[`${kind}s`].rejected++;
    if (summary.rejects.length < maxRejects) summary.rejects.push({ file, line, kind, field, message });
  };

  for (const { preset, files } of groups) {
    for await (const record of preset.read(files, ctx)) {
      signal?.throwIfAborted();
      records++;
      switch (record.kind) {
        case 'event': {
          summary.events.read++;
          const v = validateMessage(record.raw, { receivedAt: startedAt, fallbackMessageId: record.id });
          if (!v.ok) {
            reject(
              'event',
              record.file,
              record.line,
              v.errors[0]!.field,
              v.errors.map((e) => e.message).join('; '),
            );
            break;
          }
          summary.events.accepted++;
          events.push(v.event);
          if (events.length >= batchSize) await flushAll();
          break;
        }
        case 'item': {
          summary.items.read++;
          const v = validateItem(record.raw, startedAt);
          if (!v.ok) {
            reject(
              'item',
              record.file,
              record.line,
              v.errors[0]!.field,
              v.errors.map((e) => e.message).join('; '),
            );
            break;
          }
          summary.items.accepted++;
          items.push(v.item);
          if (items.length >= batchSize) await flushItems();
          break;
        }
        case 'user': {
          summary.users.read++;
          const v = validateUser(record.raw, startedAt);
          if (!v.ok) {
            reject(
              'user',
              record.file,
              record.line,
              v.errors[0]!.field,
              v.errors.map((e) => e.message).join('; '),
            );
            break;
          }
          summary.users.accepted++;
          users.push(v.user);
          if (users.length >= batchSize) await flushUsers();
          break;
        }
        case 'reject':
          summary[`${record.of}s`].read++;
          reject(record.of, record.file, record.line, record.field, record.message);
          break;
      }
      report();
    }
  }
  await flushAll();
  bytesRead = bytesTotal;
  report(true);
  summary.seconds = (Date.now() - startedAt) / 1000;
  return summary;
}
