/**
 * Gauss–Legendre quadrature rules, for integrals that must be deterministic and exact to many
 * digits where Monte Carlo would be neither (best-arm probabilities of bandit posteriors).
 */

/** Nodes in (-1, 1), ascending, and their weights; exact for polynomials of degree 2n - 1. */
export interface QuadratureRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

const rules = new Map<number, QuadratureRule>();

/**
 * The n-point Gauss–Legendre rule on [-1, 1], cached. Nodes are the roots of P_n found by Newton's
 * method from Tricomi's estimate, with P_n and its derivative by the three-term recurrence; weights
 * 2 / ((1 - x^2) P_n'(x)^2). Accurate to a few ulps for n up to a few hundred.
 */
export function gaussLegendre(n: number): QuadratureRule {
  if (!Number.isInteger(n) || n < 1 || n > 1024)
    throw new RangeError(`gaussLegendre: n must be an integer in [1, 1024], got ${n}`);
  const cached = rules.get(n);
  if (cached) return cached;
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  const half = Math.floor((n + 1) / 2);
  for (let i = 0; i < half; i++) {
    // i-th largest root, estimated (Tricomi) and polished by Newton.
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let iter = 0; iter < 100; iter++) {
      const [value, derivative] = legendre(n, x);
      const step = value / derivative;
      x -= step;
      if (Math.abs(step) <= 1e-16) break;
    }
    // The derivative at the polished root, for the weight.
    const derivative = legendre(n, x)[1];
    const w = 2 / ((1 - x * x) * derivative * derivative);
    nodes[n - 1 - i] = x;
    nodes[i] = -x;
    weights[n - 1 - i] = w;
    weights[i] = w;
  }
  if (n % 2 === 1) nodes[half - 1] = 0;
  const rule = { nodes, weights };
  rules.set(n, rule);
  return rule;
}

/** P_n(x) and P_n'(x), by the three-term recurrence. */
function legendre(n: number, x: number): [number, number] {
  let p0 = 1;
  let p1 = x;
  for (let k = 2; k <= n; k++) {
    const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
    p0 = p1;
    p1 = p2;
  }
  return [p1, (n * (x * p1 - p0)) / (x * x - 1)];
}
