import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Parallel } from '../models/recommend/contract.js';
import { startThread } from './thread.js';

/**
 * Worker threads that run model kernels over ranges of rows in shared memory: how iALS, BPR and
 * item-kNN use every core. Ranges are cut into a few chunks per thread and handed to whichever
 * thread is free; kernels do not depend on the cut, so results are the same as in one thread.
 */
export class WorkerPool implements Parallel {
  private readonly idle: Worker[] = [];
  private readonly waiting: (() => void)[] = [];
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) {
      w.on('message', (m: { id: number; error?: string }) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        this.release(w);
        if (m.error) p?.reject(new Error(m.error));
        else p?.resolve();
      });
      w.on('error', (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      this.idle.push(w);
    }
  }

  /** A pool of `threads` workers (default: one per core). */
  static create(threads = availableParallelism()): WorkerPool {
    return new WorkerPool(Array.from({ length: Math.max(1, threads) }, () => startThread('kernel-worker')));
  }

  get threads(): number {
    return this.workers.length;
  }

  async forRange(kernel: string, n: number, args: Record<string, unknown>): Promise<void> {
    const chunks = Math.min(n, this.workers.length * 4);
    const tasks: Promise<void>[] = [];
    for (let c = 0; c < chunks; c++) {
      const start = Math.floor((n * c) / chunks);
      const end = Math.floor((n * (c + 1)) / chunks);
      if (end > start) tasks.push(this.run(kernel, args, start, end));
    }
    await Promise.all(tasks);
  }

  /** Stops the threads. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private async run(
    kernel: string,
    args: Record<string, unknown>,
    start: number,
    end: number,
  ): Promise<void> {
    const worker = await this.acquire();
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, kernel, args, start, end });
    });
  }

  private acquire(): Promise<Worker> {
    const w = this.idle.pop();
    if (w) return Promise.resolve(w);
    return new Promise((resolve) => this.waiting.push(() => resolve(this.idle.pop()!)));
  }

  private release(w: Worker): void {
    this.idle.push(w);
    this.waiting.shift()?.();
  }
}
