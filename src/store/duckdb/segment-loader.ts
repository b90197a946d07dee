import { type Journal, removeSegment, type Segment } from '../journal.js';

/** How a {@link SegmentLoader} reaches the store. */
export interface SegmentLoaderOptions {
  /** Runs a task on the queue that appends to the journal (a rotation must not interleave with an append). */
  appendQueue: <V>(task: () => Promise<V>) => Promise<V>;
  /** Runs a task on the database's serial write queue. */
  dbQueue: <V>(task: () => Promise<V>) => Promise<V>;
  /** Longest time an appended line waits before its segment is closed and loaded. */
  delayMs: number;
  /** Moves closed segments (oldest first) into the database in one transaction; must be idempotent per sequence number. */
  load: (segments: readonly Segment[]) => Promise<void>;
  /** Called after a load, once its files are gone. */
  loaded?: (segments: readonly Segment[], seconds: number) => void;
  /** Names the journal in the message of a failed load. */
  name: string;
}

/**
 * Moves a journal into the database: the open segment is closed when it is full or `delayMs` after
 * its first line, closed segments are loaded in order on the database queue (a failed load is
 * retried a second later, nothing skipped), and their files are deleted once loaded.
 */
export class SegmentLoader {
  private timer: NodeJS.Timeout | null = null;
  private readonly closed: Segment[] = [];
  private scheduled = false;

  constructor(
    readonly journal: Journal,
    private readonly options: SegmentLoaderOptions,
  ) {}

  /** Call after each append, on the append queue: closes a full segment, else arms the timer. */
  async appended(): Promise<void> {
    if (this.journal.full) await this.rotate();
    else
      this.timer ??= setTimeout(
        () => void this.options.appendQueue(() => this.rotate()),
        this.options.delayMs,
      ).unref();
  }

  /** Loads what a crash left in the journal (at open, before any other work). */
  recover(segments: readonly Segment[]): Promise<void> {
    return this.loadNow(segments);
  }

  /** Resolves once every line appended so far is in the database. */
  async settle(): Promise<void> {
    await this.options.appendQueue(() => this.rotate());
    await this.options.dbQueue(async () => undefined);
  }

  /** Disarms the timer (the store is closing; settle first). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async rotate(): Promise<void> {
    this.stop();
    const segment = await this.journal.rotate();
    if (!segment) return;
    this.closed.push(segment);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.options
      .dbQueue(async () => {
        this.scheduled = false;
        const segments = this.closed.splice(0);
        try {
          await this.loadNow(segments);
        } catch (error) {
          this.closed.unshift(...segments);
          throw error;
        }
      })
      .catch((error: unknown) => {
        console.error(
          `cartwise: loading the ${this.options.name} into the database failed; retrying in 1 s:`,
          error,
        );
        setTimeout(() => this.schedule(), 1000).unref();
      });
  }

  private async loadNow(segments: readonly Segment[]): Promise<void> {
    if (segments.length === 0) return;
    const started = performance.now();
    await this.options.load(segments);
    for (const segment of segments) removeSegment(segment);
    this.options.loaded?.(segments, (performance.now() - started) / 1000);
  }
}
