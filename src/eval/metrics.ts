/**
 * Ranking metrics of one recommendation list against the items a user actually chose, and the
 * mean with a 95% interval across users. Relevance is binary. Keys are lower case, as reported:
 * `precision@10`, `recall@20`, `nrecall@20` (recall normalized by min(k, |relevant|), Liang et
 * al. 2018), `ndcg@100`, `map@10`, `hitrate@10`, `mrr`.
 */

/** Per-user values of every ranking metric at every k. */
export function rankingMetrics(
  ranked: ArrayLike<number>,
  relevant: ReadonlySet<number>,
  ks: readonly number[],
): Record<string, number> {
  const out: Record<string, number> = {};
  const maxK = Math.max(...ks);
  const n = Math.min(maxK, ranked.length);
  const hitAt = new Uint8Array(n);
  for (let r = 0; r < n; r++) hitAt[r] = relevant.has(ranked[r]!) ? 1 : 0;
  let firstHit = -1;
  for (let r = 0; r < n; r++) {
    if (hitAt[r]) {
      firstHit = r;
      break;
    }
  }
  out.mrr = firstHit < 0 ? 0 : 1 / (firstHit + 1);
  const total = relevant.size;
  for (const k of ks) {
    let hits = 0;
    let dcg = 0;
    let ap = 0;
    for (let r = 0; r < Math.min(k, n); r++) {
      if (!hitAt[r]) continue;
      hits++;
      dcg += 1 / Math.log2(r + 2);
      ap += hits / (r + 1);
    }
    let idcg = 0;
    for (let r = 0; r < Math.min(k, total); r++) idcg += 1 / Math.log2(r + 2);
    out[`precision@${k}`] = hits / k;
    out[`recall@${k}`] = total === 0 ? 0 : hits / total;
    out[`nrecall@${k}`] = total === 0 ? 0 : hits / Math.min(k, total);
    out[`ndcg@${k}`] = idcg === 0 ? 0 : dcg / idcg;
    out[`map@${k}`] = total === 0 ? 0 : ap / Math.min(k, total);
    out[`hitrate@${k}`] = hits > 0 ? 1 : 0;
  }
  return out;
}

/** A metric's mean and its 95% interval. */
export interface Estimate {
  mean: number;
  ci: [number, number];
}

/** Mean and 95% interval (Student t) of per-user values. */
export function meanInterval(values: ArrayLike<number>): Estimate {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, ci: [Number.NaN, Number.NaN] };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  if (n === 1) return { mean, ci: [mean, mean] };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  const half = tQuantile975(n - 1) * Math.sqrt(ss / (n - 1) / n);
  return { mean, ci: [mean - half, mean + half] };
}

/** The 97.5% quantile of Student's t with `df` degrees of freedom (Cornish-Fisher; exact to 3 decimals for df >= 3). */
export function tQuantile975(df: number): number {
  if (df === 1) return 12.706;
  if (df === 2) return 4.303;
  const z = 1.959964;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
  );
}

/** Beyond-accuracy metrics of a whole run, from every user's top-k list. */
export interface ListStats {
  /** Share of the catalog that appears in at least one list. */
  coverage: number;
  /** Mean self-information -log2(share of users who interacted with the item) of recommended items. */
  novelty: number;
  /** Mean share of users who interacted with the recommended items (average recommendation popularity). */
  popularity: number;
}

/**
 * Coverage, novelty and popularity bias of the lists (each truncated to k). `userShare[i]` is the
 * share of the `users` training users who interacted with item i; an item nobody touched counts
 * as touched by one user for novelty (its self-information is otherwise infinite).
 */
export function listStats(
  lists: readonly ArrayLike<number>[],
  k: number,
  userShare: Float64Array,
  users: number,
): ListStats {
  const seen = new Uint8Array(userShare.length);
  let distinct = 0;
  let novelty = 0;
  let popularity = 0;
  let count = 0;
  const floor = 1 / Math.max(1, users);
  for (const list of lists) {
    for (let r = 0; r < Math.min(k, list.length); r++) {
      const i = list[r]!;
      if (!seen[i]) {
        seen[i] = 1;
        distinct++;
      }
      novelty += -Math.log2(Math.max(userShare[i]!, floor));
      popularity += userShare[i]!;
      count++;
    }
  }
  return {
    coverage: userShare.length === 0 ? 0 : distinct / userShare.length,
    novelty: count === 0 ? 0 : novelty / count,
    popularity: count === 0 ? 0 : popularity / count,
  };
}

/**
 * Intra-list diversity: the mean dissimilarity (1 - cosine over the users who interacted, 0/1)
 * between every pair of the first k items of a list. `byItem` is the training matrix transposed
 * (items x users), rows sorted.
 */
export function intraListDiversity(
  list: ArrayLike<number>,
  k: number,
  byItem: { indptr: Uint32Array; indices: Uint32Array },
): number {
  const n = Math.min(k, list.length);
  if (n < 2) return 0;
  let total = 0;
  let pairs = 0;
  for (let a = 0; a < n; a++) {
    const i = list[a]!;
    const i0 = byItem.indptr[i]!;
    const i1 = byItem.indptr[i + 1]!;
    for (let b = a + 1; b < n; b++) {
      const j = list[b]!;
      const j0 = byItem.indptr[j]!;
      const j1 = byItem.indptr[j + 1]!;
      let common = 0;
      for (let p = i0, q = j0; p < i1 && q < j1; ) {
        const u = byItem.indices[p]!;
        const v = byItem.indices[q]!;
        if (u === v) {
          common++;
          p++;
          q++;
        } else if (u < v) p++;
        else q++;
      }
      const denominator = Math.sqrt((i1 - i0) * (j1 - j0));
      total += 1 - (denominator === 0 ? 0 : common / denominator);
      pairs++;
    }
  }
  return total / pairs;
}
