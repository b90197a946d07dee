import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, startCartwise, TEST_KEYS } from './server-process.js';

/** The `cartwise` command as users meet it: help, errors, the demo and its printed examples. */

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../dist/cli/bin.js');
const root = mkdtempSync(join(tmpdir(), 'cartwise-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('cartwise', () => {
  it('has --help on every command and one-line errors with exit codes', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['demo', 'serve', 'import', 'generate', 'stats', 'train', 'recommend', 'rules']) {
      expect(help.stdout).toContain(command);
      const own = await cli([command, '--help']);
      expect(own.code).toBe(0);
      expect(own.stdout).toMatch(new RegExp(`^Usage: cartwise ${command}`));
    }
    expect(await cli(['nope'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown command "nope"/),
    });
    expect(await cli(['serve', '--bogus'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^cartwise serve: .*--bogus/),
    });
    expect(await cli(['generate', '--users', 'many', '--out', join(root, 'g')])).toMatchObject({
      code: 2,
      stderr: 'cartwise generate: --users: "many" must be a whole number >= 1\n',
    });
    expect(await cli(['import', '--data', join(root, 'x'), join(root, 'missing.csv')])).toMatchObject({
      code: 1,
    });
  });

  it('runs the demo: generates, imports, serves, prints working examples, and restarts from its store', async () => {
    const data = join(root, 'demo');
    const args = [
      'demo',
      '--data',
      data,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--users',
      '300',
      '--items',
      '60',
      '--days',
      '30',
    ];
    const demo = await startCartwise(args, { CARTWISE_WRITE_KEY: '', CARTWISE_ADMIN_KEY: '' });
    await new Promise((r) => setTimeout(r, 300));
    const text = demo.output();
    expect(text).toMatch(/generated [\d,]+ events of 300 shoppers and 60 items/);
    expect(text).toMatch(/ready in \d+s/);
    expect(text).toMatch(/trained models:\nversion v\d{8}-\d{6}: [\d,]+ shoppers/);
    // The printed recommendation examples work as printed.
    const recsUrl = /curl "(http:\/\/\S+\/v1\/users\/\S+\/recommendations\?k=5)"/.exec(text)![1]!;
    const admin = /admin key\s+(\S+)/.exec(text)![1]!;
    const write = /write key\s+(\S+)/.exec(text)![1]!;
    expect(admin).not.toBe(TEST_KEYS.admin);
    // The printed curl examples work as printed.
    const profileUrl = /curl (http:\/\/\S+\/v1\/users\/\S+) -H/.exec(text)![1]!;
    const profile = await fetch(profileUrl, { headers: { authorization: `Bearer ${admin}` } });
    expect(profile.status).toBe(200);
    const recs = await fetch(recsUrl, { headers: { authorization: `Bearer ${admin}` } });
    expect(((await recs.json()) as { items: unknown[] }).items).toHaveLength(5);
    const similarUrl = /curl "(http:\/\/\S+\/similar\?k=5)"/.exec(text)![1]!;
    const similar = await fetch(similarUrl, { headers: { authorization: `Bearer ${write}` } });
    expect(similar.status).toBe(200);
    const track = /-d '(\{"userId".*\})'/.exec(text)![1]!;
    const posted = await fetch(`${demo.url}/v1/track`, {
      method: 'POST',
      headers: { authorization: `Bearer ${write}`, 'content-type': 'application/json' },
      body: track,
    });
    expect(await posted.json()).toMatchObject({ success: true, stored: 1 });
    demo.child.kill('SIGTERM');
    expect(await exited(demo.child)).toBe(0);

    const again = await startCartwise(args, { CARTWISE_WRITE_KEY: '', CARTWISE_ADMIN_KEY: '' });
    await new Promise((r) => setTimeout(r, 300)); // the keys print just after the API line
    expect(again.output()).toMatch(/using the demo store/);
    expect(again.output()).toContain(admin);
    again.child.kill('SIGTERM');
    expect(await exited(again.child)).toBe(0);

    // Batch and one-user lists from the trained version, and a retrain from the command line.
    const user = /\/v1\/users\/([^/\s]+)$/.exec(profileUrl)![1]!;
    const one = await cli(['recommend', '--data', data, '--user', user, '--k', '3']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`^${user}: \\w+ \\(version v`));
    expect(one.stdout.split('\n').filter((l) => /^ {2}\d\. /.test(l))).toHaveLength(3);
    const file = join(root, 'top.jsonl');
    const all = await cli(['recommend', '--data', data, '--all', '--k', '4', '--out', file]);
    expect(all.code).toBe(0);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(100);
    expect(lines.every((l) => l.items.length === 4 && typeof l.items[0].reason === 'string')).toBe(true);
    expect(await cli(['recommend', '--data', data])).toMatchObject({ code: 2 });
    const trained = await cli(['train', '--data', data, '--json']);
    expect(trained.code).toBe(0);
    expect(JSON.parse(trained.stdout).surfaces.personalized).toMatch(/\w/);
  });
});
