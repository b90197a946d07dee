import type { IncomingMessage } from 'node:http';
import { type Context, Hono } from 'hono';
import type { z } from 'zod';
import { LATENCY_BUCKETS } from '../core/metrics.js';
import { BanditError, type Engine, ExperimentError, InvalidInput, ServingError } from '../engine.js';
import { answerJson } from './answer-json.js';
import { type Access, authorizer } from './auth.js';
import { type BodySource, readJson } from './body.js';
import { renderDocs } from './docs-page.js';
import { ApiError } from './errors.js';
import { buildOpenApi } from './openapi.js';
import { ROUTES, type Route } from './routes.js';
import type { HealthOut } from './schemas.js';

/** Settings of the HTTP app. */
export interface AppOptions {
  keys: { writeKey: string; adminKey: string };
  /** Size limit of batch bodies; single events are limited to 64 KiB. */
  maxBodyBytes: number;
  version: string;
  /** True while the server shuts down: new requests get 503. */
  draining?: () => boolean;
}

const SINGLE_LIMIT = 64 * 1024;
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'Authorization, Content-Type, Content-Encoding',
  'access-control-max-age': '86400',
};
const JSON_ONLY = Object.freeze({ 'content-type': 'application/json' });
const JSON_CORS = Object.freeze({ ...JSON_ONLY, ...CORS_HEADERS });

/**
 * The HTTP API as a Hono app: authentication, body limits, the error envelope and metrics around
 * the route table. It holds no business logic; handlers call the engine.
 */
export function createApp(engine: Engine, options: AppOptions): Hono {
  const app = new Hono();
  const requests = engine.metrics.counter(
    'cartwise_http_requests_total',
    'HTTP requests by route, method and status',
  );
  const latency = engine.metrics.histogram(
    'cartwise_http_request_duration_seconds',
    'HTTP request latency by route and method',
    LATENCY_BUCKETS,
  );
  const authorize = authorizer(options.keys);
  const started = Date.now();
  const openapi = buildOpenApi(ROUTES, options.version);
  const docs = renderDocs(openapi);

  /**
   * Runs a handler with the shutdown check, the error envelope and the metrics around it. A handler
   * that answers synchronously stays synchronous (the node adapter's fast path).
   */
  const respond = (c: Context, route: string, work: () => Response | Promise<Response>) => {
    const t0 = performance.now();
    const done = (res: Response) => {
      requests.inc({ route, method: c.req.method, status: String(res.status) });
      latency.observe((performance.now() - t0) / 1000, { route, method: c.req.method });
      return res;
    };
    if (options.draining?.())
      return done(failure(c, new ApiError('unavailable', 'the server is shutting down; retry shortly')));
    try {
      const res = work();
      return res instanceof Promise ? res.then(done, (err: unknown) => done(failure(c, err))) : done(res);
    } catch (err) {
      return done(failure(c, err));
    }
  };

  for (const route of ROUTES) {
    const limit = route.body?.size === 'batch' ? options.maxBodyBytes : SINGLE_LIMIT;
    app.on(route.method.toUpperCase(), route.path, (c) =>
      respond(c, route.path, async () => {
        authorize(c.req.header('authorization') ?? null, route.access);
        const body = route.body ? await readJson(bodySource(c), limit) : undefined;
        const query = route.query ? parseQuery(route, c.req.query()) : {};
        const result = await route.handler({
          engine,
          params: c.req.param() as Record<string, string>,
          query,
          body,
        });
        // A Response with plain headers, not c.body: Hono turns several headers into a Headers
        // object, which the node adapter then converts back, at a cost on every list request.
        return new Response(answerJson(result), { status: 200, headers: route.cors ? JSON_CORS : JSON_ONLY });
      }),
    );
    if (route.cors)
      app.options(route.path, (c) => respond(c, route.path, () => c.body(null, 204, CORS_HEADERS)));
  }

  const publicGet = (path: string, access: Access, handler: (c: Context) => Response) =>
    app.get(path, (c) =>
      respond(c, path, () => {
        authorize(c.req.header('authorization') ?? null, access);
        return handler(c);
      }),
    );
  publicGet('/healthz', 'public', (c) =>
    c.json({
      status: 'ok',
      version: options.version,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
    } satisfies z.infer<typeof HealthOut>),
  );
  publicGet('/metrics', 'admin', (c) =>
    c.text(engine.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
  publicGet('/openapi.json', 'public', (c) => c.json(openapi));
  publicGet('/docs', 'public', (c) => c.html(docs));
  app.get('/', (c) => respond(c, '/', () => c.redirect('/docs')));

  app.notFound((c) =>
    respond(c, 'unmatched', () => {
      const allowed = ROUTES.filter((r) => matches(r.path, c.req.path)).map((r) => r.method.toUpperCase());
      const error = allowed.length
        ? new ApiError(
            'method_not_allowed',
            `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(', ')}`,
          )
        : new ApiError('not_found', `no endpoint ${c.req.method} ${c.req.path}; see /docs`);
      return c.json(error.toJSON(), error.status, allowed.length ? { allow: allowed.join(', ') } : undefined);
    }),
  );
  // Errors outside a handler (Hono's own), in the same envelope.
  app.onError((err, c) => failure(c, err));
  return app;
}

/** The error envelope of any failure: known errors keep their status, the rest is logged and 500. */
function failure(c: Context, err: unknown): Response {
  let error: ApiError;
  if (err instanceof ApiError) error = err;
  else if (err instanceof InvalidInput) error = new ApiError('invalid_request', err.message, err.details);
  else if (err instanceof BanditError || err instanceof ExperimentError)
    error = new ApiError(
      err.status === 404 ? 'not_found' : err.status === 409 ? 'conflict' : 'invalid_request',
      err.message,
    );
  else if (err instanceof ServingError)
    error = new ApiError(
      err.status === 404 ? 'not_found' : 'invalid_request',
      err.message,
      err.field ?? null,
    );
  else {
    console.error(`cartwise: ${c.req.method} ${c.req.path} failed:`, err);
    error = new ApiError(
      'internal',
      'internal error; nothing of this request was stored unless it was acknowledged',
    );
  }
  return c.json(error.toJSON(), error.status);
}

function bodySource(c: Context): BodySource {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return {
    header: (name) => c.req.header(name),
    body: incoming ?? (c.req.raw.body as AsyncIterable<Uint8Array> | null),
  };
}

function parseQuery(route: Route, raw: Record<string, string>): Record<string, unknown> {
  const parsed = route.query!.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ApiError(
      'invalid_request',
      `${issue.path.join('.') || 'query'}: ${issue.message}`,
      parsed.error.issues,
    );
  }
  return parsed.data;
}

function matches(pattern: string, path: string): boolean {
  const a = pattern.split('/');
  const b = path.split('/');
  return a.length === b.length && a.every((part, i) => (part.startsWith(':') ? b[i] !== '' : part === b[i]));
}
