import { z } from 'zod';
import { ExperimentInput } from '../engine.js';
import { ApiError } from './errors.js';
import type { Route } from './routes.js';

const ExperimentOut = z.record(z.string(), z.unknown()).meta({ id: 'Experiment' });

const AssignmentQuery = z.object({
  userId: z.string().max(300).optional(),
  anonymousId: z.string().max(300).optional(),
  attributes: z
    .string()
    .max(4000)
    .optional()
    .describe('JSON object of targeting attributes (override the stored traits), e.g. {"country":"DE"}'),
});

const AssignmentOut = z
  .object({
    experiment: z.string(),
    status: z.enum(['draft', 'running', 'stopped']),
    hash: z.number().nullable().describe('GrowthBook hash of the unit in [0, 1)'),
    variant: z.number().int().describe('Variant index (0 = control); -1 when not in the experiment'),
    variantKey: z.string().nullable(),
    strategy: z.string().nullable(),
    inExperiment: z.boolean(),
    excludedBy: z.string().nullable().describe('namespace, targeting, coverage, ... when not in it'),
    sticky: z.boolean().describe('True when the unit keeps the variant of an earlier exposure'),
  })
  .meta({ id: 'Assignment' });

const ResultsOut = z.record(z.string(), z.unknown()).meta({ id: 'ExperimentResults' });
const AnalyzeOut = z
  .object({
    variants: z.array(
      z.object({
        effect: z.number(),
        se: z.number(),
        ci: z.tuple([z.number().nullable(), z.number().nullable()]),
        pValue: z.number().nullable(),
        chanceToWin: z.number().nullable(),
        risk: z.tuple([z.number(), z.number()]).nullable(),
        error: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'Analysis' });

/** Experiments, assignment and the statistics engine. */
export const EXPERIMENT_ROUTES: Route[] = [
  {
    method: 'get',
    path: '/v1/experiments',
    access: 'admin',
    tag: 'Experiments',
    summary: 'List experiments',
    response: { schema: z.object({ experiments: z.array(ExperimentOut) }), description: 'Every experiment' },
    async handler({ engine }) {
      return { experiments: engine.experiments.list() };
    },
  },
  {
    method: 'post',
    path: '/v1/experiments',
    access: 'admin',
    tag: 'Experiments',
    summary: 'Create an experiment (or replace a draft)',
    description:
      'Variants (control first) with weights, coverage, GrowthBook hash seed and version, a namespace for mutually exclusive experiments, targeting on user traits, a goal metric, secondary and guardrail metrics, and the analysis (frequentist or Bayesian, sequential, CUPED, window). `surface: "recommendations"` routes personalized lists by assignment to each variant\'s strategy.',
    body: {
      schema: ExperimentInput,
      size: 'single',
      example: {
        key: 'free-shipping-banner',
        variants: [{ key: 'control' }, { key: 'banner' }],
        weights: [0.5, 0.5],
        goal: { type: 'conversion' },
        secondary: [{ type: 'revenue', winsorize: { upper: 0.99 } }, { type: 'aov' }],
        guardrails: [{ type: 'count', event: 'Order Refunded', lowerIsBetter: true }],
        analysis: { engine: 'frequentist', sequential: { tuning: 5000 }, windowDays: 14 },
      },
    },
    response: { schema: ExperimentOut, description: 'The stored experiment (status draft)' },
    async handler({ engine, body }) {
      return engine.experiments.put(body);
    },
  },
  {
    method: 'get',
    path: '/v1/experiments/:key',
    access: 'admin',
    tag: 'Experiments',
    summary: 'An experiment',
    response: { schema: ExperimentOut, description: 'Definition, status and exposures so far' },
    async handler({ engine, params }) {
      return engine.experiments.get(params.key!);
    },
  },
  {
    method: 'post',
    path: '/v1/experiments/:key/start',
    access: 'admin',
    tag: 'Experiments',
    summary: 'Start assigning units',
    response: { schema: ExperimentOut, description: 'Now running' },
    async handler({ engine, params }) {
      return engine.experiments.start(params.key!);
    },
  },
  {
    method: 'post',
    path: '/v1/experiments/:key/stop',
    access: 'admin',
    tag: 'Experiments',
    summary: 'Stop assigning new units (exposed units keep their variant)',
    response: { schema: ExperimentOut, description: 'Now stopped; results cover exposures until now' },
    async handler({ engine, params }) {
      return engine.experiments.stop(params.key!);
    },
  },
  {
    method: 'get',
    path: '/v1/experiments/:key/assignment',
    access: 'write',
    tag: 'Experiments',
    summary: "A shopper's variant",
    description:
      "Deterministic and compatible with GrowthBook's SDKs (FNV-1a, hash version 1 or 2, bucket ranges from weights x coverage, namespaces). A unit keeps the variant of its first exposure, across devices once its ids are linked. A new exposure is stored as an `Experiment Viewed` event.",
    query: AssignmentQuery,
    response: { schema: AssignmentOut, description: 'The variant, or -1 when not in the experiment' },
    cors: true,
    async handler({ engine, params, query }) {
      const q = query as z.output<typeof AssignmentQuery>;
      let attributes: Record<string, unknown> | undefined;
      if (q.attributes !== undefined) {
        try {
          attributes = JSON.parse(q.attributes) as Record<string, unknown>;
        } catch {
          throw new ApiError('invalid_request', 'attributes: is not a JSON object');
        }
        if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))
          throw new ApiError('invalid_request', 'attributes: is not a JSON object');
      }
      return engine.experiments.assign(params.key!, {
        userId: q.userId,
        anonymousId: q.anonymousId,
        attributes,
      });
    },
  },
  {
    method: 'get',
    path: '/v1/experiments/:key/results',
    access: 'admin',
    tag: 'Experiments',
    summary: 'Results per variant',
    description:
      'Units, every metric with effect (relative), interval, p-value or chance to win, the SRM check with the dimension (source, browser, day) that explains a mismatch, and warnings: too few units, SRM, peeking without sequential testing, guardrail harm.',
    response: { schema: ResultsOut, description: 'Results' },
    async handler({ engine, params }) {
      return engine.experiments.results(params.key!);
    },
  },
  {
    method: 'post',
    path: '/v1/stats/analyze',
    access: 'admin',
    tag: 'Experiments',
    summary: 'The statistics engine on summary statistics',
    description:
      'GrowthBook gbstats conventions: frequentist (Welch t, delta-method relative effects), Bayesian (Gaussian effect update, chance to win, risk), CUPED, sequential confidence sequences. Arm 0 is the control.',
    body: {
      schema: z.record(z.string(), z.unknown()),
      size: 'single',
      example: {
        type: 'proportion',
        engine: 'frequentist',
        relative: true,
        arms: [
          { n: 10000, sum: 500 },
          { n: 10000, sum: 560 },
        ],
      },
    },
    response: { schema: AnalyzeOut, description: 'One entry per treatment arm' },
    async handler({ engine, body }) {
      return engine.analyzeStats(body);
    },
  },
];
