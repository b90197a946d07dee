/**
 * A streaming RFC 4180 CSV parser. Files are fed in chunks of any size and rows come out as soon as
 * they are complete, so a 10 GB file is parsed in the memory of one chunk plus one row. Fields are
 * cut out of the input with `slice` (no per-character concatenation), which keeps the parser near
 * the speed of a plain `indexOf` scan.
 *
 * Dialect: fields separated by a delimiter of one or more characters (`,`, `\t`, `|`, `;`, `::`);
 * a field that starts with `"` is quoted and may contain delimiters, `""` (one quote) and line
 * breaks; rows end at LF, CRLF or a lone CR; a leading UTF-8 byte order mark is dropped; rows may
 * have different lengths; the last row needs no line break. Blank lines are skipped (a row holding
 * one empty field is written `""`). Characters after a closing quote are kept as part of the field
 * (`"ab"c` reads `abc`), as spreadsheet programs do.
 */

const LF = 10;
const CR = 13;
const QUOTE = 34;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const AFTER_QUOTE = 3;

/** One CSV record and the 1-based line it starts on, so errors and rejects can point at the source. */
export interface CsvRow {
  fields: string[];
  line: number;
}

/** Dialect and limits of {@link CsvParser}. */
export interface CsvOptions {
  /** Field separator, one or more characters; defaults to `,`. */
  delimiter?: string;
  /**
   * Longest field accepted, in characters (default 64 Mi). Bounds memory when a quote is never closed,
   * which would otherwise swallow the rest of the file into one field.
   */
  maxFieldLength?: number;
}

/** A malformed CSV input; `line` is where the offending field or row starts. */
export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

/**
 * The parser as a push state machine: feed chunks with {@link CsvParser.push}, then call
 * {@link CsvParser.end}. Synchronous, so the async readers stay thin and tests can split input anywhere.
 */
export class CsvParser {
  private readonly delim: string;
  private readonly d0: number;
  private readonly dlen: number;
  private readonly maxField: number;
  /** Unscanned text kept for lookahead: a closing-quote candidate or a partial multi-character delimiter. */
  private carry = '';
  private state = FIELD_START;
  private row: string[] = [];
  /** Pieces of the field in progress when it spans chunks or holds escaped quotes. */
  private parts: string[] = [];
  private partsLength = 0;
  private line = 1;
  private rowLine = 1;
  private fieldLine = 1;
  private inRow = false;
  private lastWasCR = false;
  private started = false;
  private ended = false;

  constructor(options: CsvOptions = {}) {
    const delimiter = options.delimiter ?? ',';
    if (delimiter === '' || /["\r\n]/.test(delimiter)) {
      throw new Error(
        `CSV delimiter must be non-empty and free of quotes and line breaks, got ${JSON.stringify(delimiter)}`,
      );
    }
    this.delim = delimiter;
    this.d0 = delimiter.charCodeAt(0);
    this.dlen = delimiter.length;
    this.maxField = options.maxFieldLength ?? 64 * 1024 * 1024;
  }

  /** Parses a chunk and returns the rows it completed. */
  push(chunk: string): CsvRow[] {
    const out: CsvRow[] = [];
    this.scan(chunk, false, out);
    return out;
  }

  /** Signals the end of input and returns the last row; throws {@link CsvError} on an unterminated quote. */
  end(): CsvRow[] {
    const out: CsvRow[] = [];
    if (this.ended) return out;
    this.ended = true;
    this.scan('', true, out);
    return out;
  }

  private scan(chunk: string, final: boolean, out: CsvRow[]): void {
    if (this.ended && !final) throw new Error('CsvParser: push() after end()');
    let text = this.carry === '' ? chunk : this.carry + chunk;
    this.carry = '';
    if (!this.started) {
      if (text.length === 0 && !final) return;
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const n = text.length;
    const { d0, dlen, delim } = this;
    let i = 0;
    let seg = 0;
    let state = this.state;
    let line = this.line;

    while (i < n) {
      if (state === FIELD_START) {
        const c = text.charCodeAt(i);
        if (c === LF && (i > 0 ? text.charCodeAt(i - 1) === CR : this.lastWasCR) && !this.inRow) {
          i++; // the LF of a CRLF that already ended a row
          continue;
        }
        if (!this.inRow) {
          if (c === LF || c === CR) {
            line++; // blank line
            i++;
            continue;
          }
          this.inRow = true;
          this.rowLine = line;
        }
        if (c === QUOTE) {
          state = QUOTED;
          this.fieldLine = line;
          i++;
          seg = i;
          continue;
        }
        state = UNQUOTED;
        this.fieldLine = line;
        seg = i;
      }

      if (state === UNQUOTED) {
        let j = i;
        for (; j < n; j++) {
          const c = text.charCodeAt(j);
          if (c === LF || c === CR) break;
          if (c === d0) {
            if (dlen === 1) break;
            if (j + dlen <= n) {
              if (text.startsWith(delim, j)) break;
            } else if (!final && delim.startsWith(text.slice(j))) break;
          }
        }
        if (j === n) {
          this.addPart(text.slice(seg, n));
          i = n;
          break;
        }
        const c = text.charCodeAt(j);
        if (c === d0 && dlen > 1 && j + dlen > n) {
          // A possible delimiter cut by the chunk boundary: decide when more text arrives.
          this.addPart(text.slice(seg, j));
          this.carry = text.slice(j);
          i = n;
          break;
        }
        this.endField(text.slice(seg, j));
        if (c === d0) {
          i = j + dlen;
        } else {
          this.endRow(out);
          line++;
          i = j + 1;
        }
        state = FIELD_START;
        continue;
      }

      if (state === QUOTED) {
        let j = i;
        for (; j < n; j++) {
          const c = text.charCodeAt(j);
          if (c === QUOTE) break;
          if (c === CR) line++;
          else if (c === LF && (j > 0 ? text.charCodeAt(j - 1) !== CR : !this.lastWasCR)) line++;
        }
        if (j === n) {
          this.addPart(text.slice(seg, n));
          i = n;
          break;
        }
        if (j + 1 === n && !final) {
          // A quote at the end of the chunk may be the first of `""`: look at the next chunk first.
          this.addPart(text.slice(seg, j));
          this.carry = '"';
          i = n;
          break;
        }
        if (j + 1 < n && text.charCodeAt(j + 1) === QUOTE) {
          this.addPart(text.slice(seg, j + 1));
          i = j + 2;
          seg = i;
          continue;
        }
        this.addPart(text.slice(seg, j));
        state = AFTER_QUOTE;
        i = j + 1;
        continue;
      }

      // AFTER_QUOTE: expect a delimiter or the end of the row.
      const c = text.charCodeAt(i);
      if (c === d0 && dlen > 1 && i + dlen > n && !final && delim.startsWith(text.slice(i))) {
        this.carry = text.slice(i);
        i = n;
        break;
      }
      if (c === d0 && (dlen === 1 || text.startsWith(delim, i))) {
        this.endField('');
        i += dlen;
        state = FIELD_START;
        continue;
      }
      if (c === LF || c === CR) {
        this.endField('');
        this.endRow(out);
        line++;
        i++;
        state = FIELD_START;
        continue;
      }
      state = UNQUOTED; // stray characters after the closing quote: keep them in the field
      seg = i;
    }

    this.lastWasCR = n > 0 ? text.charCodeAt(n - 1) === CR : this.lastWasCR;
    this.state = state;
    this.line = line;
    if (!final) return;
    if (state === QUOTED) {
      throw new CsvError(
        `unterminated quoted field starting on line ${this.fieldLine} (a " opens a field that never closes)`,
        this.fieldLine,
      );
    }
    if (this.inRow) {
      this.endField('');
      this.endRow(out);
    }
    this.state = FIELD_START;
  }

  private addPart(piece: string): void {
    if (piece === '') return;
    this.parts.push(piece);
    this.partsLength += piece.length;
    if (this.partsLength > this.maxField) {
      throw new CsvError(
        `field starting on line ${this.fieldLine} is longer than ${this.maxField} characters (an unclosed quote?)`,
        this.fieldLine,
      );
    }
  }

  private endField(last: string): void {
    if (this.parts.length === 0) {
      this.row.push(last);
      return;
    }
    if (last !== '') this.parts.push(last);
    this.row.push(this.parts.length === 1 ? this.parts[0]! : this.parts.join(''));
    this.parts = [];
    this.partsLength = 0;
  }

  private endRow(out: CsvRow[]): void {
    out.push({ fields: this.row, line: this.rowLine });
    this.row = [];
    this.inRow = false;
  }
}

/** Parses a stream of text chunks into rows, one parser-sized batch per chunk (fewer awaits than one per row). */
export async function* csvBatches(
  chunks: AsyncIterable<string>,
  options: CsvOptions = {},
): AsyncGenerator<CsvRow[]> {
  const parser = new CsvParser(options);
  for await (const chunk of chunks) {
    const rows = parser.push(chunk);
    if (rows.length > 0) yield rows;
  }
  const rows = parser.end();
  if (rows.length > 0) yield rows;
}

/** Parses a stream of text chunks into rows, one at a time. */
export async function* csvRows(
  chunks: AsyncIterable<string>,
  options: CsvOptions = {},
): AsyncGenerator<CsvRow> {
  for await (const rows of csvBatches(chunks, options)) yield* rows;
}

/** Formats one field for writing, quoting it only when needed; the inverse of the parser, used by tests and exports. */
export function csvField(value: string, delimiter = ','): string {
  const plain =
    !/["\r\n]/.test(value) && !value.includes(delimiter[0] ?? ',') && value.charCodeAt(0) !== 0xfeff;
  if (plain) return value;
  return `"${value.replaceAll('"', '""')}"`;
}
