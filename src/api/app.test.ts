import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine.js';
import { createApp } from './app.js';
import { ROUTES } from './routes.js';

const keys = { writeKey: 'cw_write_testtesttesttest', adminKey: 'cw_admin_testtesttesttest' };
const root = mkdtempSync(join(tmpdir(), 'cartwise-api-'));
let engine: Engine;
let app: Hono;

beforeAll(async () => {
  engine = await Engine.open({ storeUrl: `duckdb:${join(root, 'db.duckdb')}` });
  app = createApp(engine, { keys, maxBodyBytes: 200_000, version: 'test' });
});
afterAll(async () => {
  await engine.close();
  rmSync(root, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: responses are navigated freely in assertions
type Json = Record<string, any>;
async function call(
  method: string,
  path: string,
  body?: unknown,
  opts: { key?: string | null; headers?: Record<string, string>; raw?: string | Uint8Array } = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const key = opts.key === undefined ? keys.adminKey : opts.key;
  const headers: Record<string, string> = {
    ...(key ? { authorization: `Bearer ${key}` } : {}),
    ...opts.headers,
  };
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await app.request(path, {
    method,
    headers,
    body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  let parsed: Json = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

describe('authentication', () => {
  it('needs a key, accepts Bearer and Segment-style Basic, and keeps the write key to ingestion', async () => {
    const event = { userId: 'auth-u', event: 'Signed In' };
    expect((await call('POST', '/v1/track', event, { key: null })).body.error.code).toBe('unauthorized');
    expect((await call('POST', '/v1/track', event, { key: 'wrong-key-wrong-key' })).status).toBe(401);
    expect((await call('POST', '/v1/track', event, { key: keys.writeKey })).status).toBe(200);
    const basic = `Basic ${Buffer.from(`${keys.writeKey}:`).toString('base64')}`;
    expect(
      (await call('POST', '/v1/track', event, { key: null, headers: { authorization: basic } })).status,
    ).toBe(200);
    const denied = await call('GET', '/v1/stats', undefined, { key: keys.writeKey });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/admin key/);
    expect((await call('GET', '/metrics', undefined, { key: null })).status).toBe(401);
    expect((await call('GET', '/healthz', undefined, { key: null })).body.status).toBe('ok');
  });
});

describe('events', () => {
  it('stores a track call once per messageId', async () => {
    const msg = {
      userId: 'u1',
      event: 'Product Viewed',
      messageId: 'api-m1',
      properties: { product_id: 'p1' },
    };
    expect((await call('POST', '/v1/track', msg, { key: keys.writeKey })).body).toEqual({
      success: true,
      stored: 1,
      duplicates: 0,
    });
    expect((await call('POST', '/v1/track', msg, { key: keys.writeKey })).body).toEqual({
      success: true,
      stored: 0,
      duplicates: 1,
    });
  });

  it('rejects an invalid event with the field named', async () => {
    const res = await call('POST', '/v1/track', {
      userId: 'u1',
      event: 'Order Completed',
      properties: { order_id: 'o1', products: [{ product_id: 'a', price: -3 }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'invalid_request',
      message: 'properties.products[0].price: must not be negative',
      details: [{ field: 'properties.products[0].price' }],
    });
    expect((await call('POST', '/v1/identify', { traits: { a: 1 } })).body.error.message).toBe(
      'userId: is required unless anonymousId is given',
    );
  });

  it('answers a batch with the accepted indexes and each rejection', async () => {
    const res = await call('POST', '/v1/batch', {
      batch: [
        { type: 'track', userId: 'b1', event: 'Product Viewed', properties: { product_id: 'p1' } },
        {
          type: 'track',
          userId: 'b1',
          event: 'Product Reviewed',
          properties: { product_id: 'p1', rating: 'great' },
        },
        { type: 'identify', userId: 'b1', traits: { email: 'b1@x.io' } },
        { type: 'track', event: 'X' },
      ],
      context: { library: { name: 'test' } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: false, accepted: [0, 2], stored: 2, duplicates: 0 });
    expect(res.body.rejected.map((r: Json) => [r.index, r.field])).toEqual([
      [1, 'properties.rating'],
      [3, 'userId'],
    ]);
    expect(res.body.rejected[0].message).toBe('properties.rating: expected a number');
    const all = await call('POST', '/v1/batch', { batch: [{ type: 'track', event: 'X' }] });
    expect(all.status).toBe(400);
    expect(all.body.error.details[0].index).toBe(0);
    expect((await call('POST', '/v1/batch', { batch: [{ type: 'nope' }] })).body.error.message).toMatch(
      /^batch\.0\.type/,
    );
    expect((await call('POST', '/v1/batch', { items: [] })).body.error.message).toMatch(/^batch: /);
  });

  it('refuses bad bodies with precise errors and accepts gzip', async () => {
    const bad = await call('POST', '/v1/track', undefined, {
      raw: '{"event": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_json');
    expect(
      (
        await call('POST', '/v1/track', undefined, {
          raw: 'a=b',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
      ).status,
    ).toBe(415);
    const huge = {
      batch: [{ type: 'track', userId: 'x', event: 'Big', properties: { blob: 'x'.repeat(300_000) } }],
    };
    const tooBig = await call('POST', '/v1/batch', huge);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.message).toMatch(/200000 bytes/);
    const single = await call('POST', '/v1/track', {
      userId: 'x',
      event: 'Big',
      properties: { blob: 'x'.repeat(70_000) },
    });
    expect(single.status).toBe(413);
    const gz = gzipSync(JSON.stringify({ userId: 'gz', event: 'Zipped', messageId: 'gz-1' }));
    const zipped = await call('POST', '/v1/track', undefined, {
      raw: gz,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(zipped.body).toEqual({ success: true, stored: 1, duplicates: 0 });
    const bomb = gzipSync(JSON.stringify({ batch: [], pad: 'x'.repeat(1_000_000) }));
    expect(
      (await call('POST', '/v1/batch', undefined, { raw: bomb, headers: { 'content-encoding': 'gzip' } }))
        .status,
    ).toBe(413);
  });

  it('answers CORS preflights on ingestion endpoints', async () => {
    const res = await app.request('/v1/track', { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });
});

describe('catalog', () => {
  it('creates, reads, lists, pages, updates and deletes items', async () => {
    const put = await call('PUT', '/v1/items/sku-1', {
      title: 'Trail runner',
      category: ['Shoes', 'Running'],
      price: '89.90',
      stock: 3,
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      id: 'sku-1',
      category: 'Shoes > Running',
      price: 89.9,
      stock: 3,
      available: true,
    });
    expect(put.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await call('PUT', '/v1/items/sku-1', { id: 'other' })).body.error.message).toBe(
      'id: "other" does not match the URL id "sku-1"',
    );
    expect((await call('PUT', '/v1/items/sku-9', { price: -1 })).body.error.message).toBe(
      'price: must not be negative',
    );

    const bulk = await call('POST', '/v1/items', {
      items: [
        { id: 'sku-2', title: 'Road racer', category: 'Shoes > Running' },
        { id: 'sku-3', title: 'Boot', category: 'Shoes > Boots' },
        { title: 'no id' },
      ],
    });
    expect(bulk.body).toMatchObject({
      upserted: 2,
      rejected: [{ index: 2, field: 'id', message: 'id: is required' }],
    });
    expect((await call('GET', '/v1/items/sku-2')).body.title).toBe('Road racer');
    expect((await call('GET', '/v1/items/nope')).status).toBe(404);

    const first = await call('GET', '/v1/items?category=shoes&limit=2');
    expect(first.body.items.map((i: Json) => i.id)).toEqual(['sku-1', 'sku-2']);
    const next = await call('GET', `/v1/items?category=shoes&limit=2&cursor=${first.body.nextCursor}`);
    expect(next.body).toMatchObject({ items: [{ id: 'sku-3' }], nextCursor: null });
    expect((await call('GET', '/v1/items?q=racer')).body.items).toHaveLength(1);
    expect((await call('GET', '/v1/items?limit=0')).body.error.message).toBe('limit: must be 1..1000');
    expect((await call('GET', '/v1/items?cursor=%%%')).status).toBe(400);

    expect((await call('DELETE', '/v1/items/sku-3')).body).toEqual({ deleted: true });
    expect((await call('DELETE', '/v1/items/sku-3')).status).toBe(404);
  });
});

describe('users', () => {
  it('shows the joined history, exports it, and erases it', async () => {
    await call('POST', '/v1/batch', {
      batch: [
        {
          type: 'track',
          anonymousId: 'anon-x',
          event: 'Product Viewed',
          properties: { product_id: 'sku-1' },
          timestamp: '2025-01-01T10:00:00Z',
        },
        {
          type: 'identify',
          anonymousId: 'anon-x',
          userId: 'ada',
          traits: { email: 'ada@x.io' },
          timestamp: '2025-01-01T10:05:00Z',
        },
        {
          type: 'track',
          userId: 'ada',
          event: 'Order Completed',
          properties: { order_id: 'o1', revenue: 42 },
          timestamp: '2025-01-02T10:00:00Z',
        },
      ],
    });
    const profile = await call('GET', '/v1/users/ada');
    expect(profile.body).toMatchObject({
      userId: 'ada',
      traits: { email: 'ada@x.io' },
      identities: [{ kind: 'anonymous', id: 'anon-x' }],
      activity: {
        events: 3,
        orders: 1,
        revenue: 42,
        firstSeen: '2025-01-01T10:00:00.000Z',
        lastSeen: '2025-01-02T10:00:00.000Z',
      },
    });
    const exported = await call('GET', '/v1/users/ada/export');
    expect(exported.body.events.map((e: Json) => e.event ?? e.type)).toEqual([
      'Product Viewed',
      'identify',
      'Order Completed',
    ]);
    expect(exported.body.events[2].products).toBeNull();
    expect((await call('DELETE', '/v1/users/ada')).body).toEqual({ erased: true, events: 3, identities: 1 });
    expect((await call('GET', '/v1/users/ada')).status).toBe(404);
    expect((await call('DELETE', '/v1/users/ada')).status).toBe(404);
  });
});

describe('operations and documentation', () => {
  it('reports stats, Prometheus metrics, 404 and 405', async () => {
    const stats = await call('GET', '/v1/stats');
    expect(stats.body.events).toBeGreaterThan(3);
    const metrics = await app.request('/metrics', { headers: { authorization: `Bearer ${keys.adminKey}` } });
    const text = await metrics.text();
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain; version=0.0.4/);
    expect(text).toMatch(
      /cartwise_http_requests_total\{method="POST",route="\/v1\/track",status="200"\} \d+/,
    );
    expect(text).toMatch(
      /cartwise_http_request_duration_seconds_bucket\{method="POST",route="\/v1\/batch",le="0.05"\} \d+/,
    );
    expect(text).toMatch(/cartwise_events_ingested_total\{type="track"\} \d+/);
    expect(text).toMatch(/cartwise_events_rejected_total\{field="properties.rating"\} 1/);
    expect((await call('GET', '/v2/nothing')).body.error.code).toBe('not_found');
    const wrong = await call('PATCH', '/v1/items/x', {});
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('PUT, GET, DELETE');
  });

  it('serves an OpenAPI document generated from the validating schemas, and a readable reference', async () => {
    const doc = (await call('GET', '/openapi.json', undefined, { key: null })).body;
    expect(doc.openapi).toBe('3.1.0');
    for (const r of ROUTES) expect(doc.paths[r.path.replace(/:(\w+)/g, '{$1}')][r.method]).toBeDefined();
    const track = doc.paths['/v1/track'].post;
    expect(track.requestBody.content['application/json'].schema.required).toEqual(['event']);
    expect(track.requestBody.content['application/json'].schema.properties.messageId.maxLength).toBe(256);
    expect(doc.components.schemas.OrderCompletedProperties.required).toEqual(['order_id']);
    expect(doc.paths['/v1/items'].get.parameters.map((p: Json) => p.name)).toEqual([
      'category',
      'q',
      'cursor',
      'limit',
    ]);
    const html = await (await app.request('/docs')).text();
    for (const r of ROUTES) expect(html).toContain(r.path.replace(/:(\w+)/g, '{$1}'));
    expect(html).toContain('Order Completed');
    expect(html).not.toMatch(/<script/);
  });
});
