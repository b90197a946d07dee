import type { Csr, SparseRow } from '../../core/csr.js';
import { type Ranked, topK } from '../../core/topk.js';

/**
 * The contract every recommender follows (DESIGN.md section 2): an estimator with frozen
 * hyperparameters is fitted on typed arrays and returns a fitted model whose learned state is
 * plain typed arrays. Models are pure: no I/O, no clock, randomness only from a seed.
 */

/** What a catalog item looks like to content-based models. */
export interface ItemText {
  title?: string | null;
  description?: string | null;
  category?: string | null;
  brand?: string | null;
  attributes?: Record<string, unknown>;
  tags?: readonly string[];
  /** ms since epoch; for "latest". */
  createdAt?: number;
}

/** Everything a model may learn from. Users and items are dense indices. */
export interface TrainingData {
  /** Implicit feedback, users x items; values are interaction strengths (e.g. weighted counts). */
  interactions: Csr;
  /** Explicit ratings, users x items; values are the ratings. Rating models need it. */
  ratings?: Csr;
  /** Time of the latest interaction of each stored entry of `interactions` (aligned with its values), ms. */
  lastSeen?: Float64Array;
  /** Catalog data by item index, for content-based and "latest" models. */
  items?: readonly ItemText[];
  /** The end of the training period, ms; time-decayed models measure age from here. */
  now?: number;
}

/** Reports and controls a long fit. */
export interface FitOptions {
  signal?: AbortSignal;
  /** fraction in [0, 1]; message such as "epoch 3/15". */
  onProgress?: (progress: { fraction: number; message: string }) => void;
  /** Runs data-parallel kernels on worker threads; without it everything runs in this thread. */
  parallel?: Parallel;
}

/**
 * Runs a registered kernel over [0, n) split into contiguous ranges, one per thread. Arguments are
 * structured-cloned, so arrays the threads must share are backed by SharedArrayBuffer. Results must
 * not depend on how the range is split (models stay deterministic).
 */
export interface Parallel {
  readonly threads: number;
  forRange(kernel: string, n: number, args: Record<string, unknown>): Promise<void>;
}

/** A user to score: a training user's index, or the interactions of a user the model never saw. */
export type UserInput = number | SparseRow;

/** Learned state, ready to store: a JSON-able header and named typed arrays. */
export interface Artifact {
  name: string;
  params: Record<string, unknown>;
  meta: Record<string, number | string | boolean>;
  arrays: Record<string, Float32Array | Float64Array | Uint32Array | Int32Array>;
}

/** A fitted model. Capabilities a model lacks are absent, not stubs. */
export interface Fitted {
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Number of items scored. */
  readonly items: number;
  /** Writes a score for every item into `out` (length `items`); higher is better, -Infinity means never. */
  score(user: UserInput, out: Float32Array): void;
  /** Scores every item by its similarity to `item` (itself included; callers skip it). */
  similarItems?(item: number, out: Float32Array): void;
  /**
   * The entry `b` of `similarItems(a)` (0 where that is -Infinity), without scoring the catalog:
   * what explanations ("because you bought a") and diversification need for a few pairs.
   */
  similarity?(a: number, b: number): number;
  /** Predicted rating of a training user for an item (rating models). */
  predict?(user: number, item: number): number;
  toArtifact(): Artifact;
}

/** An estimator: hyperparameters plus fit. */
export interface Estimator<P extends object = Record<string, unknown>> {
  readonly name: string;
  /** Implicit models learn from `interactions`; rating models from `ratings`. */
  readonly kind: 'implicit' | 'explicit';
  readonly params: Readonly<P>;
  fit(data: TrainingData, options?: FitOptions): Promise<Fitted>;
}

/** The k best items for a user, skipping excluded indices (e.g. what they already bought). */
export function recommend(
  model: Fitted,
  user: UserInput,
  k: number,
  exclude?: (item: number) => boolean,
): Ranked {
  const scores = new Float32Array(model.items);
  model.score(user, scores);
  return topK(scores, k, exclude);
}

/** Items most similar to `item`, the item itself excluded. */
export function similar(model: Fitted, item: number, k: number, exclude?: (item: number) => boolean): Ranked {
  if (!model.similarItems) throw new Error(`${model.name} does not offer similar items`);
  const scores = new Float32Array(model.items);
  model.similarItems(item, scores);
  return topK(scores, k, (i) => i === item || (exclude?.(i) ?? false));
}

/** Merges given hyperparameters over defaults, rejecting unknown names and wrong types with a clear message. */
export function resolveParams<P extends object>(
  model: string,
  defaults: P,
  given: Partial<P> = {},
): Readonly<P> {
  for (const [key, value] of Object.entries(given)) {
    if (!(key in defaults)) {
      throw new Error(`${model}: unknown parameter "${key}" (known: ${Object.keys(defaults).join(', ')})`);
    }
    const expected = typeof (defaults as Record<string, unknown>)[key];
    if (value !== undefined && typeof value !== expected) {
      throw new Error(`${model}: parameter "${key}" must be a ${expected}, got ${JSON.stringify(value)}`);
    }
  }
  return Object.freeze({ ...defaults, ...given });
}

/** Throws if the fit was cancelled. */
export function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('fit cancelled');
}
