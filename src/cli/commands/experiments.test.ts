import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cliOutput } from '../../../test/cli-output.js';
import { analyze } from '../../stats/analyze.js';

/** `cartwise experiments` end to end through runCli. */

const root = mkdtempSync(join(tmpdir(), 'cartwise-experiments-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = cliOutput();
const cli = (...args: string[]) => run(['experiments', ...args]);

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
      stderr:
        'cartwise experiments: a subcommand is required: analyze, list, create, start, stop, results, assign',
    });
    expect((await cli('asign')).stderr).toBe(
      'cartwise experiments: unknown subcommand "asign"; subcommands: analyze, list, create, start, stop, results, assign',
    );
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('cartwise experiments analyze --input FILE|- [--json]');
    expect(help.stdout).toContain(
      'cartwise experiments assign --seed S --user U [--weights 0.5,0.5] [--coverage 1] [--hash-version 2]',
    );
    for (const flag of ['--seed', '--user', '--weights', '--coverage', '--hash-version', '--namespace'])
      expect(help.stdout).toContain(`\n${flag} `);
  });

  it('rejects flags that belong to another subcommand', async () => {
    expect(await cli('analyze', '--input', file('p.json', PROPORTION), '--seed', 's')).toMatchObject({
      code: 2,
      stderr: 'cartwise experiments: --seed: not an option of "experiments analyze" (see --help)',
    });
  });
});

describe('cartwise experiments assign', () => {
  // Expected hashes are GrowthBook's published cases: hash("seed", "a", 2) = 0.0505,
  // hash("seed", "b", 2) = 0.2696, hash("b", "a", 1) = 0.946; user "1" is outside ["namespace1", 0, 0.4).
  it('prints the hash and the variant as JSON', async () => {
    const out = await cli('assign', '--seed', 'seed', '--user', 'a', '--json');
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(out.stdout)).toEqual({ hash: 0.0505, variant: 0 });
    const b = await cli('assign', '--seed', 'seed', '--user', 'b', '--weights', '0.2,0.8', '--json');
    expect(JSON.parse(b.stdout)).toEqual({ hash: 0.2696, variant: 1 });
    const v1 = await cli('assign', '--seed', 'b', '--user', 'a', '--hash-version', '1', '--json');
    expect(JSON.parse(v1.stdout)).toEqual({ hash: 0.946, variant: 1 });
  });

  it('rescales weights that do not sum to 1', async () => {
    // 1,3 -> 25/75: hash 0.2696 falls in [0.25, 1), variant 1 (0.3,0.7 would give variant 0)
    const out = await cli('assign', '--seed', 'seed', '--user', 'b', '--weights', '1,3', '--json');
    expect(JSON.parse(out.stdout)).toEqual({ hash: 0.2696, variant: 1 });
    const three = await cli('assign', '--seed', 'seed', '--user', 'b', '--weights', '0.1,0.1,0.8', '--json');
    expect(JSON.parse(three.stdout).variant).toBe(2);
  });

  it('prints variant -1 outside the coverage or the namespace', async () => {
    const out = await cli('assign', '--seed', 'seed', '--user', 'b', '--coverage', '0.5', '--json');
    expect(JSON.parse(out.stdout)).toEqual({ hash: 0.2696, variant: -1 });
    const ns = await cli('assign', '--seed', 's', '--user', '1', '--namespace', 'namespace1,0,0.4', '--json');
    expect(JSON.parse(ns.stdout).variant).toBe(-1);
    const inside = await cli(
      'assign',
      '--seed',
      's',
      '--user',
      '1',
      '--namespace',
      'namespace1,0.4,1',
      '--json',
    );
    expect(JSON.parse(inside.stdout).variant).toBeGreaterThanOrEqual(0);
  });

  it('answers in one line without --json', async () => {
    expect((await cli('assign', '--seed', 'seed', '--user', 'a')).stdout).toBe(
      'user "a": variant 0 (hash 0.0505, seed "seed", hash version 2)',
    );
    expect((await cli('assign', '--seed', 'seed', '--user', 'b', '--coverage', '0.5')).stdout).toBe(
      'user "b": not in the experiment, outside the coverage (hash 0.2696, seed "seed", hash version 2)',
    );
  });

  it('names the flag on bad input', async () => {
    const fails = async (args: string[], stderr: string) =>
      expect(await cli('assign', ...args)).toMatchObject({
        code: 2,
        stdout: '',
        stderr: `cartwise experiments: ${stderr}`,
      });
    await fails(
      ['--user', 'u'],
      "--seed: required (the experiment's hash seed; GrowthBook's default is the experiment key)",
    );
    await fails(['--seed', 's'], '--user: required (the unit id to assign, e.g. a user id)');
    await fails(
      ['--seed', 's', '--user', 'u', '--weights', '0.5,abc'],
      '--weights: "abc" is not a number (expected e.g. 0.5,0.5)',
    );
    await fails(
      ['--seed', 's', '--user', 'u', '--weights=-0.5,1.5'],
      '--weights: -0.5 is negative; weights must be >= 0',
    );
    await fails(
      ['--seed', 's', '--user', 'u', '--weights', '1'],
      '--weights: give at least two weights (control first)',
    );
    await fails(
      ['--seed', 's', '--user', 'u', '--weights', '0,0'],
      '--weights: weights must not all be zero',
    );
    await fails(
      ['--seed', 's', '--user', 'u', '--coverage', '1.5'],
      '--coverage: "1.5" must be a number between 0 and 1',
    );
    await fails(
      ['--seed', 's', '--user', 'u', '--coverage', 'all'],
      '--coverage: "all" must be a number between 0 and 1',
    );
    await fails(['--seed', 's', '--user', 'u', '--hash-version', '3'], '--hash-version: "3" must be 1 or 2');
    await fails(
      ['--seed', 's', '--user', 'u', '--namespace', 'ns,0.6,0.2'],
      '--namespace: "ns,0.6,0.2" must be id,start,end with 0 <= start < end <= 1 (e.g. checkout,0,0.5)',
    );
    await fails(
      ['--seed', 's', '--user', 'u', '--namespace', 'ns'],
      '--namespace: "ns" must be id,start,end with 0 <= start < end <= 1 (e.g. checkout,0,0.5)',
    );
    await fails(
      ['--seed', 's', '--user', 'u', '--input', 'x.json'],
      '--input: not an option of "experiments assign" (see --help)',
    );
  });
});

describe('experiments on a store', () => {
  it('creates, starts, lists, reads results and stops, naming what is wrong', async () => {
    const data = join(root, 'store');
    const definition = file('exp.json', {
      key: 'banner',
      variants: [{ key: 'control' }, { key: 'banner' }],
      goal: { type: 'conversion' },
    });
    expect(await cli('create', '--input', definition, '--data', data)).toMatchObject({
      code: 0,
      stdout: 'created banner (draft)',
    });
    const bad = await cli(
      'create',
      '--input',
      file('bad.json', { key: 'b', variants: [], goal: {} }),
      '--data',
      data,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/variants: needs at least two variants/);
    expect(await cli('start', 'banner', '--data', data)).toMatchObject({ code: 0, stdout: 'banner running' });
    expect((await cli('start', 'banner', '--data', data)).stderr).toMatch(/already running/);
    const listed = await cli('list', '--data', data, '--json');
    expect(JSON.parse(listed.stdout)).toMatchObject([{ key: 'banner', status: 'running' }]);
    const results = await cli('results', 'banner', '--data', data);
    expect(results.code).toBe(0);
    expect(results.stdout).toMatch(
      /^banner \(running, frequentist, 14-day window\): control 0, banner 0 units/,
    );
    expect(results.stdout).toMatch(/warning \(too-few-units\)/);
    expect(await cli('stop', 'banner', '--data', data)).toMatchObject({ code: 0, stdout: 'banner stopped' });
    expect((await cli('results', '--data', data)).stderr).toMatch(/the experiment key is required/);
    expect((await cli('results', 'nope', '--data', data)).stderr).toMatch(/experiment "nope" does not exist/);
  });
});
