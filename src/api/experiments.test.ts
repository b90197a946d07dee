import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, TEST_API_KEYS, TestApi } from '../../test/api-client.js';
import { Rng } from '../core/rng.js';

/** Experiments over HTTP on a real store: define, start, assign, track outcomes, read results. */

const root = mkdtempSync(join(tmpdir(), 'cartwise-experiments-'));
let api: TestApi;
const call = (...args: Parameters<TestApi['call']>) => api.call(...args);
const keys = TEST_API_KEYS;

beforeAll(async () => {
  api = await TestApi.open(root);
});
afterAll(async () => {
  await api.close();
  rmSync(root, { recursive: true, force: true });
});

const definition = {
  key: 'free-shipping',
  variants: [{ key: 'control' }, { key: 'banner' }],
  goal: { type: 'conversion' },
  secondary: [{ type: 'revenue', winsorize: { upper: 0.99 } }, { type: 'aov' }],
  guardrails: [{ type: 'count', event: 'Order Refunded', lowerIsBetter: true }],
  analysis: { sequential: { tuning: 2000 }, windowDays: 7, minUnitsPerVariant: 50 },
};

describe('experiments', () => {
  it('validates definitions and follows the lifecycle', async () => {
    const bad = await call('POST', '/v1/experiments', { ...definition, weights: [1] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('weights: needs one weight per variant (2)');
    const created = await call('POST', '/v1/experiments', definition);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      key: 'free-shipping',
      status: 'draft',
      coverage: 1,
      hashVersion: 2,
    });
    const draft = await call(
      'GET',
      '/v1/experiments/free-shipping/assignment?userId=u1',
      undefined,
      keys.writeKey,
    );
    expect(draft.body).toMatchObject({ inExperiment: false, variant: -1, status: 'draft' });
    expect((await call('POST', '/v1/experiments/free-shipping/start')).body.status).toBe('running');
    expect((await call('POST', '/v1/experiments/free-shipping/start')).status).toBe(409);
    expect((await call('POST', '/v1/experiments', definition)).body.error.code).toBe('conflict');
    expect((await call('GET', '/v1/experiments/nope')).status).toBe(404);
    expect((await call('GET', '/v1/experiments')).body.experiments).toHaveLength(1);
  });

  it('assigns deterministically as GrowthBook does, sticks, and logs exposures', async () => {
    const a = await call(
      'GET',
      '/v1/experiments/free-shipping/assignment?userId=u1',
      undefined,
      keys.writeKey,
    );
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ inExperiment: true, sticky: false, experiment: 'free-shipping' });
    // GrowthBook v2 hash of seed "free-shipping" (the key) and id "u1", as `cartwise experiments assign` prints it.
    const { unitHash } = await import('../decide/experiment-assignment.js');
    expect(a.body.hash).toBe(unitHash('free-shipping', 'u1', 2));
    expect(a.body.variant).toBe(a.body.hash < 0.5 ? 0 : 1);
    const again = await call(
      'GET',
      '/v1/experiments/free-shipping/assignment?userId=u1',
      undefined,
      keys.writeKey,
    );
    expect(again.body).toMatchObject({ variant: a.body.variant, sticky: true });
    // An anonymous visitor who logs in keeps the variant they saw anonymously.
    const anon = await call(
      'GET',
      '/v1/experiments/free-shipping/assignment?anonymousId=visitor-9',
      undefined,
      keys.writeKey,
    );
    await call('POST', '/v1/identify', { userId: 'customer-9', anonymousId: 'visitor-9' }, keys.writeKey);
    const loggedIn = await call(
      'GET',
      '/v1/experiments/free-shipping/assignment?userId=customer-9',
      undefined,
      keys.writeKey,
    );
    expect(loggedIn.body).toMatchObject({ variant: anon.body.variant, sticky: true });
    const bad = await call('GET', '/v1/experiments/free-shipping/assignment', undefined, keys.writeKey);
    expect(bad.body.error.message).toBe('userId: give userId or anonymousId');
  });

  it('reads results from the events that followed exposure: a planted lift, no SRM', async () => {
    const rng = new Rng(7);
    for (let i = 0; i < 1200; i++) {
      const user = `shopper-${i}`;
      const a = await call(
        'GET',
        `/v1/experiments/free-shipping/assignment?userId=${user}`,
        undefined,
        keys.writeKey,
      );
      const p = a.body.variant === 1 ? 0.3 : 0.15;
      if (rng.float() < p)
        await call(
          'POST',
          '/v1/track',
          {
            userId: user,
            event: 'Order Completed',
            properties: {
              order_id: `o-${i}`,
              products: [{ product_id: 'sku-1', price: 20 + 20 * rng.float(), quantity: 1 }],
            },
          },
          keys.writeKey,
        );
    }
    await new Promise((r) => setTimeout(r, 300)); // exposures are written without holding up answers
    const r = await call('GET', '/v1/experiments/free-shipping/results');
    expect(r.status).toBe(200);
    expect(r.body.variants.map((v: Json) => v.units).reduce((s: number, n: number) => s + n, 0)).toBe(1202); // 1,200 shoppers, u1, and visitor-9 who became customer-9
    expect(r.body.srm.alarm).toBe(false);
    const goal = r.body.metrics[0];
    expect(goal.name).toBe('conversion: Order Completed');
    expect(goal.variants[0].value).toBeCloseTo(0.15, 1);
    expect(goal.variants[1].effect).toBeGreaterThan(0.4);
    expect(goal.variants[1].ci[0]).toBeGreaterThan(0);
    expect(r.body.metrics.map((m: Json) => m.name)).toEqual([
      'conversion: Order Completed',
      'revenue',
      'aov',
      'count: Order Refunded',
    ]);
    expect(r.body.warnings).toEqual([]);
    // Reading again while running is fine with sequential testing: no peeking warning.
    expect((await call('GET', '/v1/experiments/free-shipping/results')).body.warnings).toEqual([]);
    expect((await call('POST', '/v1/experiments/free-shipping/stop')).body.status).toBe('stopped');
    const after = await call(
      'GET',
      '/v1/experiments/free-shipping/assignment?userId=brand-new',
      undefined,
      keys.writeKey,
    );
    expect(after.body.inExperiment).toBe(false);
  });

  it('keeps experiments and sticky assignments across a restart', async () => {
    const before = await call(
      'GET',
      '/v1/experiments/free-shipping/assignment?userId=shopper-5',
      undefined,
      keys.writeKey,
    );
    await api.reopen();
    expect((await call('GET', '/v1/experiments/free-shipping')).body.status).toBe('stopped');
    const after = await call(
      'GET',
      '/v1/experiments/free-shipping/assignment?userId=shopper-5',
      undefined,
      keys.writeKey,
    );
    expect(after.body).toMatchObject({ variant: before.body.variant, sticky: true });
  });

  it('analyzes summary statistics with the field named on bad input', async () => {
    const ok = await call('POST', '/v1/stats/analyze', {
      type: 'proportion',
      engine: 'bayesian',
      arms: [
        { n: 10000, sum: 500 },
        { n: 10000, sum: 560 },
      ],
    });
    expect(ok.status).toBe(200);
    expect(ok.body.variants[0].chanceToWin).toBeGreaterThan(0.9);
    const bad = await call('POST', '/v1/stats/analyze', {
      type: 'proportion',
      engine: 'frequentist',
      arms: [
        { n: 0, sum: 1 },
        { n: 5, sum: 1 },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^arms\[0\]\.n/);
  });
});
