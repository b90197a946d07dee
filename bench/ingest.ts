/**
 * Ingestion throughput and latency, next to the raw DuckDB appender in the same run.
 *
 *   npm run build && npx tsx bench/ingest.ts [--events 200000] [--seconds 10] [--clients 50]
 *
 * 1. raw: the same rows appended straight into the same `events` table with DuckDB's appender, one
 *    transaction per 100 / 1,000 / 10,000 rows (no HTTP, no JSON, no validation, no de-duplication).
 * 2. the real server (`cartwise serve`, a child process) fed over loopback HTTP with keep-alive:
 *    /v1/batch with 100 and 1,000 events per request from 8 clients. Every event has a unique
 *    messageId; a request counts when its 2xx answer arrives, which means the events are in the
 *    fsynced journal. "loaded" adds the time until all of them are queryable in DuckDB.
 * 3. single /v1/track calls from 50 connections for --seconds after a warm-up, with wrk (Debian
 *    package `wrk`; a Lua script gives every request its own messageId) when it is installed, else
 *    with a Node client; and a bare node:http server that reads the body and answers a fixed JSON,
 *    measured the same way, as the ceiling of HTTP on this machine.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BIGINT,
  DOUBLE,
  DuckDBInstance,
  type DuckDBType,
  type DuckDBValue,
  LIST,
  listValue,
  STRUCT,
  structValue,
  TIMESTAMPTZ,
  timestampTZValue,
  VARCHAR,
} from '@duckdb/node-api';
import { Rng } from '../src/core/rng.js';
import { validateMessage } from '../src/ingest/messages.js';
import { toChunks } from '../src/store/duckdb/rows.js';
import { DDL } from '../src/store/duckdb/schema.js';
import type { StoredEvent } from '../src/store/records.js';
import { listening } from './listening.js';

const { values } = parseArgs({
  options: { events: { type: 'string' }, seconds: { type: 'string' }, clients: { type: 'string' } },
});
const EVENTS = Number(values.events ?? 200_000);
const SECONDS = Number(values.seconds ?? 10);
const CLIENTS = Number(values.clients ?? 50);
const root = mkdtempSync(join(tmpdir(), 'cartwise-bench-ingest-'));
const keys = { write: 'cw_write_bench_bench_bench', admin: 'cw_admin_bench_bench_bench' };

/** Realistic storefront traffic: mostly product views, some carts, searches and orders. */
function makeMessages(n: number, tag: string, seed: number): Record<string, unknown>[] {
  const rng = new Rng(seed);
  const start = Date.UTC(2025, 0, 1);
  return Array.from({ length: n }, (_, i) => {
    const user = `user-${rng.int(20_000)}`;
    const product = `sku-${rng.int(5_000)}`;
    const price = Math.round(rng.logNormal(3, 0.8) * 100) / 100;
    const base = {
      type: 'track',
      userId: user,
      anonymousId: `anon-${user}`,
      messageId: `${tag}-${i}`,
      timestamp: new Date(start + i * 1000).toISOString(),
      context: {
        ip: '203.0.113.7',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126',
        page: { path: `/p/${product}` },
      },
    };
    const r = rng.float();
    if (r < 0.75)
      return {
        ...base,
        event: 'Product Viewed',
        properties: { product_id: product, price, category: 'Shoes > Running', name: `Product ${product}` },
      };
    if (r < 0.9)
      return { ...base, event: 'Product Added', properties: { product_id: product, price, quantity: 1 } };
    if (r < 0.97) return { ...base, event: 'Products Searched', properties: { query: 'running shoes' } };
    return {
      ...base,
      event: 'Order Completed',
      properties: {
        order_id: `o-${tag}-${i}`,
        revenue: price * 2,
        currency: 'EUR',
        products: [{ product_id: product, price, quantity: 2 }],
      },
    };
  });
}

const V = VARCHAR;
const D = DOUBLE;
const T = TIMESTAMPTZ;
const EVENT_TYPES: DuckDBType[] = [
  BIGINT,
  V,
  V,
  V,
  V,
  V,
  T,
  T,
  V,
  V,
  D,
  D,
  D,
  D,
  V,
  V,
  LIST(STRUCT({ product_id: V, price: D, quantity: D })),
  V,
  V,
  V,
  V,
];
const ts = (ms: number) => timestampTZValue(BigInt(Math.round(ms)) * 1000n);
const json = (v: unknown) => (v === null ? null : JSON.stringify(v));

/** The events columns as DuckDB values: the appender's input, built the fastest way the API allows. */
function eventColumns(events: readonly StoredEvent[], firstSeq: number): DuckDBValue[][] {
  const cols: DuckDBValue[][] = EVENT_TYPES.map(() => new Array(events.length));
  events.forEach((e, i) => {
    const row: DuckDBValue[] = [
      BigInt(firstSeq + i),
      e.messageId,
      e.type,
      e.event,
      e.userId,
      e.anonymousId,
      ts(e.timestamp),
      ts(e.receivedAt),
      e.itemId,
      e.orderId,
      e.price,
      e.quantity,
      e.revenue,
      e.rating,
      e.currency,
      e.coupon,
      e.products
        ? listValue(
            e.products.map((p) =>
              structValue({ product_id: p.productId, price: p.price, quantity: p.quantity }),
            ),
          )
        : null,
      json(e.properties),
      json(e.traits),
      json(e.context),
      e.targetId,
    ];
    row.forEach((v, c) => {
      cols[c]![i] = v;
    });
  });
  return cols;
}

async function rawAppender(events: StoredEvent[], perTransaction: number): Promise<number> {
  const dir = mkdtempSync(join(root, 'raw-'));
  const instance = await DuckDBInstance.create(join(dir, 'raw.duckdb'));
  const conn = await instance.connect();
  for (const sql of DDL) await conn.run(sql);
  const t0 = performance.now();
  for (let s = 0; s < events.length; s += perTransaction) {
    const part = events.slice(s, s + perTransaction);
    await conn.run('BEGIN TRANSACTION');
    const appender = await conn.createAppender('events');
    for (const chunk of toChunks(part, EVENT_TYPES, (rows, offset) => eventColumns(rows, s + offset)))
      appender.appendDataChunk(chunk);
    appender.closeSync();
    await conn.run('COMMIT');
  }
  const rate = events.length / ((performance.now() - t0) / 1000);
  conn.closeSync();
  instance.closeSync();
  return rate;
}

async function startServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    ['dist/cli/bin.js', 'serve', '--data', join(root, 'server'), '--port', '0', '--host', '127.0.0.1'],
    {
      env: { ...process.env, CARTWISE_WRITE_KEY: keys.write, CARTWISE_ADMIN_KEY: keys.admin },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return { child, port: await listening(child) };
}

function post(agent: Agent, port: number, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: {
          authorization: `Bearer ${keys.write}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(res.statusCode)
            : reject(new Error(`${path} answered ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends every body with `clients` concurrent keep-alive connections; returns wall time and per-request latencies. */
async function load(port: number, path: string, bodies: string[], clients: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const s = performance.now();
        await post(agent, port, path, body);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { seconds, p50: q(0.5), p99: q(0.99) };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => n.toFixed(1);

/** Counts events through /v1/stats, which answers once everything acknowledged is loaded. */
async function loadedEvents(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/stats`, {
    headers: { authorization: `Bearer ${keys.admin}` },
  });
  return ((await res.json()) as { events: number }).events;
}

const WRK_SCRIPT = `
local counter = 0
local threads = {}
function setup(thread) thread:set("id", #threads); table.insert(threads, thread) end
function init(args) prefix = "wrk-" .. id .. "-" .. tostring(os.time()) .. "-" .. tostring(math.random(1000000)) .. "-" end
request = function()
  counter = counter + 1
  local u = counter % 20000
  local body = '{"userId":"user-' .. u .. '","anonymousId":"anon-' .. u .. '","event":"Product Viewed","messageId":"' .. prefix .. counter ..
    '","properties":{"product_id":"sku-' .. (counter % 5000) .. '","price":21.5,"category":"Shoes > Running","name":"Product"},' ..
    '"context":{"ip":"203.0.113.7","userAgent":"Mozilla/5.0 (X11; Linux x86_64) Chrome/126"}}'
  return wrk.format("POST", "/v1/track", {["Authorization"] = "Bearer ${keys.write}", ["Content-Type"] = "application/json"}, body)
end`;

function hasWrk(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

/** Runs wrk for `seconds`; returns requests/s and latency percentiles in ms. */
function runWrk(port: number, seconds: number, clients: number): { rps: number; p50: number; p99: number } {
  const script = join(root, 'track.lua');
  writeFileSync(script, WRK_SCRIPT);
  const out = spawnSync(
    'wrk',
    ['-t1', `-c${clients}`, `-d${seconds}s`, '--latency', '-s', script, `http://127.0.0.1:${port}`],
    {
      encoding: 'utf8',
    },
  ).stdout;
  const unit = (v: string, u: string) => Number(v) * (u === 's' ? 1000 : u === 'us' ? 0.001 : 1);
  const pct = (p: string) => {
    const m = new RegExp(`${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    return m ? unit(m[1]!, m[2]!) : Number.NaN;
  };
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (errors) throw new Error(`wrk saw ${errors[1]} failed requests:\n${out}`);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]), p50: pct('50'), p99: pct('99') };
}

/** Single-event load for `seconds` with the best available client. */
async function singleLoad(
  port: number,
  path: string,
  seconds: number,
): Promise<{ rps: number; p50: number; p99: number; client: string }> {
  if (hasWrk()) {
    runWrk(port, 2, CLIENTS); // warm-up: JIT, caches
    return { ...runWrk(port, seconds, CLIENTS), client: 'wrk' };
  }
  const make = (n: number, tag: string) => makeMessages(n, tag, 7).map((m) => JSON.stringify(m));
  await load(port, path, make(2000, 'warm'), CLIENTS);
  const bodies = make(Math.round(seconds * 4000), `single-${Date.now()}`);
  const r = await load(port, path, bodies, CLIENTS);
  return { rps: bodies.length / r.seconds, p50: r.p50, p99: r.p99, client: 'node' };
}

/** A node:http server that reads the body and answers a fixed JSON: the ceiling of HTTP here. */
function startBareServer(): Promise<{ child: ChildProcess; port: number }> {
  const code = `const http = require('node:http');
    const s = http.createServer((req, res) => { const parts = []; req.on('data', (d) => parts.push(d));
      req.on('end', () => { const body = JSON.stringify({ success: true, stored: 1, duplicates: 0 });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }); res.end(body); }); });
    s.keepAliveTimeout = 65000; s.listen(0, '127.0.0.1', () => console.log('API http://127.0.0.1:' + s.address().port + '/v1'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout!.once('data', (d: Buffer) =>
      resolve({ child, port: Number(/:(\d+)\//.exec(d.toString())![1]) }),
    );
  });
}

async function main(): Promise<void> {
  const receivedAt = Date.UTC(2026, 0, 1);
  const rawEvents = makeMessages(EVENTS, 'raw', 1).map((m) => {
    const r = validateMessage(m, { receivedAt });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.event;
  });
  const raw: Record<number, number> = {};
  for (const size of [100, 1000, 10_000]) raw[size] = await rawAppender(rawEvents, size);

  const bare = await startBareServer();
  const bareSingle = await singleLoad(bare.port, '/v1/track', SECONDS);
  bare.child.kill();

  const { child, port } = await startServer();
  const rows: string[][] = [];
  let single: Awaited<ReturnType<typeof singleLoad>>;
  try {
    for (const size of [100, 1000]) {
      const before = await loadedEvents(port);
      const messages = makeMessages(EVENTS, `b${size}`, size);
      const bodies: string[] = [];
      for (let i = 0; i < messages.length; i += size)
        bodies.push(JSON.stringify({ batch: messages.slice(i, i + size) }));
      const t0 = performance.now();
      const r = await load(port, '/v1/batch', bodies, 8);
      const loaded = await loadedEvents(port);
      const loadedSeconds = (performance.now() - t0) / 1000;
      if (loaded - before !== EVENTS)
        throw new Error(`expected ${EVENTS} new events in the store, found ${loaded - before}`);
      const rate = EVENTS / r.seconds;
      rows.push([
        `/v1/batch, ${size} per request, 8 clients`,
        fmt(EVENTS),
        fmt(rate),
        fmt(EVENTS / loadedSeconds),
        `${((rate / raw[size]!) * 100).toFixed(0)}%`,
        `${((rate / raw[10_000]!) * 100).toFixed(0)}%`,
        ms(r.p50),
        ms(r.p99),
      ]);
    }
    single = await singleLoad(port, '/v1/track', SECONDS);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(root, { recursive: true, force: true });
  }

  console.log(
    `\n### Ingestion (${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${EVENTS.toLocaleString('en-US')} events per batch run)\n`,
  );
  console.log('| raw DuckDB appender, same table and rows | events/s |');
  console.log('| --- | ---: |');
  for (const size of [100, 1000, 10_000])
    console.log(`| one transaction per ${size.toLocaleString('en-US')} rows | ${fmt(raw[size]!)} |`);
  console.log(
    '\n| batches through the server | events | acknowledged/s (on disk) | loaded/s (queryable) | acknowledged vs raw, same rows per transaction | vs raw, 10,000 per transaction | p50 ms | p99 ms |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(
    `\n| single events, ${CLIENTS} connections, ${SECONDS} s (${single.client}) | requests/s | p50 ms | p99 ms |`,
  );
  console.log('| --- | ---: | ---: | ---: |');
  console.log(
    `| POST /v1/track on cartwise serve | ${fmt(single.rps)} | ${ms(single.p50)} | ${ms(single.p99)} |`,
  );
  console.log(
    `| bare node:http JSON answer (reference) | ${fmt(bareSingle.rps)} | ${ms(bareSingle.p50)} | ${ms(bareSingle.p99)} |`,
  );
}

await main();
