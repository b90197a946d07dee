/**
 * Ingestion throughput and latency, next to the raw DuckDB appender in the same run.
 *
 *   npm run build && npx tsx bench/ingest.ts [--events 200000] [--singles 20000] [--clients 50]
 *
 * 1. raw: the same rows appended straight into the same `events` table with DuckDB's appender, one
 *    transaction per 100 / 1,000 / 10,000 rows (no HTTP, no JSON, no validation, no de-duplication).
 * 2. the real server (`cartwise serve`, a child process) fed over loopback HTTP with keep-alive:
 *    /v1/batch with 100 and 1,000 events per request from 8 clients, and single /v1/track calls from
 *    50 clients. Every event has a unique messageId; a request counts when its 2xx answer arrives,
 *    which means the events are on disk.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { Rng } from '../src/core/rng.js';
import { validateMessage } from '../src/ingest/messages.js';
import { EVENT_TYPES, eventColumns, toChunks } from '../src/store/duckdb/rows.js';
import { DDL } from '../src/store/duckdb/schema.js';
import type { StoredEvent } from '../src/store/records.js';

const { values } = parseArgs({
  options: { events: { type: 'string' }, singles: { type: 'string' }, clients: { type: 'string' } },
});
const EVENTS = Number(values.events ?? 200_000);
const SINGLES = Number(values.singles ?? 20_000);
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
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /API\s+http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return { child, port };
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

async function main(): Promise<void> {
  const receivedAt = Date.UTC(2026, 0, 1);
  const rawEvents = makeMessages(EVENTS, 'raw', 1).map((m) => {
    const r = validateMessage(m, { receivedAt });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.event;
  });
  const raw: Record<number, number> = {};
  for (const size of [100, 1000, 10_000]) raw[size] = await rawAppender(rawEvents, size);

  const { child, port } = await startServer();
  const rows: string[][] = [];
  try {
    for (const size of [100, 1000]) {
      const messages = makeMessages(EVENTS, `b${size}`, size);
      const bodies: string[] = [];
      for (let i = 0; i < messages.length; i += size)
        bodies.push(JSON.stringify({ batch: messages.slice(i, i + size) }));
      const r = await load(port, '/v1/batch', bodies, 8);
      const rate = EVENTS / r.seconds;
      rows.push([
        `/v1/batch, ${size} per request, 8 clients`,
        fmt(EVENTS),
        fmt(rate),
        `${((rate / raw[size]!) * 100).toFixed(0)}%`,
        `${((rate / raw[10_000]!) * 100).toFixed(0)}%`,
        ms(r.p50),
        ms(r.p99),
      ]);
    }
    const singles = makeMessages(SINGLES, 'single', 7).map((m) => JSON.stringify(m));
    const r = await load(port, '/v1/track', singles, CLIENTS);
    const rate = SINGLES / r.seconds;
    rows.push([
      `/v1/track, 1 per request, ${CLIENTS} clients`,
      fmt(SINGLES),
      fmt(rate),
      '',
      `${((rate / raw[10_000]!) * 100).toFixed(0)}%`,
      ms(r.p50),
      ms(r.p99),
    ]);
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
    '\n| through the server (acknowledged = on disk) | events | events/s | vs raw, same rows per request | vs raw, 10,000 per transaction | p50 ms | p99 ms |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

await main();
