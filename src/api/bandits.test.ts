import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_API_KEYS, TestApi } from '../../test/api-client.js';
import { Rng } from '../core/rng.js';

/** Bandits over HTTP on a real store: create, choose with propensities, reward, restart. */

const root = mkdtempSync(join(tmpdir(), 'cartwise-bandits-'));
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

const RATES: Record<string, number> = { a: 0.02, b: 0.1, c: 0.04 };

describe('bandits', () => {
  it('refuses bad definitions with the field named', async () => {
    const bad = await call('POST', '/v1/bandits', { key: 'x', policy: 'thompson-beta', arms: ['a'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^arms: /);
    const floor = await call('POST', '/v1/bandits', {
      key: 'x',
      policy: 'thompson-beta',
      arms: ['a', 'b'],
      params: { floor: 0.9 },
    });
    expect(floor.body.error.message).toMatch(/floor must be in \[0, 1\/2\]/);
    expect((await call('GET', '/v1/bandits/nope')).status).toBe(404);
  });

  it('learns the best banner, logging every decision with its probability', async () => {
    const created = await call('POST', '/v1/bandits', {
      key: 'hero',
      policy: 'thompson-beta',
      arms: ['a', 'b', 'c'],
      params: { floor: 0.05, burnInPerArm: 20, reweightEvery: 50 },
    });
    expect(created.status).toBe(200);
    expect(
      (await call('POST', '/v1/bandits', { key: 'hero', policy: 'ucb1', arms: ['a', 'b'] })).status,
    ).toBe(409);
    const rng = new Rng(3);
    const shown: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 1500; i++) {
      const d = await call('POST', '/v1/bandits/hero/choose', { userId: `v${i}` }, keys.writeKey);
      expect(d.body.probability).toBe(d.body.probabilities[d.body.arm]);
      shown[d.body.arm]!++;
      const clicked = rng.float() < RATES[d.body.arm]! ? 1 : 0;
      const r = await call(
        'POST',
        '/v1/bandits/hero/reward',
        { decisionId: d.body.decisionId, value: clicked },
        keys.writeKey,
      );
      expect(r.status).toBe(200);
    }
    expect(shown.b).toBeGreaterThan(shown.a! + shown.c!);
    const view = await call('GET', '/v1/bandits/hero');
    expect(view.body.decisions).toBe(1500);
    expect(view.body.weights.b).toBeGreaterThan(0.8);
    expect(Math.min(view.body.weights.a, view.body.weights.c)).toBeGreaterThanOrEqual(0.05 - 1e-12);
    const bad = await call('POST', '/v1/bandits/hero/reward', { arm: 'zzz', value: 1 }, keys.writeKey);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/arm "zzz" is not one of/);
  });

  it('rebuilds states from the logged rewards after a restart', async () => {
    const before = (await call('GET', '/v1/bandits/hero')).body;
    await api.reopen();
    const after = (await call('GET', '/v1/bandits/hero')).body;
    expect(after.rewards).toEqual(before.rewards);
    expect(after.decisions).toBe(before.decisions);
    expect(after.weights.b).toBeCloseTo(before.weights.b, 1);
    // Decision n+1 after the restart draws from the same seeded stream as it would have.
    const next = await call('POST', '/v1/bandits/hero/choose', {}, keys.writeKey);
    expect(next.body.decisionId).toBe('hero:1500');
  });

  it('serves contextual bandits that need the context', async () => {
    await call('POST', '/v1/bandits', {
      key: 'coupon',
      policy: 'linucb',
      arms: ['none', '10pct'],
      dimension: 2,
    });
    const missing = await call('POST', '/v1/bandits/coupon/choose', {}, keys.writeKey);
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/context/);
    const d = await call('POST', '/v1/bandits/coupon/choose', { context: [1, 0.5] }, keys.writeKey);
    expect(d.status).toBe(200);
    const r = await call(
      'POST',
      '/v1/bandits/coupon/reward',
      { decisionId: d.body.decisionId, value: 1 },
      keys.writeKey,
    );
    expect(r.body.counts[d.body.arm]).toBe(1);
  });
});
