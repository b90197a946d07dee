import { z } from 'zod';
import { type Assignment, assign } from './experiment-assignment.js';

/**
 * Experiments as a store keeps them: definitions (variants, split, targeting, metrics, how to
 * analyze), their lifecycle (draft -> running -> stopped) and sticky bucketing (a unit keeps the
 * variant of its first exposure, whatever later changes to weights or coverage). Pure state; the
 * engine persists it and logs exposures as `Experiment Viewed` events.
 */

const winsorize = z
  .object({
    upper: z.number().gt(0.5).lt(1).nullable().default(null),
    lower: z.number().gt(0).lt(0.5).nullable().default(null),
  })
  .strict();

/** A metric computed from the store's events for every exposed unit. */
export const Metric = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('conversion'), event: z.string().min(1).default('Order Completed') }).strict(),
    z.object({ type: z.literal('count'), event: z.string().min(1) }).strict(),
    z.object({ type: z.literal('revenue'), winsorize: winsorize.optional() }).strict(),
    z.object({ type: z.literal('orders'), winsorize: winsorize.optional() }).strict(),
    z.object({ type: z.literal('margin'), winsorize: winsorize.optional() }).strict(),
    z.object({ type: z.literal('aov'), winsorize: winsorize.optional() }).strict(),
    z.object({ type: z.literal('retention'), days: z.number().int().min(1).max(365) }).strict(),
    z.object({ type: z.literal('recommendation-ctr') }).strict(),
    z.object({ type: z.literal('recommendation-conversion') }).strict(),
  ])
  .and(
    z.object({
      name: z.string().min(1).max(100).optional(),
      /** A guardrail that must not drop (false) or must not rise (true, e.g. refunds). */
      lowerIsBetter: z.boolean().default(false),
    }),
  );

/** A validated metric. */
export type Metric = z.infer<typeof Metric>;

const key = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,59}$/, 'use a-z, 0-9, _ and - (at most 60)');

/** What a client sends to create or replace an experiment. */
export const ExperimentInput = z
  .object({
    key,
    name: z.string().max(200).optional(),
    variants: z
      .array(
        z
          .object({
            key: z.string().min(1).max(60),
            name: z.string().max(200).optional(),
            /** The recommendation strategy this variant serves (`surface: "recommendations"`). */
            strategy: z.string().min(1).max(40).optional(),
          })
          .strict(),
      )
      .min(2, 'needs at least two variants (control first)')
      .max(20),
    weights: z.array(z.number().min(0)).optional(),
    coverage: z.number().min(0).max(1).default(1),
    hashSeed: z.string().min(1).max(200).optional(),
    hashVersion: z.union([z.literal(1), z.literal(2)]).default(2),
    /** Mutually exclusive experiments share a namespace id and take disjoint ranges of [0, 1). */
    namespace: z
      .object({
        id: z.string().min(1).max(100),
        range: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]),
      })
      .strict()
      .refine((n) => n.range[0] < n.range[1], {
        message: 'range must be [start, end] with start < end',
        path: ['range'],
      })
      .nullable()
      .default(null),
    /** GrowthBook targeting condition on the user's traits (e.g. {"country": "DE"}). */
    targeting: z.record(z.string(), z.unknown()).nullable().default(null),
    /** "recommendations": routes `GET /v1/users/:id/recommendations` by assignment to each variant's strategy. */
    surface: z.enum(['recommendations']).nullable().default(null),
    goal: Metric,
    secondary: z.array(Metric).max(20).default([]),
    guardrails: z.array(Metric).max(20).default([]),
    analysis: z
      .object({
        engine: z.enum(['frequentist', 'bayesian']).default('frequentist'),
        alpha: z.number().gt(0).lt(0.5).default(0.05),
        /** Sequential testing (valid at every look) with tuning N*; null: fixed horizon. */
        sequential: z.object({ tuning: z.number().positive() }).strict().nullable().default(null),
        cuped: z.boolean().default(false),
        /** Outcomes count this many days after a unit's first exposure. */
        windowDays: z.number().positive().max(365).default(14),
        minUnitsPerVariant: z.number().int().min(1).default(100),
        /** Adjust secondary metrics' p-values for multiple comparisons. */
        adjust: z.enum(['holm', 'benjamini-hochberg']).nullable().default(null),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.weights && e.weights.length !== e.variants.length)
      ctx.addIssue({
        code: 'custom',
        path: ['weights'],
        message: `needs one weight per variant (${e.variants.length})`,
      });
    if (e.weights && !(e.weights.reduce((s, w) => s + w, 0) > 0))
      ctx.addIssue({ code: 'custom', path: ['weights'], message: 'must not all be zero' });
    const keys = new Set(e.variants.map((v) => v.key));
    if (keys.size !== e.variants.length)
      ctx.addIssue({ code: 'custom', path: ['variants'], message: 'variant keys must be unique' });
    if (e.surface === 'recommendations' && e.variants.some((v) => !v.strategy))
      ctx.addIssue({
        code: 'custom',
        path: ['variants'],
        message: 'every variant needs a strategy when surface is "recommendations"',
      });
    if (e.analysis.sequential && e.analysis.engine === 'bayesian')
      ctx.addIssue({
        code: 'custom',
        path: ['analysis', 'sequential'],
        message: 'must be null with the bayesian engine',
      });
  });

/** A stored experiment: its definition plus lifecycle. */
export type Experiment = z.infer<typeof ExperimentInput> & {
  status: 'draft' | 'running' | 'stopped';
  startedAt: number | null;
  stoppedAt: number | null;
  /** Result reads while running (for the peeking warning). */
  looks: number;
};

/** Who is asking, as assignment needs them. */
export interface Unit {
  /** The shopper key their history is filed under (sticky bucketing follows it across devices). */
  shopper: string;
  /** Every key of the shopper (e.g. the anonymous ids they used before logging in); default [shopper]. */
  keys?: readonly string[];
  /** The id hashed, as GrowthBook's hash attribute: the user id, else the anonymous id. */
  hashId: string;
  attributes: Record<string, unknown>;
}

/** An assignment as answered, with whether it was new (and so is an exposure to log). */
export interface ExperimentAssignment extends Assignment {
  experiment: string;
  variantKey: string | null;
  strategy: string | null;
  sticky: boolean;
}

/** A request refused: a bad definition (400), an unknown key (404), the wrong state (409). */
export class ExperimentError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409,
  ) {
    super(message);
  }
}

/** Every experiment and the variant each unit first saw. */
export class ExperimentBook {
  private readonly experiments = new Map<string, Experiment>();
  private readonly sticky = new Map<string, Map<string, number>>();

  constructor(experiments: readonly Experiment[] = []) {
    for (const e of experiments) this.experiments.set(e.key, e);
  }

  list(): Experiment[] {
    return [...this.experiments.values()];
  }

  get(key: string): Experiment {
    const e = this.experiments.get(key);
    if (!e) throw new ExperimentError(`experiment "${key}" does not exist`, 404);
    return e;
  }

  /** Creates an experiment, or replaces a draft (a running or stopped one keeps its definition). */
  put(input: z.infer<typeof ExperimentInput>): Experiment {
    const before = this.experiments.get(input.key);
    if (before && before.status !== 'draft')
      throw new ExperimentError(
        `experiment "${input.key}" is ${before.status}; its definition is frozen`,
        409,
      );
    const e: Experiment = { ...input, status: 'draft', startedAt: null, stoppedAt: null, looks: 0 };
    this.experiments.set(e.key, e);
    return e;
  }

  start(key: string, now: number): Experiment {
    const e = this.get(key);
    if (e.status !== 'draft') throw new ExperimentError(`experiment "${key}" is already ${e.status}`, 409);
    if (e.surface === 'recommendations') {
      const other = this.list().find((x) => x.surface === 'recommendations' && x.status === 'running');
      if (other)
        throw new ExperimentError(
          `experiment "${other.key}" already routes recommendations; stop it first`,
          409,
        );
    }
    return this.replace({ ...e, status: 'running', startedAt: now });
  }

  stop(key: string, now: number): Experiment {
    const e = this.get(key);
    if (e.status !== 'running')
      throw new ExperimentError(`experiment "${key}" is ${e.status}, not running`, 409);
    return this.replace({ ...e, status: 'stopped', stoppedAt: now });
  }

  /** Counts a results read of a running experiment. */
  look(key: string): Experiment {
    const e = this.get(key);
    return e.status === 'running' ? this.replace({ ...e, looks: e.looks + 1 }) : e;
  }

  /** The running experiment that routes recommendation requests, if any. */
  routingRecommendations(): Experiment | undefined {
    return this.list().find((e) => e.surface === 'recommendations' && e.status === 'running');
  }

  /** Records a first exposure (from the store at start-up, or an `Experiment Viewed` event). */
  remember(experiment: string, shopper: string, variant: number): void {
    let units = this.sticky.get(experiment);
    if (!units) {
      units = new Map();
      this.sticky.set(experiment, units);
    }
    if (!units.has(shopper)) units.set(shopper, variant);
  }

  /**
   * The variant a unit sees: the one it first saw, else (while running) GrowthBook's hash of its
   * id against the split, namespace and targeting. `sticky` false means a new exposure.
   */
  assign(key: string, unit: Unit): ExperimentAssignment {
    const e = this.get(key);
    const spec = {
      key: e.key,
      seed: e.hashSeed ?? e.key,
      hashVersion: e.hashVersion,
      variants: e.variants,
      weights: e.weights ?? null,
      coverage: e.coverage,
      namespace: e.namespace
        ? ([e.namespace.id, e.namespace.range[0], e.namespace.range[1]] as [string, number, number])
        : null,
      condition: e.targeting,
    };
    const fresh = assign(spec, unit.hashId, unit.attributes);
    const seen = this.sticky.get(key);
    const remembered = (unit.keys ?? [unit.shopper]).map((k) => seen?.get(k)).find((v) => v !== undefined);
    const variant = remembered ?? (e.status === 'running' ? fresh.variant : -1);
    const inExperiment = variant >= 0 && variant < e.variants.length;
    if (inExperiment) this.remember(key, unit.shopper, variant);
    return {
      experiment: key,
      hash: fresh.hash,
      variant: inExperiment ? variant : -1,
      inExperiment,
      excludedBy: inExperiment
        ? null
        : e.status !== 'running' && remembered === undefined
          ? null
          : fresh.excludedBy,
      variantKey: inExperiment ? e.variants[variant]!.key : null,
      strategy: inExperiment ? (e.variants[variant]!.strategy ?? null) : null,
      sticky: remembered !== undefined,
    };
  }

  /** Units exposed so far per variant (from the sticky map). */
  exposed(key: string): number[] {
    const counts = new Array<number>(this.get(key).variants.length).fill(0);
    for (const v of this.sticky.get(key)?.values() ?? []) if (v >= 0 && v < counts.length) counts[v]!++;
    return counts;
  }

  private replace(e: Experiment): Experiment {
    this.experiments.set(e.key, e);
    return e;
  }
}
