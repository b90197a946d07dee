import { afterEach, beforeEach, type MockInstance, vi } from 'vitest';
import { runCli } from '../src/cli/main.js';

/**
 * Runs `cartwise ...args` in process and captures what it prints, for CLI tests. Call at the top of
 * a test file: it installs the console spies around every test.
 */
export function cliOutput(): (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }> {
  let log: MockInstance<typeof console.log>;
  let error: MockInstance<typeof console.error>;
  beforeEach(() => {
    log = vi.spyOn(console, 'log').mockImplementation(() => {});
    error = vi.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());
  return async (args) => {
    log.mockClear();
    error.mockClear();
    const code = await runCli(args);
    return {
      code,
      stdout: log.mock.calls.map((c) => c.join(' ')).join('\n'),
      stderr: error.mock.calls.map((c) => c.join(' ')).join('\n'),
    };
  };
}
