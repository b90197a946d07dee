import type { TextEncoding } from '../files/text-file.js';
import type { ColumnMap } from './column-map.js';

/**
 * The contract between the import loop and the presets. A preset knows one family of files
 * (Segment exports, MovieLens, UCI Online Retail, ...) and turns them into raw records that the
 * ordinary validators (`validateMessage`, `validateItem`, `validateUser`) accept, so files and the
 * HTTP API share one definition of a valid event.
 */

/** The three things an import produces. */
export type RecordKind = 'event' | 'item' | 'user';

/** Where a record came from, so a reject can point at the file and line. */
export interface SourcePosition {
  file: string;
  line: number;
}

/**
 * One record read from a file. `raw` is what the validators accept; an event's `id` is its
 * deterministic fallback messageId, so importing the same file twice stores nothing new. A
 * `reject` is a line the preset could not turn into a record, with the reason.
 */
export type ImportRecord =
  | ({ kind: 'event'; raw: unknown; id?: string } & SourcePosition)
  | ({ kind: 'item'; raw: unknown } & SourcePosition)
  | ({ kind: 'user'; raw: unknown } & SourcePosition)
  | ({ kind: 'reject'; of: RecordKind; field: string; message: string } & SourcePosition);

/** Import options after parsing and defaults, as presets see them. */
export interface PresetOptions {
  /** `--map`: column renames applied before the preset reads the columns. */
  map: ColumnMap;
  /** IANA zone of timestamps written without an offset; undefined = the preset's default (UTC, or Europe/London for online-retail). */
  timezone?: string;
  /** Event name for interaction files. */
  eventName: string;
  /** Time of the first record of files without timestamps (baskets), ms since epoch. */
  start: number;
  /** Forces what a generic file holds instead of guessing from its name. */
  kind?: RecordKind;
  /** Overrides the text encoding a preset would use. */
  encoding?: TextEncoding;
  signal?: AbortSignal;
}

/** What the import loop lends a preset: options, and file readers that report progress. */
export interface PresetContext {
  readonly options: PresetOptions;
  /** Streams a text file (gzip-aware); `encoding` is the preset's default, `options.encoding` wins. */
  text(file: string, encoding?: TextEncoding): AsyncIterable<string>;
  /** Streams a Parquet file in row batches. */
  parquet(file: string): AsyncIterable<Record<string, unknown>[]>;
  /** Counts rows (lines) read from the source, for the summary. */
  countRows(n: number): void;
}

/** Names accepted by `--preset`. */
export type PresetName =
  | 'segment'
  | 'movielens'
  | 'online-retail'
  | 'baskets'
  | 'interactions'
  | 'cartwise'
  | 'generic'
  | 'diginetica';

/** A file a preset will read, with what the preset found it holds (e.g. `items`, `ratings`). */
export interface InputFile {
  path: string;
  role: string;
}

/** A family of input files and how it maps to events, items and users. */
export interface Preset {
  readonly name: PresetName;
  /** One line for `--help` and error messages. */
  readonly summary: string;
  /** Expands the paths given on the command line into the files to read, in reading order. */
  files(paths: readonly string[], options: PresetOptions): Promise<InputFile[]>;
  /** The column names `--map` may rename in a file; null when the file has no named columns. */
  columns(file: InputFile, options: PresetOptions): Promise<string[] | null>;
  /** Streams the records of the files. */
  read(files: readonly InputFile[], ctx: PresetContext): AsyncIterable<ImportRecord>;
}
