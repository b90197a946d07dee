import type { Hono } from 'hono';
import { createApp } from '../src/api/app.js';
import { Engine } from '../src/engine.js';

/** The keys of test apps. */
export const TEST_API_KEYS = { writeKey: 'cw_write_testtesttesttest', adminKey: 'cw_admin_testtesttesttest' };

// biome-ignore lint/suspicious/noExplicitAny: responses are navigated freely in assertions
export type Json = Record<string, any>;

/**
 * A real engine on a DuckDB file in `dir` behind the real HTTP app, called in process: what the
 * API tests drive. `reopen` closes and opens it again on the same files (a restart).
 */
export class TestApi {
  private constructor(
    readonly dir: string,
    private readonly settings: unknown,
    public engine: Engine,
    private app: Hono,
  ) {}

  /** Opens the app; `prepare` runs on the engine before serving starts (e.g. to load a store). */
  static async open(
    dir: string,
    settings?: unknown,
    prepare?: (engine: Engine) => Promise<void>,
  ): Promise<TestApi> {
    const engine = await TestApi.engineIn(dir, settings, prepare);
    return new TestApi(dir, settings, engine, TestApi.appOf(engine));
  }

  /** Calls the API with the admin key (or `key`); answers the status and the parsed body. */
  async call(
    method: string,
    path: string,
    body?: unknown,
    key = TEST_API_KEYS.adminKey,
  ): Promise<{ status: number; body: Json }> {
    const res = await this.app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  }

  /** Closes the engine and opens a new one on the same files (with `settings`, else the same ones). */
  async reopen(settings = this.settings): Promise<void> {
    await this.engine.close();
    this.engine = await TestApi.engineIn(this.dir, settings);
    this.app = TestApi.appOf(this.engine);
  }

  close(): Promise<void> {
    return this.engine.close();
  }

  private static async engineIn(
    dir: string,
    settings: unknown,
    prepare?: (engine: Engine) => Promise<void>,
  ): Promise<Engine> {
    const engine = await Engine.open({ storeUrl: `duckdb:${dir}/db.duckdb`, dataDir: dir, settings });
    await prepare?.(engine);
    await engine.startServing();
    return engine;
  }

  private static appOf(engine: Engine): Hono {
    return createApp(engine, { keys: TEST_API_KEYS, maxBodyBytes: 1_000_000, version: 'test' });
  }
}
