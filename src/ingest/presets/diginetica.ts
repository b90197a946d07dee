import { CsvError } from '../files/csv.js';
import { readFirstLine } from '../files/text-file.js';
import { parseCsvHeader } from './csv-header.js';
import { isDirectory, listFiles } from './input-paths.js';
import type { ImportRecord, Preset, PresetContext } from './preset.js';
import { csvRowsOf, rejectAt } from './read-source.js';
import { contentId } from './record-id.js';

/**
 * DIGINETICA (CIKM Cup 2016) item views, `train-item-views.csv` and samples of it such as SR-GNN's
 * `sample_train-item-views.csv`: `;`-separated with the header
 * `session_id;user_id;item_id;timeframe;eventdate`. The session-based recommendation literature
 * (session-rec, SR-GNN) evaluates on this file.
 *
 * - Each row becomes a `Product Viewed` with `properties.product_id` = item_id.
 * - The shopper is the anonymous id `dgn-<session_id>`; no userId is attached even when user_id is
 *   not `NA`. session-rec and SR-GNN treat every session_id as one session whatever its user, and a
 *   userId would let identity resolution merge a user's sessions into one shopper. The user id is
 *   kept as `properties.diginetica_user_id` for session-aware work.
 * - timestamp = eventdate at UTC midnight + timeframe milliseconds (timeframe is the time since the
 *   session started). session-rec reads eventdate as local midnight; any fixed zone keeps the order.
 * - messageId derives from (session_id, item_id, timeframe, eventdate), so importing the file again
 *   stores nothing twice.
 * - Rejected rows: a missing session_id or item_id, a timeframe that is not a whole number of
 *   milliseconds, an eventdate that is not a YYYY-MM-DD calendar date.
 */

/** The header of the DIGINETICA item-view files. */
export const DIGINETICA_HEADER = ['session_id', 'user_id', 'item_id', 'timeframe', 'eventdate'];

/** True when a file's first line is the DIGINETICA item-view header (for preset detection). */
export function looksLikeDiginetica(firstLine: string): boolean {
  const fields = parseCsvHeader(firstLine, ';');
  return fields.length === DIGINETICA_HEADER.length && fields.every((f, i) => f === DIGINETICA_HEADER[i]);
}

/** The `diginetica` preset. */
export const digineticaPreset: Preset = {
  name: 'diginetica',
  summary:
    'DIGINETICA (CIKM Cup 2016) train-item-views.csv: each view a Product Viewed of shopper dgn-<session_id>',
  async files(paths) {
    const files = [];
    for (const path of paths) {
      if (await isDirectory(path))
        files.push(...(await listFiles(path)).filter((f) => /item-views/i.test(f)));
      else files.push(path);
    }
    return files.map((path) => ({ path, role: 'views' }));
  },
  async columns(file) {
    return parseCsvHeader(await readFirstLine(file.path), ';');
  },
  async *read(files, ctx) {
    for (const file of files) yield* readViews(file.path, ctx);
  },
};

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

async function* readViews(file: string, ctx: PresetContext): AsyncGenerator<ImportRecord> {
  let col: number[] | null = null;
  try {
    for await (const rows of csvRowsOf(file, ctx, { delimiter: ';' })) {
      for (const row of rows) {
        if (col === null) {
          const names = ctx.options.map.columns(row.fields.map((f) => f.trim()));
          col = DIGINETICA_HEADER.map((name) => names.indexOf(name));
          const missing = DIGINETICA_HEADER.filter((name, i) => col![i] === -1 && name !== 'user_id');
          if (missing.length > 0)
            throw new Error(
              `${file}: missing column(s) ${missing.join(', ')} (columns: ${names.join(', ')})`,
            );
          ctx.countRows(-1); // the header is not a data row
          continue;
        }
        const [session, user, item, timeframe, eventdate] = col.map((i) =>
          i === -1 ? '' : (row.fields[i] ?? '').trim(),
        ) as [string, string, string, string, string];
        yield view(file, row.line, session, user, item, timeframe, eventdate);
      }
    }
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    yield rejectAt(file, e.line, 'event', '(file)', e.message);
  }
}

function view(
  file: string,
  line: number,
  session: string,
  user: string,
  item: string,
  timeframe: string,
  eventdate: string,
): ImportRecord {
  if (session === '') return rejectAt(file, line, 'event', 'session_id', 'session_id: is empty');
  if (item === '') return rejectAt(file, line, 'event', 'item_id', 'item_id: is empty');
  if (!/^\d+$/.test(timeframe))
    return rejectAt(
      file,
      line,
      'event',
      'timeframe',
      `timeframe: expected whole milliseconds, got "${timeframe}"`,
    );
  const d = DATE.exec(eventdate);
  const midnight = d ? Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3])) : Number.NaN;
  if (!d || new Date(midnight).getUTCDate() !== Number(d[3]))
    return rejectAt(file, line, 'event', 'eventdate', `eventdate: expected YYYY-MM-DD, got "${eventdate}"`);
  const properties: Record<string, unknown> = { product_id: item };
  if (user !== '' && user !== 'NA') properties.diginetica_user_id = user;
  return {
    kind: 'event',
    file,
    line,
    id: contentId('diginetica', [session, item, timeframe, eventdate].join('\u0000')),
    raw: {
      type: 'track',
      event: 'Product Viewed',
      anonymousId: `dgn-${session}`,
      timestamp: new Date(midnight + Number(timeframe)).toISOString(),
      properties,
    },
  };
}
