import { z } from 'zod';
import { BanditInput } from '../engine.js';
import { parseBody } from './body.js';
import type { Route } from './routes.js';

const BanditOut = z.record(z.string(), z.unknown()).meta({ id: 'Bandit' });
const context = z
  .array(z.number())
  .max(100)
  .nullable()
  .optional()
  .describe('Feature vector, for contextual policies');
const ChooseBody = z
  .object({ context, userId: z.string().max(300).optional(), anonymousId: z.string().max(300).optional() })
  .strict();
const RewardBody = z
  .object({
    arm: z.string().min(1).max(100).optional(),
    decisionId: z.string().min(1).max(200).optional(),
    value: z.number(),
    context,
    userId: z.string().max(300).optional(),
  })
  .strict()
  .refine((b) => b.arm !== undefined || b.decisionId !== undefined, {
    message: 'give arm (with its context) or the decisionId of a recent decision',
    path: ['arm'],
  });

/** Bandits: define, choose (with the logged propensity) and reward. */
export const BANDIT_ROUTES: Route[] = [
  {
    method: 'get',
    path: '/v1/bandits',
    access: 'admin',
    tag: 'Bandits',
    summary: 'List bandits',
    response: {
      schema: z.object({ bandits: z.array(BanditOut) }),
      description: 'Every bandit with its current weights',
    },
    async handler({ engine }) {
      return { bandits: await engine.bandits.list() };
    },
  },
  {
    method: 'post',
    path: '/v1/bandits',
    access: 'admin',
    tag: 'Bandits',
    summary: 'Create a bandit',
    description:
      "Policies: thompson-beta, thompson-gaussian, ucb1, epsilon-greedy, linucb, linear-thompson (the last two take a context of `dimension` numbers). params: floor (minimum weight), burnInPerArm, burnInTotal, reweightEvery, and the policy's own settings.",
    body: {
      schema: BanditInput,
      size: 'single',
      example: {
        key: 'hero-banner',
        policy: 'thompson-beta',
        arms: ['spring-sale', 'free-shipping', 'new-arrivals'],
        params: { floor: 0.05, burnInPerArm: 100, reweightEvery: 100 },
      },
    },
    response: { schema: BanditOut, description: 'The new bandit' },
    async handler({ engine, body }) {
      return engine.bandits.create(body);
    },
  },
  {
    method: 'get',
    path: '/v1/bandits/:key',
    access: 'admin',
    tag: 'Bandits',
    summary: 'A bandit: decisions, rewards per arm, current weights',
    response: { schema: BanditOut, description: 'The bandit' },
    async handler({ engine, params }) {
      return engine.bandits.get(params.key!);
    },
  },
  {
    method: 'post',
    path: '/v1/bandits/:key/choose',
    access: 'write',
    tag: 'Bandits',
    summary: 'Choose an arm',
    description:
      'Answers the arm and the probability it had (the propensity), logged as a `Bandit Arm Chosen` event for off-policy evaluation.',
    body: { schema: ChooseBody, size: 'single', example: { userId: 'u-42' } },
    response: {
      schema: z.object({
        bandit: z.string(),
        decisionId: z.string(),
        arm: z.string(),
        probability: z.number(),
        probabilities: z.record(z.string(), z.number()),
      }),
      description: 'The decision',
    },
    cors: true,
    async handler({ engine, params, body }) {
      return engine.bandits.choose(params.key!, parseBody(ChooseBody, body));
    },
  },
  {
    method: 'post',
    path: '/v1/bandits/:key/reward',
    access: 'write',
    tag: 'Bandits',
    summary: 'Record an outcome',
    description:
      'For an arm (with its context) or a recent decision by id. Answers once the reward is on disk.',
    body: { schema: RewardBody, size: 'single', example: { decisionId: 'hero-banner:17', value: 1 } },
    response: {
      schema: z.object({ bandit: z.string(), arm: z.string(), counts: z.record(z.string(), z.number()) }),
      description: 'Rewards recorded per arm',
    },
    cors: true,
    async handler({ engine, params, body }) {
      return engine.bandits.reward(params.key!, parseBody(RewardBody, body));
    },
  },
];
