import { type CsvRow, csvBatches } from '../files/csv.js';
import { type TextLine, textLines } from '../files/lines.js';
import type { TextEncoding } from '../files/text-file.js';
import type { ImportRecord, PresetContext, RecordKind } from './preset.js';

/**
 * The three ways presets read text files: delimited rows (RFC 4180 CSV), lines split on a fixed
 * separator without quoting (MovieLens `.dat` and `u.*` files, where a `"` is just a character),
 * and JSON Lines. Each counts the rows it reads for the import summary.
 */

/** Streams the rows of a CSV file in batches. */
export async function* csvRowsOf(
  file: string,
  ctx: PresetContext,
  options: { delimiter?: string; encoding?: TextEncoding } = {},
): AsyncGenerator<CsvRow[]> {
  for await (const rows of csvBatches(ctx.text(file, options.encoding), { delimiter: options.delimiter })) {
    ctx.countRows(rows.length);
    yield rows;
  }
}

/** Streams the non-blank lines of a file split on a separator, with no quoting rules. */
export async function* splitLinesOf(
  file: string,
  ctx: PresetContext,
  separator: string,
  encoding?: TextEncoding,
): AsyncGenerator<CsvRow> {
  for await (const line of textLines(ctx.text(file, encoding))) {
    ctx.countRows(1);
    yield { fields: line.text.split(separator), line: line.line };
  }
}

/** One line of a JSON Lines file: the object on it, or why it is not one. */
export type JsonObjectLine =
  | { line: number; text: string; value: Record<string, unknown> }
  | { line: number; text: string; error: string };

/** Streams the objects of a JSON Lines file; a line that is not a JSON object comes back with an error. */
export async function* jsonObjectsOf(file: string, ctx: PresetContext): AsyncGenerator<JsonObjectLine> {
  for await (const line of textLines(ctx.text(file))) {
    ctx.countRows(1);
    yield parseObjectLine(line);
  }
}

function parseObjectLine(line: TextLine): JsonObjectLine {
  if (line.tooLong) return { line: line.line, text: '', error: 'line is too long to be one record' };
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch (e) {
    return { line: line.line, text: line.text, error: `invalid JSON: ${(e as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { line: line.line, text: line.text, error: 'expected a JSON object on each line' };
  }
  return { line: line.line, text: line.text, value: value as Record<string, unknown> };
}

/** A line the preset could not turn into a record. */
export function rejectAt(
  file: string,
  line: number,
  of: RecordKind,
  field: string,
  message: string,
): ImportRecord {
  return { kind: 'reject', of, file, line, field, message };
}
