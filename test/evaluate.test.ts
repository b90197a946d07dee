import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `cartwise evaluate` end to end on a generated store: protocols, JSON shape, errors. */

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../dist/cli/bin.js');
const root = mkdtempSync(join(tmpdir(), 'cartwise-evaluate-'));
const data = join(root, 'data');
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cartwise(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  const store = join(root, 'store');
  expect(
    (
      await cartwise([
        'generate',
        '--users',
        '400',
        '--items',
        '120',
        '--days',
        '60',
        '--seed',
        '5',
        '--out',
        store,
      ])
    ).code,
  ).toBe(0);
  expect((await cartwise(['import', '--data', data, store])).code).toBe(0);
});

describe('cartwise evaluate', () => {
  it('prints the documented JSON: lower-case metric keys with mean and interval, fit and recommend times', async () => {
    const out = await cartwise([
      'evaluate',
      '--data',
      data,
      '--protocol',
      'holdout',
      '--models',
      'popularity,itemknn,ials',
      '--k',
      '5,10',
      '--json',
      '--params',
      'ials.factors=8,ials.iterations=5',
    ]);
    expect(out.stderr).toBe('');
    const report = JSON.parse(out.stdout);
    expect(report.protocol).toBe('holdout');
    expect(report.results.map((r: { model: string }) => r.model)).toEqual(['popularity', 'itemknn', 'ials']);
    const ials = report.results[2];
    expect(ials.params).toMatchObject({ factors: 8, iterations: 5 });
    for (const key of [
      'precision@5',
      'recall@10',
      'nrecall@10',
      'ndcg@10',
      'map@5',
      'hitrate@5',
      'mrr',
      'coverage@10',
      'novelty@10',
      'popularity@10',
      'diversity@5',
    ]) {
      expect(ials.metrics[key].ci).toHaveLength(2);
    }
    expect(ials.fitSeconds).toBeGreaterThan(0);
    expect(ials.recommendMs).toBeGreaterThan(0);
    expect(report.results[1].metrics['ndcg@10'].mean).toBeGreaterThan(
      report.results[0].metrics['ndcg@10'].mean,
    );
  });

  it('runs the other ranking protocols and prints a readable table', async () => {
    for (const protocol of ['temporal', 'leave-last-out', 'strong-generalization']) {
      const out = await cartwise([
        'evaluate',
        '--data',
        data,
        '--protocol',
        protocol,
        '--models',
        'popularity,itemknn',
        '--k',
        '10',
        '--negatives',
        '50',
      ]);
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/\| metric\s+\|\s+popularity \|\s+itemknn \|/);
      expect(out.stdout).toMatch(/\| ndcg@10\s+\|\s+0\.\d{4} ±0\.\d{4} \|/);
    }
  });

  it('cross-validates rating models with RMSE and MAE', async () => {
    const out = await cartwise([
      'evaluate',
      '--data',
      data,
      '--protocol',
      'kfold',
      '--folds',
      '3',
      '--models',
      'baseline',
      '--json',
    ]);
    const report = JSON.parse(out.stdout);
    expect(report.protocol).toBe('kfold (3 folds)');
    expect(report.results[0].metrics.rmse.mean).toBeGreaterThan(0.3);
    expect(report.results[0].metrics.rmse.mean).toBeLessThan(1.6);
  });

  it('refuses bad requests with one line naming the flag', async () => {
    expect(
      await cartwise(['evaluate', '--data', data, '--protocol', 'nope', '--models', 'ials']),
    ).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/--protocol: "nope" is not one of kfold, holdout/),
    });
    expect(
      await cartwise(['evaluate', '--data', data, '--protocol', 'holdout', '--models', 'ials,wat']),
    ).toMatchObject({ code: 1, stderr: expect.stringMatching(/unknown model "wat"/) });
    expect(
      await cartwise(['evaluate', '--data', data, '--protocol', 'kfold', '--models', 'ials']),
    ).toMatchObject({ code: 1, stderr: expect.stringMatching(/ials does not predict ratings/) });
    expect(
      await cartwise([
        'evaluate',
        '--data',
        data,
        '--protocol',
        'holdout',
        '--models',
        'ials',
        '--params',
        'ials.factor=3',
      ]),
    ).toMatchObject({ code: 1, stderr: expect.stringMatching(/unknown parameter "factor"/) });
    expect(await cartwise(['evaluate', '--data', data, '--protocol', 'holdout'])).toMatchObject({ code: 2 });
  });
});
