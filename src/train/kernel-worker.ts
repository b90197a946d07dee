import { parentPort } from 'node:worker_threads';
import { KERNELS } from '../models/recommend/kernels.js';

/** A worker thread of the pool: runs named kernels over the ranges it is sent. */
interface Task {
  id: number;
  kernel: string;
  args: Record<string, unknown>;
  start: number;
  end: number;
}

parentPort!.on('message', (task: Task) => {
  try {
    const kernel = KERNELS[task.kernel];
    if (!kernel) throw new Error(`unknown kernel "${task.kernel}"`);
    kernel(task.args, task.start, task.end);
    parentPort!.postMessage({ id: task.id });
  } catch (error) {
    parentPort!.postMessage({
      id: task.id,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
