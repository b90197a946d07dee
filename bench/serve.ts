/**
 * Serving latency and throughput on a large synthetic store, next to a bare node:http server
 * measured the same way in the same run.
 *
 *   npm run build && npx tsx bench/serve.ts [--users 100000] [--items 1000] [--days 365]
 *     [--seconds 10] [--clients 50] [--data DIR]
 *
 * 1. Prepares DIR (default: a temporary directory; an existing DIR with a store and a trained
 *    version is reused): `cartwise generate`, `cartwise import`, `cartwise train` (default
 *    settings: the models "auto" picks for the data), each timed.
 * 2. Starts `cartwise serve` on loopback and drives it with 50 keep-alive connections for
 *    --seconds after a 3-second warm-up, with wrk (Debian package `wrk`) when installed, else a
 *    Node client: /healthz (the HTTP stack alone), personalized lists (k=20, a different shopper
 *    each request, admin key; each answer also records its impression), similar items (k=20,
 *    write key; the answers of the 1,000 items are soon all in the answer cache, so a second
 *    target makes every query new to show the uncached cost) and session recommendations (POST,
 *    three viewed items, k=20).
 * 3. A bare node:http server answering a fixed JSON, measured the same way: the ceiling of HTTP
 *    here; and the same server encoding a 20-item list per request: the floor of a list endpoint.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { listening } from './listening.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string' },
    items: { type: 'string' },
    days: { type: 'string' },
    seconds: { type: 'string' },
    clients: { type: 'string' },
    data: { type: 'string' },
  },
});
const USERS = Number(values.users ?? 100_000);
const ITEMS = Number(values.items ?? 1000);
const DAYS = Number(values.days ?? 365);
const SECONDS = Number(values.seconds ?? 10);
const CLIENTS = Number(values.clients ?? 50);
const temporary = values.data === undefined;
const dir = values.data ?? mkdtempSync(join(tmpdir(), 'cartwise-bench-serve-'));
const keys = { write: 'cw_write_bench_bench_bench', admin: 'cw_admin_bench_bench_bench' };
const env = { ...process.env, CARTWISE_WRITE_KEY: keys.write, CARTWISE_ADMIN_KEY: keys.admin };

/** Runs a cartwise command to completion; returns its wall seconds and stdout. */
function cartwise(args: string[]): { seconds: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['dist/cli/bin.js', ...args], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`cartwise ${args.join(' ')} exited with ${r.status}`);
  return { seconds: (performance.now() - t0) / 1000, stdout: r.stdout };
}

/** Generates, imports and trains unless DIR already holds a trained store. */
function prepare(): string[] {
  const notes: string[] = [];
  if (!existsSync(join(dir, 'cartwise.duckdb'))) {
    const out = join(dir, 'generated');
    const g = cartwise([
      'generate',
      '--users',
      `${USERS}`,
      '--items',
      `${ITEMS}`,
      '--days',
      `${DAYS}`,
      '--out',
      out,
    ]);
    notes.push(`generate ${USERS} shoppers: ${g.seconds.toFixed(0)} s`);
    const i = cartwise(['import', '--data', dir, out]);
    notes.push(`import: ${i.seconds.toFixed(0)} s`);
    rmSync(out, { recursive: true, force: true });
  }
  if (!existsSync(join(dir, 'models', 'current.json'))) {
    const t = cartwise(['train', '--data', dir, '--json']);
    const m = JSON.parse(t.stdout) as {
      data: { users: number; items: number; interactions: number };
      surfaces: { personalized: string; similar: string | null };
      session: { model: string } | null;
    };
    notes.push(
      `train: ${t.seconds.toFixed(0)} s (${m.data.users} shoppers x ${m.data.items} items, ${m.data.interactions} interactions; personalized ${m.surfaces.personalized}, similar ${m.surfaces.similar}, session ${m.session?.model ?? '-'})`,
    );
  }
  return notes;
}

/**
 * A node:http server that answers a fixed JSON (the ceiling of HTTP on this machine) and, on
 * /list, a list shaped like ours: 20 items with scores and quoted titles in their reasons and a new
 * recommendationId each time, encoded per request. That is the floor of any list endpoint: its
 * answer must at least be encoded and written, before any key check, validation or ranking.
 */
async function startBare(): Promise<{ child: ChildProcess; port: number }> {
  const code = `const http = require('node:http');
    const { randomUUID } = require('node:crypto');
    const list = { surface: 'similar', strategy: 'default', model: 'itemknn', version: 'v20260101-000000',
      items: Array.from({ length: 20 }, (_, i) => ({ itemId: 'p' + String(i * 37 + 1).padStart(5, '0'), score: 0.9 / (i + 1.3),
        source: 'itemknn', reason: 'shoppers who liked \u201cZenwick Vintage Wok, White\u201d also liked this' })) };
    const s = http.createServer((req, res) => { req.resume(); req.on('end', () => {
      const body = req.url === '/list' ? JSON.stringify({ recommendationId: randomUUID(), ...list }) : JSON.stringify({ hello: 'world' });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }); res.end(body); }); });
    s.keepAliveTimeout = 65000; s.listen(0, '127.0.0.1', () => console.log('API http://127.0.0.1:' + s.address().port + '/v1'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return { child, port: await listening(child) };
}

interface Target {
  name: string;
  method: 'GET' | 'POST';
  /** Lua expression for the path / body of request number `counter` (wrk). */
  luaPath: string;
  luaBody?: string;
  key: string;
  /** The same in JavaScript, for the Node client. */
  path: (n: number) => string;
  body?: (n: number) => string;
}

/** Spreads request n over shoppers and items without a pattern the caches could learn. */
const spread = (n: number, m: number, mod: number) => ((n * m) % mod) + 1;
const sku = (n: number) => `p${String(n).padStart(5, '0')}`;

const TARGETS: Target[] = [
  {
    name: 'GET /healthz (our HTTP stack, no work)',
    method: 'GET',
    luaPath: '"/healthz"',
    key: keys.write,
    path: () => '/healthz',
  },
  {
    name: 'GET /v1/users/:id/recommendations?k=20',
    method: 'GET',
    luaPath: `"/v1/users/u" .. ((counter * 7919) % ${USERS} + 1) .. "/recommendations?k=20"`,
    key: keys.admin,
    path: (n) => `/v1/users/u${spread(n, 7919, USERS)}/recommendations?k=20`,
  },
  {
    name: 'GET /v1/items/:id/similar?k=20',
    method: 'GET',
    luaPath: `"/v1/items/" .. string.format("p%05d", (counter * 31) % ${ITEMS} + 1) .. "/similar?k=20"`,
    key: keys.write,
    path: (n) => `/v1/items/${sku(spread(n, 31, ITEMS))}/similar?k=20`,
  },
  {
    // A new exclude every 1,000 requests makes each request's query new to the answer cache.
    name: 'GET /v1/items/:id/similar?k=20&exclude= (uncached: every query new)',
    method: 'GET',
    luaPath: `"/v1/items/" .. string.format("p%05d", (counter * 31) % ${ITEMS} + 1) .. "/similar?k=20&exclude=" .. string.format("p%05d", math.floor(counter / ${ITEMS}) % ${ITEMS} + 1)`,
    key: keys.write,
    path: (n) =>
      `/v1/items/${sku(spread(n, 31, ITEMS))}/similar?k=20&exclude=${sku((Math.floor(n / ITEMS) % ITEMS) + 1)}`,
  },
  {
    name: 'POST /v1/sessions/recommendations (3 items, k=20)',
    method: 'POST',
    luaPath: `"/v1/sessions/recommendations"`,
    luaBody: `string.format('{"items":["p%05d","p%05d","p%05d"],"k":20}', (counter * 31) % ${ITEMS} + 1, (counter * 17) % ${ITEMS} + 1, (counter * 13) % ${ITEMS} + 1)`,
    key: keys.write,
    path: () => '/v1/sessions/recommendations',
    body: (n) =>
      JSON.stringify({
        items: [sku(spread(n, 31, ITEMS)), sku(spread(n, 17, ITEMS)), sku(spread(n, 13, ITEMS))],
        k: 20,
      }),
  },
];

const BARE: Target = {
  name: 'bare node:http JSON hello-world (reference)',
  method: 'GET',
  luaPath: '"/hello"',
  key: keys.write,
  path: () => '/hello',
};

const BARE_LIST: Target = {
  name: 'bare node:http, a 20-item list encoded per request (floor of a list endpoint)',
  method: 'GET',
  luaPath: '"/list"',
  key: keys.write,
  path: () => '/list',
};

interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

const hasWrk = () => spawnSync('wrk', ['--version']).error === undefined;

function runWrk(port: number, t: Target, seconds: number): Result {
  const script = join(dir, 'serve-bench.lua');
  writeFileSync(
    script,
    `counter = 0
headers = {["Authorization"] = "Bearer ${t.key}", ["Content-Type"] = "application/json"}
request = function()
  counter = counter + 1
  return wrk.format("${t.method}", ${t.luaPath}, headers, ${t.luaBody ?? 'nil'})
end
done = function(summary, latency, requests)
  io.write(string.format("errors %d\\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end`,
  );
  const out = spawnSync(
    'wrk',
    ['-t1', `-c${CLIENTS}`, `-d${seconds}s`, '--latency', '-s', script, `http://127.0.0.1:${port}`],
    { encoding: 'utf8' },
  ).stdout;
  const unit = (v: string, u: string) => Number(v) * (u === 's' ? 1000 : u === 'us' ? 0.001 : 1);
  const pct = (p: string) => {
    const m = new RegExp(`${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    return m ? unit(m[1]!, m[2]!) : Number.NaN;
  };
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50: pct('50'),
    p99: pct('99'),
    errors: Number(/errors (\d+)/.exec(out)?.[1] ?? 0),
  };
}

/** The Node fallback: `CLIENTS` keep-alive connections in a closed loop for `seconds`. */
async function runNode(port: number, t: Target, seconds: number): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const latencies: number[] = [];
  let n = 0;
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const body = t.body?.(i);
      const req = request(
        {
          agent,
          host: '127.0.0.1',
          port,
          path: t.path(i),
          method: t.method,
          headers: {
            authorization: `Bearer ${t.key}`,
            ...(body
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
              : {}),
          },
        },
        (res) => {
          if (res.statusCode !== 200) errors++;
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        await one(n++);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { rps: latencies.length / wall, p50: q(0.5), p99: q(0.99), errors };
}

async function measure(port: number, t: Target): Promise<Result> {
  if (hasWrk()) {
    runWrk(port, t, 3);
    return runWrk(port, t, SECONDS);
  }
  await runNode(port, t, 3);
  return runNode(port, t, SECONDS);
}

async function main(): Promise<void> {
  const notes = prepare();
  const bare = await startBare();
  const reference = await measure(bare.port, BARE);
  const floor = await measure(bare.port, BARE_LIST);
  bare.child.kill();

  const server = spawn(
    process.execPath,
    ['dist/cli/bin.js', 'serve', '--data', dir, '--port', '0', '--host', '127.0.0.1'],
    {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const t0 = performance.now();
  const port = await listening(server);
  notes.push(
    `server ready (catalog, model version, recent activity, trending loaded) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const results: [Target, Result][] = [];
  for (const t of TARGETS) results.push([t, await measure(port, t)]);
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));

  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(
    `\n## Serving, ${USERS.toLocaleString('en-US')}-shopper synthetic store, ${CLIENTS} loopback connections, ${SECONDS} s, client ${hasWrk() ? 'wrk' : 'node'}\n`,
  );
  for (const n of notes) console.log(`- ${n}`);
  console.log('\n| endpoint | req/s | p50 ms | p99 ms | errors | of bare req/s |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [t, r] of [
    ...results,
    [BARE_LIST, floor] as [Target, Result],
    [BARE, reference] as [Target, Result],
  ])
    console.log(
      `| ${t.name} | ${fmt(r.rps)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.errors} | ${((100 * r.rps) / reference.rps).toFixed(0)}% |`,
    );
  console.log('\nGoals (issue 4): throughput >= 50% of the bare server, p99 <= 10 ms.');
  if (temporary) rmSync(dir, { recursive: true, force: true });
}

await main();
