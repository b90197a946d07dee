/**
 * How many users and weeks an experiment needs before it starts, with GrowthBook's power
 * calculator conventions (front-end PowerCalculation/stats.ts, the pre-experiment counterpart of
 * gbstats's power module): relative MDE, traffic split evenly over the variants, the delta-method
 * variance of the relative effect with the same per-unit variance in every arm, a two-sided test
 * at level alpha, and optionally the sequential-testing variance inflation.
 */
import { normalCdf, normalQuantile } from './distributions.js';
import { sequentialRho, twoSidedHalfwidth } from './sequential.js';

/** What the experiment is planned on. */
export interface PowerInput {
  type: 'proportion' | 'mean';
  /** Control conversion rate (proportion) or mean (mean). */
  baseline: number;
  /** Per-user standard deviation, for means (proportions use sqrt(p(1 - p))). */
  stddev?: number;
  /** Smallest relative lift worth detecting, e.g. 0.05 for +5%. */
  mde: number;
  alpha: number;
  /** Target power, e.g. 0.8. */
  power: number;
  /** Number of arms, control included. */
  variants: number;
  /** Users entering the experiment per week, all arms together. */
  weeklyTraffic: number;
  /** Tuning N* when results will be read with sequential testing. */
  sequentialTuning?: number | null;
}

/** Users and weeks to reach the target power. */
export interface SampleSize {
  usersPerVariant: number;
  totalUsers: number;
  weeks: number;
  /** Power reached after `weeks` weeks. */
  power: number;
}

function perUnitVariance(input: PowerInput): number {
  if (input.type === 'proportion') return input.baseline * (1 - input.baseline);
  return (input.stddev ?? Number.NaN) ** 2;
}

/** Variance inflation of sequential testing: the confidence sequence width expressed as a fixed-horizon variance. */
function sequentialVariance(variance: number, n: number, alpha: number, tuning: number): number {
  const rho = sequentialRho(alpha, tuning);
  const zSequential = Math.sqrt(n) * twoSidedHalfwidth(1, n, rho, alpha);
  const ratio = zSequential / normalQuantile(1 - alpha / 2);
  return variance * ratio * ratio;
}

/** Power of the two-sided test once `totalUsers` users are split over the variants (GrowthBook's powerEst). */
export function powerAt(input: PowerInput, totalUsers: number): number {
  const perArm = totalUsers / input.variants;
  const mean = input.baseline;
  let variance = perUnitVariance(input);
  if (input.sequentialTuning)
    variance = sequentialVariance(variance, perArm, input.alpha, input.sequentialTuning);
  const treatmentMean = mean * (1 + input.mde);
  const se = Math.sqrt(
    variance / (mean * mean * perArm) + (variance * treatmentMean ** 2) / (mean ** 4 * perArm),
  );
  const zStar = normalQuantile(1 - input.alpha / 2);
  const standardized = input.mde / se;
  return 1 - normalCdf(zStar - standardized) + normalCdf(-zStar - standardized);
}

/** Smallest integer in [lo, hi] where `ok` holds, given that it holds at hi and ok is monotone. */
function smallest(lo: number, hi: number, ok: (n: number) => boolean): number {
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return hi;
}

/** Users per variant and weeks of traffic until the planned experiment reaches the target power. */
export function sampleSize(input: PowerInput): SampleSize {
  const reaches = (totalUsers: number) => powerAt(input, totalUsers) >= input.power;
  let hi = 2;
  while (!reaches(hi * input.variants)) {
    hi *= 2;
    if (hi > 1e15) throw new Error('the target power is out of reach: the MDE is too small for any sample');
  }
  const usersPerVariant = smallest(2, hi, (n) => reaches(n * input.variants));
  const totalUsers = usersPerVariant * input.variants;
  // GrowthBook's duration: the first whole week whose cumulative traffic reaches the target power.
  const weeks = smallest(1, Math.ceil(totalUsers / input.weeklyTraffic), (w) =>
    reaches(w * input.weeklyTraffic),
  );
  return { usersPerVariant, totalUsers, weeks, power: powerAt(input, weeks * input.weeklyTraffic) };
}
