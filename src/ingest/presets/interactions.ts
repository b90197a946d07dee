import { parseTimestamp } from '../fields.js';
import { CsvError } from '../files/csv.js';
import { sniffDelimiter } from '../files/file-format.js';
import { readFirstLine } from '../files/text-file.js';
import { parseCsvHeader } from './csv-header.js';
import { isDirectory, listFiles } from './input-paths.js';
import { normalizeTimestamp } from './local-time.js';
import type { ImportRecord, Preset } from './preset.js';
import { csvRowsOf, rejectAt } from './read-source.js';
import { contentId } from './record-id.js';

/**
 * Generic interaction files, the lowest common denominator of recommender data sets:
 * `user,item[,value][,timestamp]`, with or without a header, separated by `,`, tab or `;`. Each
 * row becomes one track event named by the `eventName` option (default `Product Viewed`); with
 * `Product Reviewed` the value is the rating, otherwise it is `properties.value`. Timestamps may be
 * Unix seconds, Unix milliseconds or ISO 8601 (read in the `timezone` option when without offset).
 *
 * A first row is a header when it names a column (user, item, rating, ...) or its third cell is
 * neither a number nor a date. With a header, columns are found by name (after `--map`), else by
 * position.
 */

const USER = [
  'user',
  'user_id',
  'userid',
  'customer',
  'customer_id',
  'customerid',
  'visitor',
  'visitorid',
  'visitor_id',
];
const ITEM = [
  'item',
  'item_id',
  'itemid',
  'product',
  'product_id',
  'productid',
  'sku',
  'movieid',
  'movie_id',
];
const VALUE = ['value', 'rating', 'score', 'weight', 'quantity', 'count', 'qty'];
const TIME = ['timestamp', 'time', 'ts', 'date', 'datetime', 'event_time', 'created_at'];
const NAMES = new Set([...USER, ...ITEM, ...VALUE, ...TIME]);

const isNumber = (s: string) => s.trim() !== '' && Number.isFinite(Number(s));

/** True when the first row of an interactions file is a header (see the module comment). */
export function isInteractionsHeader(fields: readonly string[]): boolean {
  if (fields.some((f) => NAMES.has(f.trim().toLowerCase()))) return true;
  const third = fields[2]?.trim();
  return third !== undefined && third !== '' && !isNumber(third) && parseTimestamp(third, 'UTC') === null;
}

interface Columns {
  user: number;
  item: number;
  value: number;
  time: number;
}

/** Columns by header name; the ones not named take their usual position when no named column has it. */
function columnsOf(names: readonly string[]): Columns {
  const lower = names.map((n) => n.trim().toLowerCase());
  const byName = (aliases: readonly string[]) => {
    for (const a of aliases) {
      const i = lower.indexOf(a);
      if (i !== -1) return i;
    }
    return -1;
  };
  const found = [byName(USER), byName(ITEM), byName(VALUE), byName(TIME)];
  const taken = new Set(found.filter((i) => i !== -1));
  const [user, item, value, time] = found.map((i, position) => {
    if (i !== -1 || position >= names.length || taken.has(position)) return i;
    taken.add(position);
    return position;
  }) as [number, number, number, number];
  return { user, item, value, time };
}

/** The `interactions` preset. */
export const interactionsPreset: Preset = {
  name: 'interactions',
  summary: 'interactions CSV user,item[,value][,timestamp], with or without header; --event names the event',
  async files(paths) {
    const files = [];
    for (const path of paths) {
      if (await isDirectory(path)) files.push(...(await listFiles(path)));
      else files.push(path);
    }
    return files.map((path) => ({ path, role: 'interactions' }));
  },
  async columns(file) {
    const first = await readFirstLine(file.path);
    const fields = parseCsvHeader(first, sniffDelimiter(first, [',', '\t', ';']));
    return isInteractionsHeader(fields) ? fields : null;
  },
  async *read(files, ctx) {
    const { eventName, map } = ctx.options;
    const zone = ctx.options.timezone ?? 'UTC';
    const reviewed = eventName === 'Product Reviewed';
    for (const { path } of files) {
      const delimiter = sniffDelimiter(await readFirstLine(path, ctx.options.encoding), [',', '\t', ';']);
      let cols: Columns | null = null;
      try {
        for await (const rows of csvRowsOf(path, ctx, { delimiter })) {
          for (const row of rows) {
            const f = row.fields;
            if (cols === null) {
              if (isInteractionsHeader(f)) {
                cols = columnsOf(map.columns(f.map((c) => c.trim())));
                ctx.countRows(-1); // the header is not a data row
                continue;
              }
              cols = { user: 0, item: 1, value: 2, time: 3 };
            }
            yield interaction(path, row.line, f, cols, eventName, reviewed, zone);
          }
        }
      } catch (e) {
        if (!(e instanceof CsvError)) throw e;
        yield rejectAt(path, e.line, 'event', '(file)', e.message);
      }
    }
  },
};

function interaction(
  file: string,
  line: number,
  f: readonly string[],
  cols: Columns,
  eventName: string,
  reviewed: boolean,
  zone: string,
): ImportRecord {
  const cell = (i: number) => (i === -1 ? '' : (f[i] ?? '').trim());
  const user = cell(cols.user);
  const item = cell(cols.item);
  const value = cell(cols.value);
  const time = cell(cols.time);
  const properties: Record<string, unknown> = { product_id: item };
  if (value !== '') {
    if (!isNumber(value))
      return rejectAt(file, line, 'event', 'value', `value: expected a number, got "${value}"`);
    properties[reviewed ? 'rating' : 'value'] = Number(value);
  }
  const raw: Record<string, unknown> = { type: 'track', event: eventName, userId: user, properties };
  if (time !== '') raw.timestamp = normalizeTimestamp(time, zone);
  // Rows with a time identify themselves; rows without one are told apart by their line.
  const key = [eventName, user, item, value, time === '' ? `line ${line}` : time].join('\u0000');
  return { kind: 'event', file, line, id: contentId('interaction', key), raw };
}
