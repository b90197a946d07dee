import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

/**
 * A buffered text file writer that honours backpressure, so a generator producing gigabytes of
 * lines keeps only about one chunk in memory per file, however fast it produces them.
 */
export class JsonlWriter {
  private readonly stream: WriteStream;
  private parts: string[] = [];
  private size = 0;
  private failure: Error | null = null;

  constructor(
    readonly path: string,
    private readonly chunkChars = 1 << 20,
  ) {
    this.stream = createWriteStream(path, { highWaterMark: 4 << 20 });
    this.stream.on('error', (err) => {
      this.failure = err;
    });
  }

  /** Appends text; returns a promise only when the file is behind and the caller must wait for it. */
  write(text: string): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    this.parts.push(text);
    this.size += text.length;
    if (this.size < this.chunkChars) return undefined;
    return this.flush();
  }

  /** Appends one line (a newline is added). */
  line(text: string): Promise<void> | undefined {
    return this.write(`${text}\n`);
  }

  private flush(): Promise<void> | undefined {
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (chunk === '' || this.stream.write(chunk)) return undefined;
    return once(this.stream, 'drain').then(() => undefined);
  }

  /** Writes what is buffered and closes the file. */
  async close(): Promise<void> {
    await this.flush();
    if (this.failure) throw this.failure;
    this.stream.end();
    await finished(this.stream);
  }

  /** Closes the file without waiting, after a failure elsewhere. */
  destroy(): void {
    this.stream.destroy();
  }
}
