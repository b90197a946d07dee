import { z } from 'zod';
import { DEFAULT_WEIGHTS } from '../features/interactions.js';
import { RECOMMENDERS } from '../models/recommend/registry.js';
import { SESSION_MODELS } from '../models/session/registry.js';

/** Models that learn from implicit feedback: what a bundle serves (rating models predict ratings instead). */
const IMPLICIT = Object.keys(RECOMMENDERS).filter((id) => RECOMMENDERS[id]!.create().kind === 'implicit');

const modelId = z.string().refine((id) => IMPLICIT.includes(id), {
  message: `must be one of ${IMPLICIT.join(', ')}`,
});

/**
 * What `cartwise train` (and the server's schedule) fits, from the `training` section of the
 * settings file. Every field has a default that suits a typical store.
 */
export const TrainingSettings = z
  .object({
    /** The recommenders to fit, or "auto": chosen by the data's size. */
    models: z
      .union([
        z.literal('auto'),
        z
          .array(z.object({ id: modelId, params: z.record(z.string(), z.unknown()).default({}) }).strict())
          .min(1),
      ])
      .default('auto'),
    /** The model behind personalized recommendations: "auto" picks the best on the holdout. */
    personalized: z.union([z.literal('auto'), modelId]).default('auto'),
    /** The collaborative model behind similar items: "auto" prefers item-kNN. */
    similar: z.union([z.literal('auto'), modelId]).default('auto'),
    /** Interest carried by each event name (default: views < carts < orders, refunds negative). */
    weights: z.record(z.string(), z.number()).default({ ...DEFAULT_WEIGHTS }),
    /** Halve an interaction's weight every this many days (null: no decay). */
    halfLifeDays: z.number().positive().nullable().default(null),
    /** Judge every model on the latest `fraction` of events before the final fit (null: skip). */
    holdout: z
      .object({ fraction: z.number().gt(0).lt(0.5).default(0.1) })
      .strict()
      .nullable()
      .default({ fraction: 0.1 }),
    /** Shoppers never identified (anonymous ids) take part in training. */
    includeAnonymous: z.boolean().default(true),
    /** Versions kept on disk (the current one always stays). */
    keepVersions: z.number().int().min(1).default(3),
    /**
     * Precompute this many best items per shopper (personalized model) and per item (similar
     * model), so requests of shoppers with nothing new since training read a list instead of
     * scoring the catalog (0: off). Skipped when shoppers x items exceeds 2e10.
     */
    candidates: z.number().int().min(0).max(1000).default(100),
    /** Threads a fit may use. */
    threads: z.number().int().min(1).max(64).default(2),
    /** Retrain inside the server every this many minutes (null: only on demand). */
    everyMinutes: z.number().positive().nullable().default(null),
    /** Association rules mined from orders for "bought together" and basket completion (null: none). */
    rules: z
      .object({
        /** Least share of orders holding the itemset (and never fewer than 2 orders). */
        minSupport: z.number().gt(0).lte(1).default(0.001),
        minConfidence: z.number().gt(0).lte(1).default(0.05),
        /** Most items in antecedent and consequent together. */
        maxLen: z.number().int().min(2).max(5).default(3),
      })
      .strict()
      .nullable()
      .prefault({}),
    /** The session model behind anonymous next-item recommendations (null: none). */
    session: z
      .object({
        model: z
          .string()
          .refine((id) => id in SESSION_MODELS, {
            message: `must be one of ${Object.keys(SESSION_MODELS).join(', ')}`,
          })
          .default('vsknn'),
        params: z.record(z.string(), z.unknown()).default({}),
        /** A pause longer than this ends a browsing session. */
        gapMinutes: z.number().positive().default(30),
      })
      .strict()
      .nullable()
      .prefault({}),
    /** Seeds every model that draws random numbers (a model's own params.seed wins). */
    seed: z.number().int().default(42),
  })
  .strict();

/** Validated training settings. */
export type TrainingSettings = z.infer<typeof TrainingSettings>;
