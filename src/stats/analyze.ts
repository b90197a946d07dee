/**
 * One experiment analysis from sufficient statistics per arm: the public contract behind
 * `POST /v1/stats/analyze` and `cartwise experiments analyze`. Arm 0 is the control; every other
 * arm is compared with it, the way GrowthBook's gbstats does.
 *
 * Arms carry sums over units (users): for `mean` {n, sum, sumSquares}, for `proportion` {n, sum}
 * (sum = converted units), for `ratio` {n, numerator: {sum, sumSquares}, denominator: {sum,
 * sumSquares}, sumProduct} (sumProduct = sum of numerator * denominator per unit). With `cuped`,
 * arms also carry the pre-experiment covariate:
 * - mean: `pre: {sum, sumSquares}`, `sumProductPre` = sum of value * pre value;
 * - proportion: `pre: {sum}` (a 0/1 covariate; sumSquares may be given and must equal sum),
 *   `sumProductPre` = units converted in both periods;
 * - ratio (gbstats's RegressionAdjustedRatioStatistic): `pre: {numerator, denominator, sumProduct}`
 *   (the same ratio before the experiment) and `sumProductPre: {numerator, denominator,
 *   numeratorDenominator, denominatorNumerator}`: the sums of numerator * pre numerator,
 *   denominator * pre denominator, numerator * pre denominator and denominator * pre numerator.
 */
import { z } from 'zod';
import { bayesianTest } from './bayesian.js';
import type { AdjustedRatioStatistic, AdjustedStatistic } from './cuped.js';
import { type ArmStatistic, effectMoments } from './effect.js';
import { tTest } from './frequentist.js';
import type { RatioStatistic, Variable } from './moments.js';
import { sequentialTest } from './sequential.js';

/** Zod error option that says "is required" for a missing field and `text` for a wrong one. */
const says = (text: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : text),
});

const count = z
  .number(says('must be a positive integer'))
  .int(says('must be a positive integer'))
  .min(1, says('must be a positive integer'));
const real = z.number(says('must be a finite number'));
const nonNegative = z
  .number(says('must be a non-negative number'))
  .min(0, says('must be a non-negative number'));
const sums = z.strictObject(
  { sum: real, sumSquares: nonNegative },
  says('must be an object {sum, sumSquares}'),
);

const meanArm = z.strictObject(
  { n: count, sum: real, sumSquares: nonNegative, pre: sums.optional(), sumProductPre: real.optional() },
  says('must be an object {n, sum, sumSquares}'),
);
const proportionArm = z.strictObject(
  {
    n: count,
    sum: nonNegative,
    pre: z
      .strictObject({ sum: nonNegative, sumSquares: nonNegative.optional() }, says('must be an object {sum}'))
      .optional(),
    sumProductPre: nonNegative.optional(),
  },
  says('must be an object {n, sum}'),
);
const ratioArm = z.strictObject(
  {
    n: count,
    numerator: sums,
    denominator: sums,
    sumProduct: real,
    pre: z
      .strictObject(
        { numerator: sums, denominator: sums, sumProduct: real },
        says('must be an object {numerator, denominator, sumProduct}'),
      )
      .optional(),
    sumProductPre: z
      .strictObject(
        { numerator: real, denominator: real, numeratorDenominator: real, denominatorNumerator: real },
        says('must be an object {numerator, denominator, numeratorDenominator, denominatorNumerator}'),
      )
      .optional(),
  },
  says('must be an object {n, numerator, denominator, sumProduct}'),
);

const settings = {
  engine: z.enum(['frequentist', 'bayesian'], says('must be "frequentist" or "bayesian"')),
  relative: z.boolean(says('must be true or false')).default(true),
  alpha: z
    .number(says('must be a number between 0 and 1'))
    .gt(0, says('must be a number between 0 and 1'))
    .lt(1, says('must be a number between 0 and 1'))
    .default(0.05),
  alternative: z
    .enum(['two-sided', 'greater', 'less'], says('must be "two-sided", "greater" or "less"'))
    .default('two-sided'),
  sequential: z
    .strictObject(
      { tuning: z.number(says('must be a positive number')).gt(0, says('must be a positive number')) },
      says('must be null or an object {tuning}'),
    )
    .nullable()
    .default(null),
  prior: z
    .strictObject(
      {
        mean: real,
        variance: z.number(says('must be a positive number')).gt(0, says('must be a positive number')),
      },
      says('must be null or an object {mean, variance}'),
    )
    .nullable()
    .default(null),
  cuped: z.boolean(says('must be true or false')).default(false),
};

const twoArms = says('must be an array of at least two arms (control first)');

/** The request body of an analysis; every field is checked, and each error names its field. */
export const analyzeInputSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('mean'), ...settings, arms: z.array(meanArm, twoArms).min(2, twoArms) }),
    z.strictObject({
      type: z.literal('proportion'),
      ...settings,
      arms: z.array(proportionArm, twoArms).min(2, twoArms),
    }),
    z.strictObject({
      type: z.literal('ratio'),
      ...settings,
      arms: z.array(ratioArm, twoArms).min(2, twoArms),
    }),
  ])
  .superRefine((input, ctx) => {
    // Fields that are wrong on their own are reported first; cross-checks on them would be noise.
    if (ctx.issues.length > 0) return;
    const problem = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    if (input.engine === 'bayesian') {
      if (input.sequential) problem(['sequential'], 'must be null: sequential testing is frequentist');
      if (input.alternative !== 'two-sided')
        problem(['alternative'], 'must be "two-sided" with the bayesian engine');
    } else if (input.prior) {
      problem(['prior'], 'must be null: priors belong to the bayesian engine');
    }
    if (input.sequential && input.alternative !== 'two-sided' && input.alpha >= 0.5)
      problem(['alpha'], 'must be below 0.5 for one-sided sequential tests');
    input.arms.forEach((arm, i) => {
      const has = { pre: arm.pre !== undefined, sumProductPre: arm.sumProductPre !== undefined };
      for (const field of ['pre', 'sumProductPre'] as const) {
        if (input.cuped && !has[field]) problem(['arms', i, field], 'is required when cuped is true');
        if (!input.cuped && has[field]) problem(['arms', i, field], 'is only allowed when cuped is true');
      }
      if (input.type !== 'proportion') return;
      const a = arm as z.infer<typeof proportionArm>;
      if (a.sum > a.n) problem(['arms', i, 'sum'], 'must not exceed n (converted units)');
      if (!a.pre) return;
      if (a.pre.sum > a.n) problem(['arms', i, 'pre', 'sum'], 'must not exceed n (converted units)');
      if (a.pre.sumSquares !== undefined && a.pre.sumSquares !== a.pre.sum)
        problem(['arms', i, 'pre', 'sumSquares'], 'must equal pre.sum (a proportion covariate is 0/1)');
      if (a.sumProductPre !== undefined && a.sumProductPre > Math.min(a.sum, a.pre.sum))
        problem(
          ['arms', i, 'sumProductPre'],
          'must not exceed sum or pre.sum (units converted in both periods)',
        );
    });
  });

/** An analysis request as sent (defaults not yet applied). */
export type AnalyzeInput = z.input<typeof analyzeInputSchema>;
type Parsed = z.output<typeof analyzeInputSchema>;

/** One treatment compared with the control; fields that do not apply to the engine are null. */
export interface VariantResult {
  /** Relative lift (mu_B - mu_A) / |mu_A|, or the difference when relative is false; posterior mean when Bayesian. */
  effect: number;
  se: number;
  /** Confidence (frequentist) or credible (Bayesian) interval; null for the open side of a one-sided test. */
  ci: [number | null, number | null];
  pValue: number | null;
  chanceToWin: number | null;
  /** Expected loss of shipping [control, treatment]. */
  risk: [number, number] | null;
  /** Why the comparison could not be made (gbstats's codes), with gbstats's neutral numbers above; else null. */
  error: string | null;
}

/** Results for arms 1..n, in order. */
export interface AnalyzeOutput {
  variants: VariantResult[];
}

/** A request that does not validate; `problems` name each field ("arms[1].n must be a positive integer"). */
export class AnalyzeInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out;
}

/** Zod issues as sentences that start with the field they are about. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const field = fieldName(issue.path);
    if (issue.code === 'unrecognized_keys')
      return `${field || 'input'} has unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    if (issue.code === 'invalid_union' && field === 'type')
      return 'type must be "mean", "proportion" or "ratio"';
    if (issue.code === 'invalid_type' && field === '') return 'input must be a JSON object';
    return `${field} ${issue.message}`;
  });
}

/** Validates a raw request, throwing AnalyzeInputError with every problem found. */
export function parseAnalyzeInput(raw: unknown): Parsed {
  const result = analyzeInputSchema.safeParse(raw);
  if (!result.success) throw new AnalyzeInputError(describeIssues(result.error.issues));
  return result.data;
}

function meanVariable(n: number, s: { sum: number; sumSquares: number }): Variable {
  return { kind: 'mean', n, sum: s.sum, sumSquares: s.sumSquares };
}

function toStatistic(input: Parsed): ArmStatistic[] {
  switch (input.type) {
    case 'mean':
      return input.arms.map((a): ArmStatistic => {
        const post = meanVariable(a.n, a);
        if (!input.cuped || !a.pre) return post;
        const adjusted: AdjustedStatistic = {
          kind: 'adjusted',
          n: a.n,
          post,
          pre: meanVariable(a.n, a.pre),
          sumProductPre: a.sumProductPre ?? 0,
          theta: null,
        };
        return adjusted;
      });
    case 'proportion':
      return input.arms.map((a): ArmStatistic => {
        const post: Variable = { kind: 'proportion', n: a.n, sum: a.sum };
        if (!input.cuped || !a.pre) return post;
        return {
          kind: 'adjusted',
          n: a.n,
          post,
          pre: { kind: 'proportion', n: a.n, sum: a.pre.sum },
          sumProductPre: a.sumProductPre ?? 0,
          theta: null,
        };
      });
    case 'ratio':
      return input.arms.map((a): ArmStatistic => {
        const ratio: RatioStatistic = {
          kind: 'ratio',
          n: a.n,
          numerator: meanVariable(a.n, a.numerator),
          denominator: meanVariable(a.n, a.denominator),
          sumProduct: a.sumProduct,
        };
        if (!input.cuped || !a.pre || !a.sumProductPre) return ratio;
        const adjusted: AdjustedRatioStatistic = {
          kind: 'adjustedRatio',
          n: a.n,
          numerator: ratio.numerator,
          denominator: ratio.denominator,
          preNumerator: meanVariable(a.n, a.pre.numerator),
          preDenominator: meanVariable(a.n, a.pre.denominator),
          products: {
            numeratorDenominator: a.sumProduct,
            preNumeratorPreDenominator: a.pre.sumProduct,
            numeratorPreNumerator: a.sumProductPre.numerator,
            denominatorPreDenominator: a.sumProductPre.denominator,
            numeratorPreDenominator: a.sumProductPre.numeratorDenominator,
            denominatorPreNumerator: a.sumProductPre.denominatorNumerator,
          },
          theta: null,
        };
        return adjusted;
      });
  }
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

function compare(input: Parsed, control: ArmStatistic, treatment: ArmStatistic): VariantResult {
  const m = effectMoments(control, treatment, input.relative);
  const bayesian = input.engine === 'bayesian';
  if (!m.ok) {
    return {
      effect: 0,
      se: 0,
      ci: [0, 0],
      pValue: bayesian ? null : 1,
      chanceToWin: bayesian ? 0.5 : null,
      risk: bayesian ? [0, 0] : null,
      error: m.error,
    };
  }
  if (bayesian) {
    const b = bayesianTest(m, input.prior, input.relative, input.alpha);
    return { ...b, pValue: null, error: null };
  }
  const test = input.sequential
    ? sequentialTest(m, input.alpha, input.sequential.tuning, input.alternative)
    : tTest(m, input.alpha, input.alternative);
  return {
    effect: m.estimate,
    se: m.se,
    ci: [finiteOrNull(test.ci[0]), finiteOrNull(test.ci[1])],
    pValue: test.pValue,
    chanceToWin: null,
    risk: null,
    error: null,
  };
}

/** Validates `raw` (throwing AnalyzeInputError) and compares every treatment arm with the control. */
export function analyze(raw: unknown): AnalyzeOutput {
  const input = parseAnalyzeInput(raw);
  const [control, ...treatments] = toStatistic(input);
  return { variants: treatments.map((t) => compare(input, control!, t)) };
}
