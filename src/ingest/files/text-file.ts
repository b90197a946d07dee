import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

/**
 * Reading input files as streams of text: fixed-size chunks, transparent gzip, and progress in
 * bytes of the file on disk (compressed bytes for .gz), so a progress bar reaches 100% exactly at
 * the end of the file whatever the compression ratio.
 */

/** Text encodings of input files: UTF-8, or ISO-8859-1 for older exports such as MovieLens 100k/1M. */
export type TextEncoding = 'utf8' | 'latin1';

/** Options of {@link readTextFile}. */
export interface TextFileOptions {
  encoding?: TextEncoding;
  /** Bytes read from disk per chunk (default 1 MiB). */
  highWaterMark?: number;
  /** Called after each chunk with the bytes read from disk so far. */
  onBytes?: (bytesRead: number) => void;
  signal?: AbortSignal;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** True when the file starts with the gzip magic bytes, whatever its name says. */
export async function isGzipFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
    throw fileError(path, e);
  });
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await handle.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === GZIP_MAGIC[0] && buf[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/**
 * Streams a text file as decoded chunks, gunzipping it when it starts with the gzip magic bytes.
 * A UTF-8 byte order mark is dropped. Stopping the iteration early closes the file.
 */
export async function* readTextFile(path: string, options: TextFileOptions = {}): AsyncGenerator<string> {
  const encoding = options.encoding ?? 'utf8';
  const gzip = await isGzipFile(path);
  const file = createReadStream(path, { highWaterMark: options.highWaterMark ?? 1 << 20 });
  const source = gzip ? file.pipe(createGunzip({ chunkSize: options.highWaterMark ?? 1 << 20 })) : file;
  if (gzip) file.on('error', (e) => source.destroy(e));
  const decoder = new StringDecoder(encoding);
  let first = true;
  try {
    for await (const buf of source as AsyncIterable<Buffer>) {
      options.signal?.throwIfAborted();
      let text = decoder.write(buf);
      if (first && text.length > 0) {
        first = false;
        if (encoding === 'utf8' && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      options.onBytes?.(file.bytesRead);
      if (text.length > 0) yield text;
    }
    const rest = decoder.end();
    if (rest.length > 0) yield rest;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR') {
      throw new Error(`${path}: corrupt gzip data (${err.message})`);
    }
    throw err.code ? fileError(path, err) : err;
  } finally {
    file.destroy();
    if (gzip) source.destroy();
  }
}

/** Reads the first line of a text file (gzip-aware), for format detection without reading the whole file. */
export async function readFirstLine(path: string, encoding: TextEncoding = 'utf8'): Promise<string> {
  let head = '';
  for await (const chunk of readTextFile(path, { encoding, highWaterMark: 64 * 1024 })) {
    head += chunk;
    const nl = head.search(/\r|\n/);
    if (nl !== -1) return head.slice(0, nl);
    if (head.length > 1 << 20) break;
  }
  return head;
}

/** Size of a file on disk, with a one-line error naming it when it cannot be read. */
export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    throw fileError(path, e as NodeJS.ErrnoException);
  }
}

/** Turns a file system error into a one-line message that names the file. */
export function fileError(path: string, e: NodeJS.ErrnoException): Error {
  const reason =
    e.code === 'ENOENT'
      ? 'no such file or directory'
      : e.code === 'EACCES'
        ? 'permission denied'
        : e.code === 'EISDIR'
          ? 'is a directory'
          : e.message;
  return new Error(`${path}: ${reason}`);
}
