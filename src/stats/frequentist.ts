/**
 * Fixed-horizon Welch t-tests on an effect, two-sided or one-sided, as gbstats's TwoSidedTTest,
 * OneSidedTreatmentGreaterTTest and OneSidedTreatmentLesserTTest.
 */
import { studentTCdf, studentTQuantile } from './distributions.js';

/** Which effects count as evidence: any difference, an increase only, or a decrease only. */
export type Alternative = 'two-sided' | 'greater' | 'less';

/** An interval (infinite on the open side of a one-sided test) and its p-value. */
export interface TestResult {
  ci: [number, number];
  pValue: number;
}

/** P-value and confidence interval of the effect `estimate` with standard error `se` on `dof` degrees of freedom. */
export function tTest(
  m: { estimate: number; se: number; dof: number },
  alpha: number,
  alternative: Alternative,
): TestResult {
  const t = m.estimate / m.se;
  if (alternative === 'two-sided') {
    const halfwidth = studentTQuantile(1 - alpha / 2, m.dof) * m.se;
    // 2 * P(T > |t|), computed from the tail rather than 1 - cdf so small p-values keep their digits.
    return {
      ci: [m.estimate - halfwidth, m.estimate + halfwidth],
      pValue: 2 * studentTCdf(-Math.abs(t), m.dof),
    };
  }
  const halfwidth = studentTQuantile(1 - alpha, m.dof) * m.se;
  return alternative === 'greater'
    ? { ci: [m.estimate - halfwidth, Number.POSITIVE_INFINITY], pValue: studentTCdf(-t, m.dof) }
    : { ci: [Number.NEGATIVE_INFINITY, m.estimate + halfwidth], pValue: studentTCdf(t, m.dof) };
}
