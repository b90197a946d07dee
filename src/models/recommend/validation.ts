import type { Csr } from '../../core/csr.js';
import { Rng } from '../../core/rng.js';
import type { TrainingData } from './contract.js';

/**
 * Holds out a seeded share of each user's items (users with at least 3) as validation cases, so
 * choices made while fitting (blend weights, hyperparameters) never see the test split.
 */
export function carveValidation(
  data: TrainingData,
  fraction: number,
  seed: number,
): { train: TrainingData; cases: { user: number; relevant: Set<number> }[] } {
  const x = data.interactions;
  const rng = new Rng(seed).fork('hybrid-validation');
  const keep = new Uint8Array(x.indices.length).fill(1);
  const cases: { user: number; relevant: Set<number> }[] = [];
  for (let u = 0; u < x.rows; u++) {
    const start = x.indptr[u]!;
    const n = x.indptr[u + 1]! - start;
    if (n < 3) continue;
    const order = rng.shuffle(Array.from({ length: n }, (_, k) => start + k));
    const m = Math.max(1, Math.round(fraction * n));
    const relevant = new Set<number>();
    for (const q of order.slice(0, m)) {
      keep[q] = 0;
      relevant.add(x.indices[q]!);
    }
    cases.push({ user: u, relevant });
  }
  const indptr = new Uint32Array(x.rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  const lastSeen: number[] = [];
  for (let u = 0; u < x.rows; u++) {
    for (let q = x.indptr[u]!; q < x.indptr[u + 1]!; q++) {
      if (!keep[q]) continue;
      indices.push(x.indices[q]!);
      values.push(x.values[q]!);
      if (data.lastSeen) lastSeen.push(data.lastSeen[q]!);
    }
    indptr[u + 1] = indices.length;
  }
  const interactions: Csr = {
    rows: x.rows,
    cols: x.cols,
    indptr,
    indices: Uint32Array.from(indices),
    values: Float32Array.from(values),
  };
  return {
    train: { ...data, interactions, lastSeen: data.lastSeen ? Float64Array.from(lastSeen) : undefined },
    cases,
  };
}
