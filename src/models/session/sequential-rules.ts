import { type Csr, csrFromCoo } from '../../core/csr.js';
import type { Ranked } from '../../core/topk.js';
import { type Artifact, resolveParams } from '../recommend/contract.js';
import {
  checkArtifact,
  checkSessionData,
  type FittedSession,
  knownItems,
  type SessionData,
  type SessionEstimator,
  sessionCount,
} from './contract.js';
import { rankSparse } from './sparse-ranking.js';

/** Weight of a rule a -> b when b follows a `d` views later (d >= 1). */
const DISTANCE = {
  /** 1 / d: session-rec's `div`. */
  div: (d: number) => 1 / d,
  log: (d: number) => 1 / Math.log10(d + 1.7),
  quadratic: (d: number) => 1 / (d * d),
  same: () => 1,
} as const;

/** Hyperparameters of {@link sequentialRules}. */
export interface SequentialRulesParams {
  /** How many views back a rule may reach (b within `steps` views after a). */
  steps: number;
  /** Weight of a rule by the distance between its two views. */
  weighting: keyof typeof DISTANCE;
  /** Rules kept per item: the `pruning` strongest if >= 1, all but that share of the weakest if < 1, all if 0. */
  pruning: number;
}

/** session-rec's `sr.py`: steps=10, weighting='div', pruning=20. */
const DEFAULTS: SequentialRulesParams = { steps: 10, weighting: 'div', pruning: 20 };

/**
 * Weighted counts of item a followed by item b within `steps` views of the same session: for each
 * view of b and each of the `steps` views before it (a, at distance d), `weight(d)` is added to
 * a -> b. Repeats count every time, a -> a included, as in session-rec.
 */
export function transitionCounts(
  data: SessionData,
  steps: number,
  weight: (distance: number) => number,
): Csr {
  const { indptr, items, itemCount } = data;
  let pairs = 0;
  for (let s = 0; s < sessionCount(data); s++) {
    const len = indptr[s + 1]! - indptr[s]!;
    for (let t = 1; t < len; t++) pairs += Math.min(steps, t);
  }
  const from = new Uint32Array(pairs);
  const to = new Uint32Array(pairs);
  const value = new Float64Array(pairs);
  let k = 0;
  for (let s = 0; s < sessionCount(data); s++) {
    const start = indptr[s]!;
    for (let e = start + 1; e < indptr[s + 1]!; e++) {
      for (let d = 1; d <= steps && e - d >= start; d++) {
        from[k] = items[e - d]!;
        to[k] = items[e]!;
        value[k++] = weight(d);
      }
    }
  }
  return csrFromCoo(itemCount, itemCount, from, to, value, 'sum');
}

/**
 * Keeps the `keep(rowLength)` strongest entries of each row (ties to the lower item index), still
 * sorted by item, and scales each row by `scale(row values)`.
 */
export function pruneRows(
  m: Csr,
  keep: (length: number) => number,
  scale: (values: Float32Array) => number,
): Csr {
  const indptr = new Uint32Array(m.rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < m.rows; r++) {
    const start = m.indptr[r]!;
    const len = m.indptr[r + 1]! - start;
    const n = Math.min(len, keep(len));
    const order = Array.from({ length: len }, (_, j) => start + j);
    if (n < len) {
      order.sort((a, b) => m.values[b]! - m.values[a]! || m.indices[a]! - m.indices[b]!);
      order.length = n;
      order.sort((a, b) => m.indices[a]! - m.indices[b]!);
    }
    const kept = Float32Array.from(order, (j) => m.values[j]!);
    const factor = kept.length > 0 ? scale(kept) : 1;
    for (const j of order) {
      indices.push(m.indices[j]!);
      values.push(m.values[j]! / factor);
    }
    indptr[r + 1] = indices.length;
  }
  return {
    rows: m.rows,
    cols: m.cols,
    indptr,
    indices: Uint32Array.from(indices),
    values: Float32Array.from(values),
  };
}

/**
 * Sequential rules, SR (Kamehkhosh, Jannach & Ludewig 2017), as session-rec's `sr.py`: rules
 * a -> b weighted by the distance between the views (`transitionCounts`), pruned to the strongest
 * per item, each item's rules divided by its strongest (session-rec divides every prediction by
 * its maximum); a session is answered from the rules of its last item the model knows.
 */
export function sequentialRules(
  params: Partial<SequentialRulesParams> = {},
): SessionEstimator<SequentialRulesParams> {
  const p = resolveParams('sr', DEFAULTS, params);
  if (!(Number.isInteger(p.steps) && p.steps >= 1)) throw new Error('sr: steps must be a whole number >= 1');
  if (!Object.hasOwn(DISTANCE, p.weighting))
    throw new Error(`sr: weighting must be one of ${Object.keys(DISTANCE).join(', ')}`);
  if (!(p.pruning >= 0) || (p.pruning >= 1 && !Number.isInteger(p.pruning)))
    throw new Error('sr: pruning must be 0, a share below 1, or a whole number of rules');
  const keep = (len: number) =>
    p.pruning === 0 ? len : p.pruning < 1 ? len - Math.floor(len * p.pruning) : p.pruning;
  return {
    name: 'sr',
    params: p,
    fit(data: SessionData) {
      checkSessionData(data);
      const rules = pruneRows(transitionCounts(data, p.steps, DISTANCE[p.weighting]), keep, (v) =>
        v.reduce((a, b) => Math.max(a, b), 0),
      );
      return new LastItemModel('sr', p, rules);
    },
  };
}

/**
 * A model answering from one row per item, the row of the session's last known item: SR's rules
 * and the Markov chain's transition probabilities.
 */
export class LastItemModel implements FittedSession {
  readonly items: number;

  constructor(
    readonly name: string,
    readonly params: Readonly<Record<string, unknown>>,
    private readonly rows: Csr,
  ) {
    this.items = rows.rows;
  }

  recommend(session: ArrayLike<number>, k: number, exclude?: (item: number) => boolean): Ranked {
    const seq = knownItems(session, this.items);
    if (seq.length === 0 || k <= 0) return { items: new Uint32Array(0), scores: new Float32Array(0) };
    const last = seq[seq.length - 1]!;
    const from = this.rows.indptr[last]!;
    const to = this.rows.indptr[last + 1]!;
    return rankSparse(this.rows.indices.subarray(from, to), this.rows.values.subarray(from, to), k, exclude);
  }

  toArtifact(): Artifact {
    const { indptr, indices, values } = this.rows;
    return {
      name: this.name,
      params: { ...this.params },
      meta: { items: this.items },
      arrays: { indptr, indices, values },
    };
  }

  /** Rebuilds the rows written by {@link toArtifact}. */
  static rowsOf(artifact: Artifact): Csr {
    const { indptr, indices, values } = artifact.arrays;
    const items = Number(artifact.meta.items);
    if (
      !(indptr instanceof Uint32Array && indices instanceof Uint32Array && values instanceof Float32Array) ||
      indptr.length !== items + 1 ||
      indices.length !== values.length ||
      indptr[items] !== indices.length
    )
      throw new Error(`${artifact.name}: artifact arrays are missing or inconsistent`);
    return { rows: items, cols: items, indptr, indices, values };
  }
}

/** Rebuilds an SR model from its artifact. */
export function loadSequentialRules(artifact: Artifact): FittedSession {
  checkArtifact(artifact, 'sr');
  const params = resolveParams('sr', DEFAULTS, artifact.params as Partial<SequentialRulesParams>);
  return new LastItemModel('sr', params, LastItemModel.rowsOf(artifact));
}
