/**
 * Line splitting for JSON Lines and other line-per-record formats. Memory is one chunk plus one
 * line; an over-long line (a JSON array on one line, a binary file) is reported, not buffered.
 */

const LF = 10;
const CR = 13;

/** One non-blank line, without its line break, and its 1-based number in the file. */
export interface TextLine {
  text: string;
  line: number;
  /** Set when the line was longer than the limit; `text` is then empty. */
  tooLong?: true;
}

/** Options of {@link LineSplitter}. */
export interface LineOptions {
  /** Longest line kept, in characters (default 64 Mi); longer ones come back flagged `tooLong`. */
  maxLineLength?: number;
}

/**
 * Splits text chunks at LF (CRLF too, the CR is dropped), skipping blank lines. A push state machine,
 * so lines may span any number of chunks.
 */
export class LineSplitter {
  private parts: string[] = [];
  private partsLength = 0;
  private line = 1;
  private tooLong = false;
  private started = false;
  private readonly max: number;

  constructor(options: LineOptions = {}) {
    this.max = options.maxLineLength ?? 64 * 1024 * 1024;
  }

  /** Splits a chunk and returns the lines it completed. */
  push(chunk: string): TextLine[] {
    const out: TextLine[] = [];
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      this.take(text.slice(start, nl));
      this.emit(out);
      start = nl + 1;
    }
    if (start < text.length) this.take(text.slice(start));
    return out;
  }

  /** Returns the last line when the input does not end with a line break. */
  end(): TextLine[] {
    const out: TextLine[] = [];
    if (this.parts.length > 0 || this.tooLong) this.emit(out);
    return out;
  }

  private take(piece: string): void {
    if (this.tooLong || piece === '') return;
    this.partsLength += piece.length;
    if (this.partsLength > this.max) {
      this.tooLong = true;
      this.parts = [];
      return;
    }
    this.parts.push(piece);
  }

  private emit(out: TextLine[]): void {
    const line = this.line++;
    if (this.tooLong) {
      out.push({ text: '', line, tooLong: true });
    } else if (this.parts.length > 0) {
      let text = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
      if (text.charCodeAt(text.length - 1) === CR) text = text.slice(0, -1);
      if (!isBlank(text)) out.push({ text, line });
    }
    this.parts = [];
    this.partsLength = 0;
    this.tooLong = false;
  }
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== CR && c !== LF) return false;
  }
  return true;
}

/** Streams the non-blank lines of text chunks. */
export async function* textLines(
  chunks: AsyncIterable<string>,
  options: LineOptions = {},
): AsyncGenerator<TextLine> {
  const splitter = new LineSplitter(options);
  for await (const chunk of chunks) yield* splitter.push(chunk);
  yield* splitter.end();
}
