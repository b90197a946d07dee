import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Engine } from '../engine.js';
import { type AppOptions, createApp } from './app.js';

/** A listening API server. */
export interface RunningServer {
  url: string;
  port: number;
  /**
   * Stops accepting connections, answers 503 to requests that still arrive on open connections,
   * waits for in-flight requests (their events get committed), then closes the engine.
   */
  close(): Promise<void>;
}

/** Serves the API of `engine` on `host:port` (port 0 picks a free one). */
export async function startServer(
  engine: Engine,
  options: Omit<AppOptions, 'draining'> & { host: string; port: number },
): Promise<RunningServer> {
  // Catalog, model version, recent activity and trending into memory before the first request.
  await engine.startServing();
  let draining = false;
  let inFlight = 0;
  let idle: (() => void) | null = null;
  const app = createApp(engine, { ...options, draining: () => draining });
  const server = serve({
    // Counts requests in flight without making a synchronous answer wait a turn of the event loop.
    fetch: (request, env) => {
      inFlight++;
      const done = () => {
        if (--inFlight === 0) idle?.();
      };
      let answer: Response | Promise<Response>;
      try {
        answer = app.fetch(request, env);
      } catch (error) {
        done();
        throw error;
      }
      if (answer instanceof Promise) return answer.finally(done);
      done();
      return answer;
    },
    hostname: options.host,
    port: options.port,
  }) as Server;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${options.port} is already in use; pick another with --port`)
          : error,
      ),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const shown = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${shown}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        draining = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (inFlight > 0)
          await new Promise<void>((resolve) => {
            idle = resolve;
          });
        server.closeAllConnections();
        await closed;
        await engine.close();
      })();
      return closing;
    },
  };
}
