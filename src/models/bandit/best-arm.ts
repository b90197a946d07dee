/**
 * P(arm i has the largest value) when each arm's value has an independent posterior: the weights of
 * Thompson sampling as probability matching, computed deterministically so that the logged
 * propensity is the probability the policy really used (no Monte Carlo, seeded or not).
 *
 * P_i = ∫ f_i(x) Π_{j≠i} F_j(x) dx, by composite Gauss–Legendre quadrature. The integral runs only
 * where the maximum of all arms can be (from the largest lower ε-quantile to the largest upper
 * ε-quantile, ε = 1e-15), cut into panels at every arm's centre ± {0, 1.5, 3, 5, 8} standard
 * deviations, so a sharp posterior next to a diffuse one is still resolved (a single Gauss–Hermite
 * rule around one arm is not: its nodes step over a narrow arm's whole CDF). Each panel gets an
 * 8-point rule; arms that cannot reach the region are left out (their probability is below ε).
 * The probabilities are returned as integrated; they sum to 1 within 1e-9 (1e-11 typically), and
 * the tests hold them to closed forms and to an independent adaptive quadrature at 1e-10.
 */
import { gaussLegendre } from '../../core/quadrature.js';
import { betaCdf, betaPdf, betaQuantile, normalCdf, normalPdf } from '../../stats/distributions.js';

/** Mass left outside each arm's integration range, on each side. */
const TAIL = 1e-15;
/** Standard-normal quantile of TAIL. */
const NORMAL_TAIL_Z = 7.941345326170998;
/** Panel edges, in standard deviations around each arm's centre. */
const OFFSETS = [-8, -5, -3, -1.5, 0, 1.5, 3, 5, 8];
const NODES_PER_PANEL = 8;

/** One arm's posterior as the quadrature sees it. */
interface Posterior {
  pdf(x: number): number;
  cdf(x: number): number;
  /** Where its mass starts and ends (ε-quantiles). */
  lo: number;
  hi: number;
  center: number;
  scale: number;
}

/** Sorted, de-duplicated panel edges inside [lo, hi]. */
function panelEdges(arms: readonly Posterior[], lo: number, hi: number): number[] {
  const edges = [lo, hi];
  for (const a of arms) {
    for (const k of OFFSETS) {
      const x = a.center + k * a.scale;
      if (x > lo && x < hi) edges.push(x);
    }
  }
  edges.sort((p, q) => p - q);
  const out = [edges[0]!];
  const minGap = (hi - lo) * 1e-13;
  for (let e = 1; e < edges.length; e++) if (edges[e]! - out[out.length - 1]! > minGap) out.push(edges[e]!);
  if (out[out.length - 1] !== hi) out[out.length - 1] = hi;
  return out;
}

/**
 * ∫_{from}^{∞} f_i(x) Π_{j≠i} F_j(x) dx for every arm i (the continuous arms), with `from` the
 * largest point mass (or -∞): above it every point mass has already lost.
 */
function integrate(all: readonly Posterior[], from: number): Float64Array {
  const out = new Float64Array(all.length);
  let lo = from;
  let hi = Number.NEGATIVE_INFINITY;
  for (const a of all) {
    if (a.lo > lo) lo = a.lo;
    if (a.hi > hi) hi = a.hi;
  }
  if (!(hi > lo)) return out;
  // Arms whose mass ends below the region never win there (their CDF is 1 within ε): skip them.
  const active = all.flatMap((a, i) => (a.hi > lo ? [i] : []));
  const arms = active.map((i) => all[i]!);
  const k = arms.length;
  const sums = new Float64Array(k);
  const { nodes, weights } = gaussLegendre(NODES_PER_PANEL);
  const edges = panelEdges(arms, lo, hi);
  const cdf = new Float64Array(k);
  const pdf = new Float64Array(k);
  const suffix = new Float64Array(k + 1);
  for (let e = 0; e + 1 < edges.length; e++) {
    const mid = 0.5 * (edges[e]! + edges[e + 1]!);
    const half = 0.5 * (edges[e + 1]! - edges[e]!);
    for (let n = 0; n < NODES_PER_PANEL; n++) {
      const x = mid + half * nodes[n]!;
      for (let j = 0; j < k; j++) {
        cdf[j] = arms[j]!.cdf(x);
        pdf[j] = arms[j]!.pdf(x);
      }
      suffix[k] = 1;
      for (let j = k - 1; j >= 0; j--) suffix[j] = suffix[j + 1]! * cdf[j]!;
      const w = weights[n]! * half;
      let prefix = 1;
      for (let i = 0; i < k; i++) {
        sums[i]! += w * pdf[i]! * prefix * suffix[i + 1]!;
        prefix *= cdf[i]!;
      }
    }
  }
  active.forEach((i, c) => {
    out[i] = Math.min(1, sums[c]!); // a lone winner integrates to 1 ± 1e-12
  });
  return out;
}

/** Best-arm probabilities of continuous arms mixed with point masses (arms whose value is known). */
function bestArm(arms: readonly (Posterior | { point: number })[]): number[] {
  const continuous: Posterior[] = [];
  const where: number[] = [];
  let top = Number.NEGATIVE_INFINITY;
  let ties = 0;
  arms.forEach((a, i) => {
    if ('point' in a) {
      if (a.point > top) {
        top = a.point;
        ties = 1;
      } else if (a.point === top) ties++;
    } else {
      continuous.push(a);
      where.push(i);
    }
  });
  const p = new Array<number>(arms.length).fill(0);
  const integrals = integrate(continuous, top);
  where.forEach((i, c) => {
    p[i] = integrals[c]!;
  });
  if (ties > 0) {
    // A point mass wins when every continuous arm falls below it; tied point masses share the win.
    let below = 1;
    for (const a of continuous) below *= a.cdf(top);
    arms.forEach((a, i) => {
      if ('point' in a && a.point === top) p[i] = below / ties;
    });
  }
  return p;
}

/**
 * P(arm i's rate is the largest) for independent Beta(alpha[i], beta[i]) posteriors: the weights of
 * Beta-Bernoulli Thompson sampling. Parameters must be at least 1 (bounded densities).
 */
export function betaBestArm(alpha: readonly number[], beta: readonly number[]): number[] {
  if (alpha.length !== beta.length)
    throw new RangeError(`betaBestArm: alpha has ${alpha.length} arms but beta has ${beta.length}`);
  return bestArm(
    alpha.map((a, i) => {
      const b = beta[i]!;
      if (!(a >= 1 && b >= 1 && Number.isFinite(a) && Number.isFinite(b)))
        throw new RangeError(
          `betaBestArm: alpha[${i}] and beta[${i}] must be finite and >= 1, got ${a}, ${b}`,
        );
      const mean = a / (a + b);
      return {
        pdf: (x: number) => betaPdf(x, a, b),
        cdf: (x: number) => betaCdf(x, a, b),
        lo: betaQuantile(TAIL, a, b),
        hi: betaQuantile(1 - TAIL, a, b),
        center: mean,
        scale: Math.sqrt((mean * (1 - mean)) / (a + b + 1)),
      };
    }),
  );
}

/**
 * P(arm i's value is the largest) for independent Normal(mean[i], sd[i]^2) posteriors: the weights
 * of Gaussian and linear Thompson sampling. An sd of 0 is a known value (a point mass); tied
 * point masses share their probability.
 */
export function gaussianBestArm(mean: readonly number[], sd: readonly number[]): number[] {
  if (mean.length !== sd.length)
    throw new RangeError(`gaussianBestArm: mean has ${mean.length} arms but sd has ${sd.length}`);
  return bestArm(
    mean.map((m, i) => {
      const s = sd[i]!;
      if (!Number.isFinite(m) || !(s >= 0 && Number.isFinite(s)))
        throw new RangeError(
          `gaussianBestArm: mean[${i}] must be finite and sd[${i}] finite and >= 0, got ${m}, ${s}`,
        );
      if (s === 0) return { point: m };
      return {
        pdf: (x: number) => normalPdf((x - m) / s) / s,
        cdf: (x: number) => normalCdf((x - m) / s),
        lo: m - NORMAL_TAIL_Z * s,
        hi: m + NORMAL_TAIL_Z * s,
        center: m,
        scale: s,
      };
    }),
  );
}
