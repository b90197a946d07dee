/**
 * Sample ratio mismatch: did the arms receive the traffic split they were meant to? A broken split
 * (redirect losses, bot filtering in one arm, assignment bugs) invalidates every other number, so it
 * is checked with gbstats's chi-square test, overall and within each value of a dimension (source,
 * browser, day...) to point at where the loss happens.
 */
import { chiSquareSf } from './distributions.js';

/** GrowthBook's default alarm threshold for the SRM p-value. */
export const SRM_THRESHOLD = 0.001;

/** Outcome of one chi-square goodness-of-fit test of counts against the expected weights. */
export interface SrmTest {
  chiSquare: number;
  pValue: number;
  /** True when pValue < the threshold. */
  alarm: boolean;
}

/**
 * Chi-square test of observed units per arm against expected weights (any positive scale), as
 * gbstats's check_srm: arms with weight <= 0 add nothing to the statistic but still count in the
 * degrees of freedom (arms - 1); no units at all gives a p-value of 1.
 */
export function srmTest(
  counts: readonly number[],
  weights: readonly number[],
  threshold = SRM_THRESHOLD,
): SrmTest {
  if (counts.length !== weights.length) throw new Error('counts and weights must have one entry per arm');
  const total = counts.reduce((s, c) => s + c, 0);
  if (total === 0) return { chiSquare: 0, pValue: 1, alarm: false };
  const totalWeight = weights.reduce((s, w) => s + w, 0);
  let chiSquare = 0;
  counts.forEach((observed, i) => {
    const w = weights[i]!;
    if (w <= 0) return;
    const expected = (w / totalWeight) * total;
    chiSquare += (observed - expected) ** 2 / expected;
  });
  const pValue = chiSquareSf(chiSquare, counts.length - 1);
  return { chiSquare, pValue, alarm: pValue < threshold };
}

/** Units per arm for one value of a dimension (e.g. browser = "safari"). */
export interface DimensionCounts {
  value: string;
  counts: number[];
}

/** One dimension value's own SRM test, and the overall test recomputed without it. */
export interface DimensionSrm extends SrmTest {
  value: string;
  counts: number[];
  /** The overall test with this value's units left out. */
  without: SrmTest;
}

/** The overall test, every value's own test, and the values that explain the mismatch. */
export interface SrmBreakdown {
  overall: SrmTest;
  /** Sorted by how much the overall chi-square falls when the value is left out, largest first. */
  values: DimensionSrm[];
  /**
   * The values to look at: those whose own test alarms; when none does but the overall test does,
   * those whose removal clears the overall alarm, or failing that the one whose removal lowers the
   * overall chi-square most. Empty when nothing alarms.
   */
  responsible: string[];
}

function sumCounts(rows: readonly DimensionCounts[], arms: number): number[] {
  const total = new Array<number>(arms).fill(0);
  for (const row of rows) for (let i = 0; i < arms; i++) total[i]! += row.counts[i] ?? 0;
  return total;
}

/** SRM overall and per dimension value, pointing at the value(s) most responsible for a mismatch. */
export function srmByDimension(
  rows: readonly DimensionCounts[],
  weights: readonly number[],
  threshold = SRM_THRESHOLD,
): SrmBreakdown {
  const arms = weights.length;
  const overall = srmTest(sumCounts(rows, arms), weights, threshold);
  const values = rows
    .map((row, i) => ({
      value: row.value,
      counts: [...row.counts],
      ...srmTest(row.counts, weights, threshold),
      without: srmTest(
        sumCounts(
          rows.filter((_, j) => j !== i),
          arms,
        ),
        weights,
        threshold,
      ),
    }))
    .sort((a, b) => a.without.chiSquare - b.without.chiSquare);
  let responsible = values
    .filter((v) => v.alarm)
    .sort((a, b) => b.chiSquare - a.chiSquare)
    .map((v) => v.value);
  if (responsible.length === 0 && overall.alarm) {
    const clearing = values.filter((v) => !v.without.alarm).map((v) => v.value);
    responsible = clearing.length > 0 ? clearing : values.slice(0, 1).map((v) => v.value);
  }
  return { overall, values, responsible };
}
