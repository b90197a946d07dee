/**
 * Group commit: writes that arrive while a commit is running wait and then go to disk together in
 * the next one, so a thousand single-event requests cost a handful of transactions and fsyncs, not a
 * thousand. Other writes (catalog, erasure) run alone, in arrival order, on the same queue, so the
 * database sees one writer.
 */
export class GroupCommit<T, R> {
  private readonly queue: Entry<T, R>[] = [];
  private running = false;
  private closed = false;

  /**
   * @param commitGroup writes every batch of the group in ONE transaction and returns one result per batch.
   * @param maxGroupItems a group stops growing past this many items (bounds transaction size).
   */
  constructor(
    private readonly commitGroup: (batches: T[][]) => Promise<R[]>,
    private readonly maxGroupItems = 50_000,
  ) {}

  /** Queues a batch; resolves once it is committed (or rejects, with nothing of it written). */
  submit(items: T[]): Promise<R> {
    return new Promise<R>((resolve, reject) => this.enqueue({ kind: 'batch', items, resolve, reject }));
  }

  /** Runs `task` alone, after everything queued before it. */
  exclusive<V>(task: () => Promise<V>): Promise<V> {
    return new Promise<V>((resolve, reject) =>
      this.enqueue({ kind: 'task', task, resolve: resolve as (v: unknown) => void, reject }),
    );
  }

  /** Waits for everything queued, then refuses new work. */
  async close(): Promise<void> {
    const drained = this.exclusive(async () => undefined);
    this.closed = true;
    await drained;
  }

  private enqueue(entry: Entry<T, R>): void {
    if (this.closed) {
      entry.reject(new Error('the store is closed'));
      return;
    }
    this.queue.push(entry);
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    // Let requests parsed in the same tick join the first group.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.kind === 'task') {
        this.queue.shift();
        try {
          head.resolve(await head.task());
        } catch (error) {
          head.reject(error);
        }
        continue;
      }
      const group: BatchEntry<T, R>[] = [];
      let size = 0;
      for (let next = this.queue[0]; next?.kind === 'batch'; next = this.queue[0]) {
        if (group.length > 0 && size + next.items.length > this.maxGroupItems) break;
        group.push(next);
        size += next.items.length;
        this.queue.shift();
      }
      await this.commit(group);
    }
    this.running = false;
  }

  private async commit(group: BatchEntry<T, R>[]): Promise<void> {
    try {
      const results = await this.commitGroup(group.map((e) => e.items));
      for (let i = 0; i < group.length; i++) group[i]!.resolve(results[i]!);
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      // One bad batch must not fail the others: retry each alone.
      for (const e of group) await this.commit([e]);
    }
  }
}

interface BatchEntry<T, R> {
  kind: 'batch';
  items: T[];
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

interface TaskEntry {
  kind: 'task';
  task: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Entry<T, R> = BatchEntry<T, R> | TaskEntry;
