/**
 * Multiple-comparison corrections for many metrics or many arms at once (GrowthBook offers both):
 * Holm-Bonferroni controls the family-wise error rate, Benjamini-Hochberg the false discovery
 * rate. Both return adjusted p-values in the input order, as R's p.adjust.
 */

function order(pValues: readonly number[]): number[] {
  return pValues.map((_, i) => i).sort((a, b) => pValues[a]! - pValues[b]! || a - b);
}

/** Holm's step-down adjustment: sorted ascending, p_(i) * (m - i + 1), made monotone, capped at 1. */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const adjusted = new Array<number>(m);
  let running = 0;
  order(pValues).forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[index]!));
    adjusted[index] = running;
  });
  return adjusted;
}

/** Benjamini-Hochberg step-up adjustment: sorted descending, p_(i) * m / i, made monotone, capped at 1. */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const adjusted = new Array<number>(m);
  let running = 1;
  const ranked = order(pValues);
  for (let rank = m - 1; rank >= 0; rank--) {
    const index = ranked[rank]!;
    running = Math.min(running, (pValues[index]! * m) / (rank + 1));
    adjusted[index] = running;
  }
  return adjusted;
}
