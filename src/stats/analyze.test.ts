import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnalyzeInputError, analyze, type VariantResult } from './analyze.js';

/**
 * Golden cases: inputs of `analyze` and what GrowthBook's gbstats (commit 78e2595) answers for the
 * same statistics, written by bench/reference/gbstats_cases.py.
 */
interface Case {
  name: string;
  input: Record<string, unknown>;
  expected: { variants: VariantResult[] };
}
const golden = JSON.parse(readFileSync(new URL('./analyze.cases.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};

function near(got: number | null, want: number | null, abs: number, rel: number): boolean {
  if (got === null || want === null) return got === want;
  return Math.abs(got - want) <= abs + rel * Math.abs(want);
}

function compareVariant(c: Case, i: number, got: VariantResult, want: VariantResult): string[] {
  const problems: string[] = [];
  const check = (field: string, g: number | null, w: number | null, abs: number, rel: number) => {
    if (!near(g, w, abs, rel)) problems.push(`${c.name} [${i}] ${field}: got ${g}, gbstats ${w}`);
  };
  const scale = Math.abs(want.effect) + want.se;
  check('effect', got.effect, want.effect, 1e-12, 1e-10);
  check('se', got.se, want.se, 1e-12, 1e-10);
  // scipy's t.ppf is good to ~5e-9 only, so interval bounds are compared at 1e-8 of the effect's scale.
  check('ci[0]', got.ci[0], want.ci[0], 1e-8 * scale, 0);
  check('ci[1]', got.ci[1], want.ci[1], 1e-8 * scale, 0);
  const sequentialOneSided =
    c.input.sequential != null && c.input.alternative !== undefined && c.input.alternative !== 'two-sided';
  // gbstats finds one-sided sequential p-values by a bisection that returns the midpoint of its last
  // bracket (up to ~1e-3 off: at its answer the interval bound is still 5e-6 from 0); ours solve the
  // same equation in closed form, so the bound is exactly 0 at the p-value.
  if (sequentialOneSided) check('pValue', got.pValue, want.pValue, 1e-3, 0);
  else check('pValue', got.pValue, want.pValue, 1e-12, 1e-8);
  check('chanceToWin', got.chanceToWin, want.chanceToWin, 1e-12, 1e-10);
  check('risk[0]', got.risk?.[0] ?? null, want.risk?.[0] ?? null, 1e-12, 1e-8);
  check('risk[1]', got.risk?.[1] ?? null, want.risk?.[1] ?? null, 1e-12, 1e-8);
  if (got.error !== want.error)
    problems.push(`${c.name} [${i}] error: got ${got.error}, gbstats ${want.error}`);
  return problems;
}

describe('analyze against gbstats', () => {
  it(`reproduces all ${golden.cases.length} golden cases`, () => {
    const problems = golden.cases.flatMap((c) => {
      const out = analyze(c.input);
      expect(out.variants).toHaveLength(c.expected.variants.length);
      return out.variants.flatMap((v, i) => compareVariant(c, i, v, c.expected.variants[i]!));
    });
    expect(problems).toEqual([]);
  });

  it('covers every metric type, engine, alternative and CUPED', () => {
    const inputs = golden.cases.map((c) => c.input);
    for (const type of ['mean', 'proportion', 'ratio'])
      for (const cuped of [false, true])
        expect(
          inputs.some((i) => i.type === type && Boolean(i.cuped) === cuped && i.engine === 'bayesian'),
        ).toBe(true);
    expect(inputs.filter((i) => i.sequential && i.alternative === 'less')).toHaveLength(6);
  });
});

describe('analyze input validation', () => {
  const arm = { n: 100, sum: 10, sumSquares: 30 };
  const problems = (input: unknown): string[] => {
    try {
      analyze(input);
    } catch (error) {
      if (error instanceof AnalyzeInputError) return error.problems;
      throw error;
    }
    return [];
  };

  it('names the field of every problem', () => {
    expect(problems({ type: 'mean', engine: 'frequentist', arms: [arm, { ...arm, n: 2.5 }] })).toEqual([
      'arms[1].n must be a positive integer',
    ]);
    expect(
      problems({
        type: 'mean',
        engine: 'freq',
        alpha: 1.5,
        arms: [
          { n: 0, sum: 'x' },
          { ...arm, extra: 1 },
        ],
      }),
    ).toEqual([
      'engine must be "frequentist" or "bayesian"',
      'alpha must be a number between 0 and 1',
      'arms[0].n must be a positive integer',
      'arms[0].sum must be a finite number',
      'arms[0].sumSquares is required',
      'arms[1] has unknown field(s) "extra"',
    ]);
    expect(problems({ type: 'median', engine: 'bayesian', arms: [] })).toEqual([
      'type must be "mean", "proportion" or "ratio"',
    ]);
    expect(problems({ type: 'mean', engine: 'bayesian', arms: [arm] })).toEqual([
      'arms must be an array of at least two arms (control first)',
    ]);
    expect(problems('nope')).toEqual(['input must be a JSON object']);
  });

  it('checks the fields against each other', () => {
    const base = { type: 'proportion', engine: 'frequentist' };
    expect(
      problems({
        ...base,
        arms: [
          { n: 10, sum: 11 },
          { n: 10, sum: 2 },
        ],
      }),
    ).toEqual(['arms[0].sum must not exceed n (converted units)']);
    expect(
      problems({
        ...base,
        cuped: true,
        arms: [
          { n: 10, sum: 1 },
          { n: 10, sum: 2 },
        ],
      }),
    ).toEqual([
      'arms[0].pre is required when cuped is true',
      'arms[0].sumProductPre is required when cuped is true',
      'arms[1].pre is required when cuped is true',
      'arms[1].sumProductPre is required when cuped is true',
    ]);
    expect(
      problems({
        ...base,
        arms: [
          { n: 10, sum: 1, pre: { sum: 3 }, sumProductPre: 1 },
          { n: 10, sum: 2 },
        ],
      }),
    ).toEqual([
      'arms[0].pre is only allowed when cuped is true',
      'arms[0].sumProductPre is only allowed when cuped is true',
    ]);
    expect(
      problems({
        ...base,
        cuped: true,
        arms: [
          { n: 10, sum: 1, pre: { sum: 3, sumSquares: 4 }, sumProductPre: 2 },
          { n: 10, sum: 2, pre: { sum: 3 }, sumProductPre: 1 },
        ],
      }),
    ).toEqual([
      'arms[0].pre.sumSquares must equal pre.sum (a proportion covariate is 0/1)',
      'arms[0].sumProductPre must not exceed sum or pre.sum (units converted in both periods)',
    ]);
    const two = [
      { n: 10, sum: 1 },
      { n: 10, sum: 2 },
    ];
    expect(
      problems({ ...base, engine: 'bayesian', sequential: { tuning: 5000 }, alternative: 'less', arms: two }),
    ).toEqual([
      'sequential must be null: sequential testing is frequentist',
      'alternative must be "two-sided" with the bayesian engine',
    ]);
    expect(problems({ ...base, prior: { mean: 0, variance: 0.1 }, arms: two })).toEqual([
      'prior must be null: priors belong to the bayesian engine',
    ]);
    expect(
      problems({ ...base, sequential: { tuning: 5000 }, alternative: 'greater', alpha: 0.6, arms: two }),
    ).toEqual(['alpha must be below 0.5 for one-sided sequential tests']);
    expect(problems({ ...base, engine: 'bayesian', prior: { mean: 0, variance: 0 }, arms: two })).toEqual([
      'prior.variance must be a positive number',
    ]);
    expect(
      problems({
        type: 'ratio',
        engine: 'frequentist',
        arms: [
          { n: 5, numerator: { sum: 1, sumSquares: 1 }, denominator: { sum: 2 }, sumProduct: 1 },
          {
            n: 5,
            numerator: { sum: 1, sumSquares: -1 },
            denominator: { sum: 2, sumSquares: 4 },
            sumProduct: 1,
          },
        ],
      }),
    ).toEqual([
      'arms[0].denominator.sumSquares is required',
      'arms[1].numerator.sumSquares must be a non-negative number',
    ]);
  });

  it('applies the documented defaults', () => {
    const out = analyze({
      type: 'mean',
      engine: 'frequentist',
      arms: [arm, { n: 120, sum: 15, sumSquares: 40 }],
    });
    const explicit = analyze({
      type: 'mean',
      engine: 'frequentist',
      relative: true,
      alpha: 0.05,
      alternative: 'two-sided',
      sequential: null,
      prior: null,
      cuped: false,
      arms: [arm, { n: 120, sum: 15, sumSquares: 40 }],
    });
    expect(out).toEqual(explicit);
  });
});

/** Random mean arms: n units with a mean and a standard deviation, turned into sums. */
const meanArm = fc
  .record({
    n: fc.integer({ min: 5, max: 100_000 }),
    mean: fc.double({ min: 0.5, max: 100, noNaN: true }),
    sd: fc.double({ min: 0.1, max: 50, noNaN: true }),
  })
  .map(({ n, mean, sd }) => ({ n, sum: n * mean, sumSquares: (n - 1) * sd * sd + n * mean * mean }));

/** Random proportion arms: n units, a conversion rate. */
const proportionArm = fc
  .record({
    n: fc.integer({ min: 5, max: 100_000 }),
    rate: fc.double({ min: 0.001, max: 0.999, noNaN: true }),
  })
  .map(({ n, rate }) => ({ n, sum: Math.round(n * rate) }));

const twoArms = fc.oneof(
  fc.record({ type: fc.constant('mean'), arms: fc.tuple(meanArm, meanArm) }),
  fc.record({ type: fc.constant('proportion'), arms: fc.tuple(proportionArm, proportionArm) }),
);

describe('significance agrees with the interval', () => {
  it('p < alpha exactly when the interval excludes 0, for every alternative, fixed or sequential', () => {
    fc.assert(
      fc.property(
        twoArms,
        fc.constantFrom('two-sided', 'greater', 'less'),
        fc.option(fc.integer({ min: 100, max: 100_000 }), { nil: null }),
        fc.constantFrom(0.01, 0.05, 0.1, 0.2),
        fc.boolean(),
        ({ type, arms }, alternative, tuning, alpha, relative) => {
          const [v] = analyze({
            type,
            engine: 'frequentist',
            relative,
            alpha,
            alternative,
            sequential: tuning === null ? null : { tuning },
            arms,
          }).variants;
          const lo = v!.ci[0] ?? Number.NEGATIVE_INFINITY;
          const hi = v!.ci[1] ?? Number.POSITIVE_INFINITY;
          const excludesZero = lo > 0 || hi < 0;
          expect(v!.pValue! < alpha).toBe(excludesZero);
        },
      ),
      { numRuns: 2000, seed: 20240601 },
    );
  });
});
