import { Worker } from 'node:worker_threads';
import type { Artifact, TrainingData } from '../models/recommend/contract.js';

/** Progress of a fit running in its own thread. */
export interface FitProgress {
  fraction: number;
  message: string;
}

/** A finished fit: the model's artifact and how long fitting took. */
export interface FitResult {
  artifact: Artifact;
  seconds: number;
}

/**
 * Fits a model in a worker thread, so the thread that calls it (the server) keeps answering while
 * the model trains. `signal` stops the fit at its next checkpoint (between epochs or steps); the
 * promise then rejects. The data is copied to the thread.
 */
export function fitInWorker(
  model: string,
  params: Record<string, unknown>,
  data: TrainingData,
  options: { threads?: number; signal?: AbortSignal; onProgress?: (p: FitProgress) => void } = {},
): Promise<FitResult> {
  if (options.signal?.aborted) return Promise.reject(new Error('fit cancelled'));
  const source = import.meta.url.endsWith('.ts');
  const cancel = new SharedArrayBuffer(4);
  const workerData = { model, params, data, threads: options.threads ?? 1, cancel };
  const worker = source
    ? new Worker(
        `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(new URL('./fit-worker.ts', import.meta.url).href)}); });`,
        { eval: true, workerData },
      )
    : new Worker(new URL('./fit-worker.js', import.meta.url), { workerData });
  return new Promise((resolve, reject) => {
    const abort = () => Atomics.store(new Int32Array(cancel), 0, 1);
    options.signal?.addEventListener('abort', abort, { once: true });
    const finish = () => {
      options.signal?.removeEventListener('abort', abort);
      void worker.terminate();
    };
    worker.on(
      'message',
      (m: { type: string } & Partial<FitProgress> & Partial<FitResult> & { message?: string }) => {
        if (m.type === 'progress') options.onProgress?.({ fraction: m.fraction!, message: m.message! });
        else if (m.type === 'done') {
          finish();
          resolve({ artifact: m.artifact!, seconds: m.seconds! });
        } else if (m.type === 'error') {
          finish();
          reject(new Error(m.message));
        }
      },
    );
    worker.on('error', (error) => {
      finish();
      reject(error);
    });
  });
}
