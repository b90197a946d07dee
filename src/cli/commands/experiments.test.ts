import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { analyze } from '../../stats/analyze.js';
import { runCli } from '../main.js';

/** `cartwise experiments` end to end through runCli. */

const root = mkdtempSync(join(tmpdir(), 'cartwise-experiments-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let log: MockInstance<typeof console.log>;
let error: MockInstance<typeof console.error>;
beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
  error = vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  log.mockClear();
  error.mockClear();
  const code = await runCli(['experiments', ...args]);
  return {
    code,
    stdout: log.mock.calls.map((c) => c.join(' ')).join('\n'),
    stderr: error.mock.calls.map((c) => c.join(' ')).join('\n'),
  };
}

function file(name: string, value: unknown): string {
  const path = join(root, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

const PROPORTION = {
  type: 'proportion',
  engine: 'frequentist',
  arms: [
    { n: 5000, sum: 410 },
    { n: 5100, sum: 470 },
    { n: 4950, sum: 398 },
  ],
};

describe('cartwise experiments analyze', () => {
  it('prints the analysis as JSON', async () => {
    const out = await cli('analyze', '--input', file('p.json', PROPORTION), '--json');
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(out.stdout)).toEqual(analyze(PROPORTION));
  });

  it('prints a table with one row per arm', async () => {
    const out = await cli('analyze', '--input', file('p.json', PROPORTION));
    expect(out.code).toBe(0);
    const lines = out.stdout.split('\n');
    expect(lines[0]).toMatch(/\| arm \| +lift \| std\. error \| +95% interval \| p-value \|/);
    expect(lines).toHaveLength(4);
    const [first] = analyze(PROPORTION).variants;
    expect(lines[2]).toContain(`+${(first!.effect * 100).toFixed(2)}%`);
    expect(lines[2]).toContain(first!.pValue!.toFixed(4));
  });

  it('shows Bayesian columns, open interval sides and errors', async () => {
    const bayes = await cli(
      'analyze',
      '--input',
      file('b.json', { ...PROPORTION, engine: 'bayesian', relative: false }),
    );
    expect(bayes.stdout.split('\n')[0]).toMatch(
      /difference .*chance to win \| risk \(control\) \| risk \(arm\) \|/,
    );
    const oneSided = await cli(
      'analyze',
      '--input',
      file('g.json', { ...PROPORTION, alternative: 'greater', alpha: 0.1 }),
    );
    expect(oneSided.stdout).toContain('90% interval');
    expect(oneSided.stdout).toContain('.. +inf');
    const flat = await cli(
      'analyze',
      '--input',
      file('z.json', {
        type: 'mean',
        engine: 'frequentist',
        arms: [
          { n: 3, sum: 3, sumSquares: 3 },
          { n: 4, sum: 5, sumSquares: 9 },
        ],
      }),
    );
    expect(flat.stdout).toContain('(ZERO_NEGATIVE_VARIANCE)');
  });

  it('reads stdin with --input -', async () => {
    vi.spyOn(process, 'stdin', 'get').mockReturnValue(
      Readable.from([Buffer.from(JSON.stringify(PROPORTION))]) as unknown as typeof process.stdin,
    );
    const out = await cli('analyze', '--input', '-', '--json');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).variants).toHaveLength(2);
  });

  it('fails with one line naming the problem', async () => {
    const bad = await cli(
      'analyze',
      '--input',
      file('bad.json', {
        ...PROPORTION,
        arms: [
          { n: 10, sum: 1 },
          { n: -1, sum: 1 },
        ],
      }),
    );
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toBe('cartwise experiments: --input: arms[1].n must be a positive integer');
    expect((await cli('analyze', '--input', file('x.json', '{nope'))).stderr).toMatch(
      /x\.json is not valid JSON/,
    );
    expect((await cli('analyze', '--input', join(root, 'missing.json'))).stderr).toMatch(
      /cannot read .*ENOENT/,
    );
    expect(await cli('analyze')).toMatchObject({
      code: 2,
      stderr: 'cartwise experiments: --input: required (a JSON file, or - for stdin)',
    });
  });

  it('lists its subcommands', async () => {
    expect(await cli()).toMatchObject({
      code: 2,
      stderr: 'cartwise experiments: a subcommand is required: analyze',
    });
    expect((await cli('assign')).stderr).toBe(
      'cartwise experiments: unknown subcommand "assign"; subcommands: analyze',
    );
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('cartwise experiments analyze --input FILE|- [--json]');
  });
});
