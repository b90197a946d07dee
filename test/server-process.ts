import { type ChildProcess, spawn } from 'node:child_process';
import { type Agent, request } from 'node:http';
import { resolve } from 'node:path';

/**
 * Runs the real `cartwise` binary (dist/, built by `npm test` before vitest) as a child process,
 * for tests that need a real server: crashes, signals, sockets.
 */

const BIN = resolve(import.meta.dirname, '../dist/cli/bin.js');

/** Keys the test servers use. */
export const TEST_KEYS = { write: 'cw_write_process_test_key', admin: 'cw_admin_process_test_key' };

/** A spawned server. */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  output: () => string;
}

/** Starts `cartwise <args>` and resolves once it prints its API URL. */
export function startCartwise(args: string[], env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, CARTWISE_WRITE_KEY: TEST_KEYS.write, CARTWISE_ADMIN_KEY: TEST_KEYS.admin, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolvePromise, reject) => {
    const timer = setInterval(() => {
      const m = /API\s+(http:\/\/[^:\s]+:(\d+))\/v1/.exec(out);
      if (m) {
        clearInterval(timer);
        resolvePromise({ child, url: m[1]!, port: Number(m[2]), output: () => out });
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`cartwise ${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
}

/** Waits for a child to exit and returns its exit code (or signal name). */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal ?? -1)));
}

/** A parsed JSON answer, navigated freely in assertions. */
// biome-ignore lint/suspicious/noExplicitAny: test helper
export type Answer = { status: number; body: any };

/** POSTs JSON with the write key over a keep-alive agent; resolves with status and parsed body. */
export function postJson(agent: Agent, port: number, path: string, body: unknown): Promise<Answer> {
  const text = JSON.stringify(body);
  return new Promise((resolvePromise, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: {
          authorization: `Bearer ${TEST_KEYS.write}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        },
      },
      (res) => {
        let data = '';
        res.on('data', (d: Buffer) => {
          data += d.toString();
        });
        res.on('end', () =>
          resolvePromise({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) : null }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}
