import type { Ranked } from '../../core/topk.js';
import type { Artifact } from '../recommend/contract.js';

/**
 * The contract of session-based recommenders: an anonymous shopper's session (the items viewed so
 * far, in order) in, the next items out. Estimators are pure (no I/O, no clock, no Math.random),
 * fitted on sessions laid out as CSR on typed arrays, and their learned state is an {@link Artifact}
 * like the other recommenders'.
 */

/** Session models store their state in the same artifact shape as the other recommenders. */
export type { Artifact };

/**
 * Training sessions as CSR: session s holds the events `indptr[s] .. indptr[s + 1]` of `items`
 * (item indices, in the order they happened) and `times` (ms since epoch). Sessions are sorted by
 * start time; items are indices below `itemCount`.
 */
export interface SessionData {
  readonly indptr: Uint32Array;
  readonly items: Uint32Array;
  readonly times: Float64Array;
  readonly itemCount: number;
}

/** A fitted session model, ready to serve. */
export interface FittedSession {
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Number of items the model knows (indices below it). */
  readonly items: number;
  /**
   * The k best next items for a session (item indices in the order viewed), best first, skipping
   * items `exclude` rejects. Indices the model does not know are ignored; an empty session gets
   * whatever the model offers without context (possibly nothing).
   */
  recommend(session: ArrayLike<number>, k: number, exclude?: (item: number) => boolean): Ranked;
  toArtifact(): Artifact;
}

/** A session estimator: frozen hyperparameters plus fit. */
export interface SessionEstimator<P extends object = Record<string, unknown>> {
  readonly name: string;
  readonly params: Readonly<P>;
  fit(data: SessionData): FittedSession;
}

/** Number of sessions in `data` (the CSR's row count, so no model gets it off by one). */
export function sessionCount(data: SessionData): number {
  return data.indptr.length - 1;
}

/** Refuses any parameter for a model that takes none. */
export function noParams(model: string, params: Record<string, unknown>): void {
  const name = Object.keys(params)[0];
  if (name !== undefined) throw new Error(`${model}: unknown parameter "${name}" (it has none)`);
}

/** Rejects malformed training data with a message naming the fault, before a model indexes by it. */
export function checkSessionData(data: SessionData): void {
  const { indptr, items, times, itemCount } = data;
  if (!Number.isInteger(itemCount) || itemCount < 0)
    throw new RangeError(`sessions: itemCount must be a whole number, got ${itemCount}`);
  if (indptr.length < 1 || indptr[0] !== 0) throw new RangeError('sessions: indptr must start at 0');
  if (indptr[indptr.length - 1] !== items.length)
    throw new RangeError(`sessions: indptr ends at ${indptr[indptr.length - 1]}, items has ${items.length}`);
  if (times.length !== items.length)
    throw new RangeError(`sessions: times has ${times.length} entries, items ${items.length}`);
  for (let s = 1; s < indptr.length; s++)
    if (indptr[s]! < indptr[s - 1]!) throw new RangeError(`sessions: indptr decreases at session ${s - 1}`);
  for (let e = 0; e < items.length; e++)
    if (items[e]! >= itemCount)
      throw new RangeError(`sessions: item ${items[e]} at event ${e} >= itemCount ${itemCount}`);
}

/**
 * The entries of a request's session the model knows (whole numbers in [0, itemCount)), in order:
 * serving passes whatever the shopper viewed, new items included, and must never throw on it.
 */
export function knownItems(session: ArrayLike<number>, itemCount: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < session.length; i++) {
    const item = session[i]!;
    if (Number.isInteger(item) && item >= 0 && item < itemCount) out.push(item);
  }
  return out;
}

/** Rejects an artifact written by another model before its arrays are trusted. */
export function checkArtifact(artifact: Artifact, name: string): void {
  if (artifact.name !== name) throw new Error(`${name}: cannot load an artifact of "${artifact.name}"`);
}
