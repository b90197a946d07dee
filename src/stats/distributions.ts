/**
 * Normal, Student-t, chi-square and Beta distribution functions, written here so that p-values and
 * intervals agree with scipy to about 1e-12 (the tests hold them to 1e-10) without a dependency.
 * Everything rests on two special functions: the regularized incomplete beta function (Student-t,
 * Beta) and the regularized incomplete gamma function (normal, chi-square), both by continued fractions.
 */

const EPSILON = 1e-16;
const TINY = 1e-300;
const MAX_ITERATIONS = 1_000_000;
const LN_SQRT_2PI = 0.9189385332046728; // ln(sqrt(2 pi))
const SQRT_2PI = 2.5066282746310002;
const LN_SQRT_PI = 0.5723649429247001; // ln(sqrt(pi)) = ln Gamma(1/2)

// Lanczos approximation, g = 7, n = 9.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** Stirling's series remainder: lnGamma(x) - [(x - 1/2) ln x - x + ln sqrt(2 pi)], for x >= 10. */
function stirlingCorrection(x: number): number {
  const r = 1 / (x * x);
  return (
    (1 / 12 -
      r * (1 / 360 - r * (1 / 1260 - r * (1 / 1680 - r * (1 / 1188 - r * (691 / 360360 - r * (1 / 156))))))) /
    x
  );
}

/** ln Gamma(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  if (x >= 10) return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + stirlingCorrection(x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return LN_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln B(a, b), without the cancellation of lnGamma(a) + lnGamma(b) - lnGamma(a + b) for large arguments. */
function logBeta(a: number, b: number): number {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (p >= 10) {
    const corr = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p + q);
    return (
      -0.5 * Math.log(q) +
      LN_SQRT_2PI +
      corr +
      (p - 0.5) * Math.log(p / (p + q)) +
      q * Math.log1p(-p / (p + q))
    );
  }
  if (q >= 10) {
    const corr = stirlingCorrection(q) - stirlingCorrection(p + q);
    return logGamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return logGamma(p) + logGamma(q) - logGamma(p + q);
}

/** Continued fraction of the incomplete beta function (modified Lentz), valid for x < (a+1)/(a+b+2). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) return h;
  }
  throw new Error(`incomplete beta did not converge (a=${a}, b=${b}, x=${x})`);
}

/**
 * Regularized incomplete beta I_x(a, b) and its complement, each computed directly where it is
 * small (so tails keep their relative precision). `y` is 1 - x, passed separately for accuracy.
 */
function incompleteBeta(a: number, b: number, x: number, y: number): { lower: number; upper: number } {
  if (x <= 0) return { lower: 0, upper: 1 };
  if (y <= 0) return { lower: 1, upper: 0 };
  const logX = x < 0.5 ? Math.log(x) : Math.log1p(-y);
  const logY = y < 0.5 ? Math.log(y) : Math.log1p(-x);
  const front = Math.exp(a * logX + b * logY - logBeta(a, b));
  if (x < (a + 1) / (a + b + 2)) {
    const lower = (front * betaContinuedFraction(a, b, x)) / a;
    return { lower, upper: 1 - lower };
  }
  const upper = (front * betaContinuedFraction(b, a, y)) / b;
  return { lower: 1 - upper, upper };
}

/** Regularized incomplete gamma P(a, x) and Q(a, x) = 1 - P(a, x), each computed directly where small. */
function incompleteGamma(a: number, x: number): { lower: number; upper: number } {
  if (x <= 0) return { lower: 0, upper: 1 };
  // ln Gamma(1/2) = ln sqrt(pi) as a constant: the normal CDF calls this with a = 1/2 in hot loops.
  const front = Math.exp(a * Math.log(x) - x - (a === 0.5 ? LN_SQRT_PI : logGamma(a)));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n <= MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPSILON) {
        const lower = front * sum;
        return { lower, upper: 1 - lower };
      }
    }
    throw new Error(`incomplete gamma series did not converge (a=${a}, x=${x})`);
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) {
      const upper = front * h;
      return { lower: 1 - upper, upper };
    }
  }
  throw new Error(`incomplete gamma fraction did not converge (a=${a}, x=${x})`);
}

/** Density of the standard normal distribution. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / SQRT_2PI;
}

/** P(Z <= z) for a standard normal Z: the building block of credible intervals and chance to win. */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (z === 0) return 0.5;
  const { lower, upper } = incompleteGamma(0.5, 0.5 * z * z);
  return z < 0 ? 0.5 * upper : 0.5 + 0.5 * lower;
}

/** P(Z > z), computed directly so that far upper tails are not lost to 1 - cdf. */
export function normalSf(z: number): number {
  return normalCdf(-z);
}

/** Density of Student's t distribution with `dof` degrees of freedom. */
export function studentTPdf(t: number, dof: number): number {
  return Math.exp(-((dof + 1) / 2) * Math.log1p((t * t) / dof) - 0.5 * Math.log(dof) - logBeta(dof / 2, 0.5));
}

/**
 * P(T > |t|), the one-tail probability, computed where it is small. Beyond 1e5 degrees of freedom
 * the continued fraction loses digits (x is too close to 1), and Hill's (1970, CACM algorithm 395)
 * normalizing transform is accurate to about 1e-13 instead.
 */
function studentTTail(t: number, dof: number): number {
  const t2 = t * t;
  if (dof >= 1e5) {
    const a = dof - 0.5;
    const b = 48 * a * a;
    const y = a * Math.log1p(t2 / dof);
    const z =
      (((((-0.4 * y - 3.3) * y - 24) * y - 85.5) / (0.8 * y * y + 100 + b) + y + 3) / b + 1) * Math.sqrt(y);
    return normalSf(z);
  }
  // x = dof / (dof + t^2), y = t^2 / (dof + t^2): tail = I_x(dof/2, 1/2) / 2.
  return 0.5 * incompleteBeta(dof / 2, 0.5, dof / (dof + t2), t2 / (dof + t2)).lower;
}

/** P(T <= t) for Student's t with `dof` (possibly fractional, Welch) degrees of freedom. */
export function studentTCdf(t: number, dof: number): number {
  if (Number.isNaN(t) || !(dof > 0)) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 1;
  if (t === Number.NEGATIVE_INFINITY) return 0;
  const tail = studentTTail(t, dof);
  return t < 0 ? tail : 1 - tail;
}

/**
 * Solves tail(x) = q for x >= 0 by Newton's method on ln tail(x), kept inside a bracket that
 * shrinks with every evaluation (bisection when a Newton step would leave it).
 */
function invertTail(
  q: number,
  tail: (x: number) => number,
  pdf: (x: number) => number,
  start: number,
): number {
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  let x = start > 0 && Number.isFinite(start) ? start : 1;
  const logQ = Math.log(q);
  for (let i = 0; i < 200; i++) {
    const value = tail(x);
    if (value > q) lo = Math.max(lo, x);
    else hi = Math.min(hi, x);
    const density = pdf(x);
    let next = density > 0 && value > 0 ? x + ((Math.log(value) - logQ) * value) / density : Number.NaN;
    if (!(next > lo && next < hi)) next = Number.isFinite(hi) ? 0.5 * (lo + hi) : 2 * x + 1;
    if (Math.abs(next - x) <= 1e-15 * Math.max(1, Math.abs(x))) return next;
    x = next;
  }
  return x;
}

/** Initial guess for the upper normal quantile at tail probability q < 0.5 (Abramowitz & Stegun 26.2.23). */
function normalTailGuess(q: number): number {
  const w = Math.sqrt(-2 * Math.log(q));
  return (
    w - (2.515517 + 0.802853 * w + 0.010328 * w * w) / (1 + w * (1.432788 + w * (0.189269 + 0.001308 * w)))
  );
}

/** The z with P(Z <= z) = p: critical values of normal intervals and power calculations. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  const q = Math.min(p, 1 - p);
  const x = invertTail(q, normalSf, normalPdf, normalTailGuess(q));
  return p < 0.5 ? -x : x;
}

/** The t with P(T <= t) = p for `dof` degrees of freedom: critical values of Welch intervals. */
export function studentTQuantile(p: number, dof: number): number {
  if (!(p >= 0 && p <= 1) || !(dof > 0)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  const q = Math.min(p, 1 - p);
  const z = normalTailGuess(q);
  // Cornish-Fisher start (Abramowitz & Stegun 26.7.5), capped for tiny dof where it overshoots.
  const guess = z + (z ** 3 + z) / (4 * dof) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * dof * dof);
  const x = invertTail(
    q,
    (t) => studentTTail(t, dof),
    (t) => studentTPdf(t, dof),
    Math.min(guess, 1e6),
  );
  return p < 0.5 ? -x : x;
}

/** P(X > x) for a chi-square X with `dof` degrees of freedom: the p-value of sample-ratio tests. */
export function chiSquareSf(x: number, dof: number): number {
  if (Number.isNaN(x) || !(dof > 0)) return Number.NaN;
  if (x <= 0) return 1;
  return incompleteGamma(dof / 2, x / 2).upper;
}

/** Density of Beta(a, b) at x: the posterior of a conversion rate, as Thompson sampling weighs it. */
export function betaPdf(x: number, a: number, b: number): number {
  if (Number.isNaN(x) || !(a > 0) || !(b > 0)) return Number.NaN;
  if (x < 0 || x > 1) return 0;
  if (x === 0) return a < 1 ? Number.POSITIVE_INFINITY : a === 1 ? b : 0;
  if (x === 1) return b < 1 ? Number.POSITIVE_INFINITY : b === 1 ? a : 0;
  return Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - logBeta(a, b));
}

/** P(X <= x) for X ~ Beta(a, b), the regularized incomplete beta I_x(a, b), exact in both tails. */
export function betaCdf(x: number, a: number, b: number): number {
  if (Number.isNaN(x) || !(a > 0) || !(b > 0)) return Number.NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  return incompleteBeta(a, b, x, 1 - x).lower;
}

/** P(X > x) for X ~ Beta(a, b), computed directly so that far upper tails are not lost to 1 - cdf. */
export function betaSf(x: number, a: number, b: number): number {
  if (Number.isNaN(x) || !(a > 0) || !(b > 0)) return Number.NaN;
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  return incompleteBeta(a, b, x, 1 - x).upper;
}

/**
 * The x with P(X <= x) = p for X ~ Beta(a, b): where a posterior's mass starts and ends, so
 * integrals over it can skip the empty rest of [0, 1]. Newton's method kept inside a shrinking
 * bracket (bisection when a step would leave it), on whichever tail is smaller.
 */
export function betaQuantile(p: number, a: number, b: number): number {
  if (!(p >= 0 && p <= 1) || !(a > 0) || !(b > 0)) return Number.NaN;
  if (p === 0) return 0;
  if (p === 1) return 1;
  const upperTail = p > 0.5;
  const q = upperTail ? 1 - p : p;
  // Solve tail(x) = q, where tail is the cdf (lower) or the survival function (upper).
  const tail = (x: number) => (upperTail ? betaSf(x, a, b) : betaCdf(x, a, b));
  let lo = 0;
  let hi = 1;
  let x = a / (a + b);
  for (let i = 0; i < 300; i++) {
    const value = tail(x);
    const below = upperTail ? value > q : value < q; // x is left of the answer
    if (below) lo = x;
    else hi = x;
    const density = betaPdf(x, a, b);
    let next = x + (upperTail ? value - q : q - value) / density;
    if (!(next > lo && next < hi) || !Number.isFinite(next)) next = 0.5 * (lo + hi);
    // Converged when the step is tiny next to the distance from the nearer end of [0, 1].
    const scale = Math.max(Math.min(x, 1 - x), 1e-300);
    if (Math.abs(next - x) <= 1e-15 * scale || hi - lo <= 1e-15 * Math.min(hi, 1 - lo)) return next;
    x = next;
  }
  return x;
}
