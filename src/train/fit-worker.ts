import { parentPort, workerData } from 'node:worker_threads';
import type { TrainingData } from '../models/recommend/contract.js';
import { createRecommender } from '../models/recommend/registry.js';
import { WorkerPool } from './worker-pool.js';

/**
 * A training job's thread: fits one model on the data it was sent, reports progress, stops on
 * request, and sends back the fitted model's artifact. Data-parallel steps use a pool of its own.
 */
interface Job {
  model: string;
  params: Record<string, unknown>;
  data: TrainingData;
  threads: number;
  /** Int32 flag set to 1 by the caller to cancel: read synchronously, so a busy fit sees it. */
  cancel: SharedArrayBuffer;
}

const job = workerData as Job;
const flag = new Int32Array(job.cancel);
const signal = {
  get aborted() {
    return Atomics.load(flag, 0) === 1;
  },
  reason: new Error('fit cancelled'),
} as AbortSignal;

const pool = job.threads > 1 ? WorkerPool.create(job.threads) : undefined;
try {
  const started = performance.now();
  const model = await createRecommender(job.model, job.params).fit(job.data, {
    signal,
    parallel: pool,
    onProgress: (p) => parentPort!.postMessage({ type: 'progress', ...p }),
  });
  const artifact = model.toArtifact();
  const buffers = [...new Set(Object.values(artifact.arrays).map((a) => a.buffer))].filter(
    (b) => b instanceof ArrayBuffer,
  );
  parentPort!.postMessage(
    { type: 'done', artifact, seconds: (performance.now() - started) / 1000 },
    buffers as ArrayBuffer[],
  );
} catch (error) {
  parentPort!.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
} finally {
  await pool?.close();
}
