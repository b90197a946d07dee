import type { Csr } from '../core/csr.js';
import type { EventLog } from '../core/event-log.js';
import type { ModelResult } from '../eval/evaluate.js';
import type { SessionLog } from '../features/sessions.js';
import type { Artifact, ItemText } from '../models/recommend/contract.js';
import type { Surfaces } from './surfaces.js';
import { startThread } from './thread.js';

/** Everything a training run computes, sent to its thread: the events, not the matrices. */
export interface TrainJob {
  log: EventLog;
  /** (user, item, bits) of tracked events, `weight` holding the bits (see readEventLog's `track`). */
  flags: EventLog;
  items: readonly ItemText[];
  models: readonly { id: string; params: Record<string, unknown> }[];
  /** Halve interaction weights every this many ms (null: no decay). */
  halfLife: number | null;
  /** Judge each model on the latest share of events first (null: no holdout). */
  holdoutFraction: number | null;
  ks: readonly number[];
  threads: number;
  /** The configured model of each surface ("auto": chosen from the holdout). */
  surfaces: { personalized: string; similar: string };
  /** Entries of the precomputed top lists per user and item (0: none). */
  candidates: number;
  /** Mine rules from orders (the `orderBit` of `flags`), or null to skip. */
  rules: { minSupport: number; minConfidence: number; maxLen: number; orderBit: number } | null;
  /** Browsing sessions (their own item ids) and the session model to fit on them, or null. */
  sessions: { log: SessionLog; model: string; params: Record<string, unknown> } | null;
}

/** One model of a run. */
export interface TrainedModel {
  id: string;
  artifact: Artifact;
  fitSeconds: number;
  evaluation: ModelResult | null;
}

/** What a run sends back. */
export interface TrainOutput {
  models: TrainedModel[];
  interactions: Csr;
  tracked: Csr;
  holdout: { protocol: string; users: number } | null;
  rules: { artifact: Artifact; orders: number; rules: number } | null;
  session: { artifact: Artifact; sessions: number } | null;
  surfaces: Surfaces;
  /** Top lists of the personalized model per user and of the similar model per item (null: not computed). */
  candidates: { users: Artifact | null; items: Artifact | null } | null;
}

/** Progress of a run: a message and the share of the work done. */
export type TrainProgress = (message: string, fraction: number) => void;

/**
 * Runs a training job in a worker thread: builds the matrices from the events, judges every
 * model on a time holdout, fits it on everything and sends back the artifacts. The calling
 * thread (a server) stays free; `signal` stops the run at the model's next checkpoint and the
 * promise rejects.
 */
export function trainInWorker(
  job: TrainJob,
  options: { signal?: AbortSignal; onProgress?: TrainProgress } = {},
): Promise<TrainOutput> {
  if (options.signal?.aborted) return Promise.reject(new Error('training cancelled'));
  const cancel = new SharedArrayBuffer(4);
  const worker = startThread('train-worker', { job, cancel });
  return new Promise((resolve, reject) => {
    const abort = () => Atomics.store(new Int32Array(cancel), 0, 1);
    options.signal?.addEventListener('abort', abort, { once: true });
    const finish = () => {
      options.signal?.removeEventListener('abort', abort);
      void worker.terminate();
    };
    worker.on('message', (m: { type: string; message?: string; fraction?: number; output?: TrainOutput }) => {
      if (m.type === 'progress') options.onProgress?.(m.message!, m.fraction!);
      else if (m.type === 'done') {
        finish();
        resolve(m.output!);
      } else if (m.type === 'error') {
        finish();
        reject(new Error(m.message));
      }
    });
    worker.on('error', (error) => {
      finish();
      reject(error);
    });
  });
}
