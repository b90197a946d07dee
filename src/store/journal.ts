import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
} from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * The write-ahead journal that makes acknowledgements cheap and durable: each group of events is
 * appended to the current segment file as JSON lines followed by a commit line carrying the group's
 * line count and CRC-32, then fdatasync'ed, and only then acknowledged. Closed segments are loaded into the
 * database in bulk, off the request path, and deleted once loaded. After a crash, a segment is kept
 * up to its last intact commit line: a group is either wholly there or wholly absent.
 */

/** A closed segment, ready to load. */
export interface Segment {
  path: string;
  /** Highest event sequence number in the segment. */
  lastSeq: number;
  /** Message ids in the segment (they count as stored until the segment is loaded). */
  messageIds: string[];
}

/** Options of {@link Journal.open}. */
export interface JournalOptions {
  /** A segment is closed once it holds this many bytes (default 32 MiB). */
  maxSegmentBytes?: number;
}

const COMMIT = '{"commit":';

/** Appends groups of lines durably and rotates segments; one writer at a time (the caller serializes). */
export class Journal {
  private handle: FileHandle | null = null;
  private path: string | null = null;
  private bytes = 0;
  private lastSeq = 0;
  private ids: string[] = [];

  private constructor(
    private readonly dir: string,
    private readonly maxSegmentBytes: number,
  ) {}

  /**
   * Opens the journal directory and recovers what a crash left: returns the segments to load, in
   * order, each cut back to its last intact group.
   */
  static open(dir: string, options: JournalOptions = {}): { journal: Journal; recovered: Segment[] } {
    mkdirSync(dir, { recursive: true });
    const recovered: Segment[] = [];
    for (const name of readdirSync(dir)
      .filter((n) => /^\d{16}\.jsonl$/.test(n))
      .sort()) {
      const segment = recover(join(dir, name));
      if (segment) recovered.push(segment);
    }
    return { journal: new Journal(dir, options.maxSegmentBytes ?? 32 * 1024 * 1024), recovered };
  }

  /** True when the open segment holds no events. */
  get empty(): boolean {
    return this.ids.length === 0;
  }

  /** True when the open segment should be closed. */
  get full(): boolean {
    return this.bytes >= this.maxSegmentBytes;
  }

  /**
   * Durably appends one group: `lines` (one JSON object per event, without newlines) whose highest
   * sequence number is `lastSeq`. Resolves once the bytes are on disk.
   */
  async append(lines: readonly string[], messageIds: readonly string[], lastSeq: number): Promise<void> {
    if (!this.handle) await this.startSegment(lastSeq - lines.length + 1);
    const body = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    const commit = Buffer.from(`${COMMIT}${lastSeq},"n":${lines.length},"crc":${crc32(body)}}\n`, 'utf8');
    const buffer = Buffer.concat([body, commit]);
    try {
      await this.handle!.write(buffer, 0, buffer.length, this.bytes);
      await this.handle!.datasync();
    } catch (error) {
      // Whatever part of the group reached the file has no valid commit line: cut it off.
      await this.handle!.truncate(this.bytes).catch(() => undefined);
      throw error;
    }
    this.bytes += buffer.length;
    this.lastSeq = lastSeq;
    for (const id of messageIds) this.ids.push(id);
  }

  /** Closes the open segment and returns it, or null when it holds nothing. */
  async rotate(): Promise<Segment | null> {
    if (!this.handle) return null;
    await this.handle.close();
    const segment: Segment = { path: this.path!, lastSeq: this.lastSeq, messageIds: this.ids };
    this.handle = null;
    this.path = null;
    this.bytes = 0;
    this.ids = [];
    if (segment.messageIds.length === 0) {
      rmSync(segment.path, { force: true });
      return null;
    }
    return segment;
  }

  private async startSegment(firstSeq: number): Promise<void> {
    this.path = join(this.dir, `${String(firstSeq).padStart(16, '0')}.jsonl`);
    this.handle = await open(this.path, 'w');
    this.bytes = 0;
    syncDirectory(this.dir);
  }
}

/** Removes a loaded segment. */
export function removeSegment(segment: Segment): void {
  rmSync(segment.path, { force: true });
}

/** Reads a segment after a restart, cutting off a torn or unconfirmed tail. */
function recover(path: string): Segment | null {
  const bytes = readFileSync(path);
  let valid = 0;
  let lastSeq = 0;
  const ids: string[] = [];
  let pending: string[] = [];
  for (let start = 0; start < bytes.length; ) {
    const end = bytes.indexOf(10, start);
    if (end < 0) break;
    const line = bytes.toString('utf8', start, end);
    if (line.startsWith(COMMIT)) {
      const commit = parseCommit(line);
      if (!commit || commit.n !== pending.length || commit.crc !== crc32(bytes.subarray(valid, start))) break;
      valid = end + 1;
      lastSeq = commit.seq;
      for (const id of pending) ids.push(id);
      pending = [];
    } else {
      const id = /"message_id":("(?:[^"\\]|\\.)*")/.exec(line)?.[1];
      if (id === undefined) break;
      pending.push(JSON.parse(id) as string);
    }
    start = end + 1;
  }
  if (valid < bytes.length) truncateSync(path, valid);
  if (ids.length === 0) {
    rmSync(path, { force: true });
    return null;
  }
  return { path, lastSeq, messageIds: ids };
}

function parseCommit(line: string): { seq: number; n: number; crc: number } | null {
  try {
    const c = JSON.parse(line) as { commit: number; n: number; crc: number };
    return { seq: c.commit, n: c.n, crc: c.crc };
  } catch {
    return null;
  }
}

/** Makes a newly created file's directory entry durable. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
