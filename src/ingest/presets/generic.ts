import { CsvError } from '../files/csv.js';
import { type FileFormat, formatOf, plainName, sniffDelimiter } from '../files/file-format.js';
import { parquetColumns } from '../files/parquet.js';
import { readFirstLine } from '../files/text-file.js';
import { ItemBody, UserBody } from '../items.js';
import { parseCsvHeader } from './csv-header.js';
import { isDirectory, listFiles } from './input-paths.js';
import { normalizeTimestamp } from './local-time.js';
import type { ImportRecord, InputFile, Preset, PresetContext, PresetOptions, RecordKind } from './preset.js';
import { csvRowsOf, jsonObjectsOf, rejectAt } from './read-source.js';
import { contentId } from './record-id.js';
import { exportedMessage } from './segment.js';
import { columnPaths, nestDottedKeys, tabularRecord } from './tabular-record.js';

/**
 * Files of Cartwise's own record shapes, as CSV, JSON Lines or Parquet: events (Segment messages),
 * items (catalog bodies) and users (`userId`, traits). What a file holds comes from its name
 * (`events*`, `items*`/`catalog*`/`products*`, `users*`/`customers*`) or the `kind` option.
 *
 * Flat files (CSV with a header row, Parquet) nest dotted column names (`properties.product_id`,
 * `attributes.color`), leave empty cells out, default an event's `type` to `track` and move columns
 * the schema does not know into `properties` (`traits` for identify and group calls). In every
 * format, item fields the schema does not know go to `attributes` and user fields to `traits`
 * rather than being dropped; an item's `tags` may be a `|`-separated list and `available` may be
 * true/false/yes/no/1/0. Timestamps may be ISO 8601 (read in the `timezone` option when without
 * offset) or Unix seconds or milliseconds.
 */

const KIND_BY_PREFIX: [RegExp, RecordKind][] = [
  [/^events?([._-]|$)/, 'event'],
  [/^(items?|catalog|products?)([._-]|$)/, 'item'],
  [/^(users?|customers?)([._-]|$)/, 'user'],
];

const ORDER: Record<RecordKind, number> = { item: 0, user: 1, event: 2 };

const EVENT_FIELDS = new Set([
  'type',
  'event',
  'userId',
  'anonymousId',
  'messageId',
  'timestamp',
  'originalTimestamp',
  'sentAt',
  'receivedAt',
  'context',
  'integrations',
  'properties',
  'traits',
  'name',
  'category',
  'previousId',
  'groupId',
]);
const ITEM_FIELDS = new Set(Object.keys(ItemBody.shape));
const USER_FIELDS = new Set(Object.keys(UserBody.shape));

/** What a file holds according to its name (`events.csv`, `items-2024.jsonl.gz`, `customers.parquet`), or null. */
export function kindFromName(path: string): RecordKind | null {
  const name = plainName(path);
  for (const [pattern, kind] of KIND_BY_PREFIX) if (pattern.test(name)) return kind;
  return null;
}

function inputFile(path: string, options: PresetOptions): InputFile {
  const format = formatOf(path);
  if (!format) {
    throw new Error(
      `${path}: unknown file type (expected .csv, .tsv, .jsonl, .ndjson, .json or .parquet, optionally .gz)`,
    );
  }
  const kind = options.kind ?? kindFromName(path);
  if (!kind) {
    throw new Error(
      `${path}: cannot tell whether it holds events, items or users; name it events.*, items.* or users.*, or pass --kind`,
    );
  }
  return { path, role: `${kind}:${format}` };
}

function roleOf(file: InputFile): { kind: RecordKind; format: FileFormat } {
  const [kind, format] = file.role.split(':') as [RecordKind, FileFormat];
  return { kind, format };
}

/** The `generic` preset. */
export const genericPreset: Preset = {
  name: 'generic',
  summary: 'events/items/users files in Cartwise shapes: CSV (dotted columns nest), JSON Lines or Parquet',
  async files(paths, options) {
    const files: InputFile[] = [];
    for (const path of paths) {
      if (await isDirectory(path)) {
        const inside = (await listFiles(path)).filter(
          (f) => formatOf(f) && (options.kind ?? kindFromName(f)),
        );
        if (inside.length === 0) {
          throw new Error(
            `${path}: no events.*, items.* or users.* files (.csv, .jsonl or .parquet) in this directory`,
          );
        }
        files.push(...inside.map((f) => inputFile(f, options)));
      } else {
        files.push(inputFile(path, options));
      }
    }
    return files.sort((a, b) => ORDER[roleOf(a).kind] - ORDER[roleOf(b).kind]);
  },
  async columns(file) {
    const { format } = roleOf(file);
    if (format === 'parquet') return parquetColumns(file.path);
    const first = await readFirstLine(file.path);
    if (format === 'jsonl') {
      try {
        const value = JSON.parse(first);
        return typeof value === 'object' && value !== null ? Object.keys(value) : [];
      } catch {
        return [];
      }
    }
    return parseCsvHeader(first, format === 'tsv' ? '\t' : sniffDelimiter(first));
  },
  async *read(files, ctx) {
    for (const file of files) {
      const { kind, format } = roleOf(file);
      if (format === 'jsonl') yield* jsonRecords(file.path, kind, ctx);
      else if (format === 'parquet') yield* parquetRecords(file.path, kind, ctx);
      else yield* csvRecords(file.path, kind, format, ctx);
    }
  },
};

async function* csvRecords(
  file: string,
  kind: RecordKind,
  format: FileFormat,
  ctx: PresetContext,
): AsyncGenerator<ImportRecord> {
  const delimiter = format === 'tsv' ? '\t' : sniffDelimiter(await readFirstLine(file, ctx.options.encoding));
  let paths: ReturnType<typeof columnPaths> | null = null;
  try {
    for await (const rows of csvRowsOf(file, ctx, { delimiter })) {
      for (const row of rows) {
        if (paths === null) {
          paths = columnPaths(ctx.options.map.columns(row.fields.map((f) => f.trim())));
          ctx.countRows(-1); // the header is not a data row
          continue;
        }
        const record = tabularRecord(paths, row.fields);
        yield shaped(kind, record, true, ctx, file, row.line, () => row.fields.join('\u001f'));
      }
    }
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    yield rejectAt(file, e.line, kind, '(file)', e.message);
  }
}

async function* jsonRecords(
  file: string,
  kind: RecordKind,
  ctx: PresetContext,
): AsyncGenerator<ImportRecord> {
  for await (const entry of jsonObjectsOf(file, ctx)) {
    if ('error' in entry) {
      yield rejectAt(file, entry.line, kind, '(line)', entry.error);
      continue;
    }
    yield shaped(kind, ctx.options.map.keys(entry.value), false, ctx, file, entry.line, () => entry.text);
  }
}

async function* parquetRecords(
  file: string,
  kind: RecordKind,
  ctx: PresetContext,
): AsyncGenerator<ImportRecord> {
  let line = 0;
  for await (const rows of ctx.parquet(file)) {
    ctx.countRows(rows.length);
    for (const row of rows) {
      line++;
      const record = nestDottedKeys(ctx.options.map.keys(row));
      yield shaped(kind, record, true, ctx, file, line, () => JSON.stringify(row));
    }
  }
}

/** Moves the fields a schema does not know into its free-form object instead of letting them vanish. */
function foldUnknown(
  record: Record<string, unknown>,
  known: Set<string>,
  into: string,
): Record<string, unknown> {
  let extra: Record<string, unknown> | null = null;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (known.has(key)) out[key] = value;
    else {
      extra ??= {};
      extra[key] = value;
    }
  }
  if (!extra) return record;
  const existing = out[into];
  out[into] =
    typeof existing === 'object' && existing !== null && !Array.isArray(existing)
      ? { ...extra, ...existing }
      : extra;
  return out;
}

const YES = new Set(['true', 'yes', 'y', '1']);
const NO = new Set(['false', 'no', 'n', '0']);

function shaped(
  kind: RecordKind,
  input: Record<string, unknown>,
  flat: boolean,
  ctx: PresetContext,
  file: string,
  line: number,
  content: () => string,
): ImportRecord {
  const zone = ctx.options.timezone ?? 'UTC';
  if (kind === 'event') {
    let record = input;
    if (flat) {
      if (record.type === undefined) record = { ...record, type: 'track' };
      const traitsCall = record.type === 'identify' || record.type === 'group';
      record = foldUnknown(record, EVENT_FIELDS, traitsCall ? 'traits' : 'properties');
    }
    const raw = exportedMessage(record, zone);
    const id = raw.messageId === undefined ? contentId('events', content()) : undefined;
    return { kind, raw, id, file, line };
  }
  if (kind === 'item') {
    const raw = foldUnknown(input, ITEM_FIELDS, 'attributes');
    if (typeof raw.tags === 'string')
      raw.tags = raw.tags
        .split('|')
        .map((t) => t.trim())
        .filter((t) => t !== '');
    if (typeof raw.available === 'string') {
      const v = raw.available.trim().toLowerCase();
      if (YES.has(v)) raw.available = true;
      else if (NO.has(v)) raw.available = false;
    }
    for (const f of ['createdAt', 'updatedAt'])
      if (raw[f] !== undefined) raw[f] = normalizeTimestamp(raw[f], zone);
    return { kind, raw, file, line };
  }
  const raw = foldUnknown(input, USER_FIELDS, 'traits');
  if (raw.createdAt !== undefined) raw.createdAt = normalizeTimestamp(raw.createdAt, zone);
  return { kind, raw, file, line };
}
