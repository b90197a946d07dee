import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliOutput } from '../../../test/cli-output.js';

/** `cartwise rules` end to end through runCli, on temporary files and on Groceries. */

const root = mkdtempSync(join(tmpdir(), 'cartwise-rules-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const GROCERIES = resolve(import.meta.dirname, '../../../../shared/datasets/groceries/groceries.csv');

const run = cliOutput();
const cli = (...args: string[]) => run(['rules', ...args]);

function file(name: string, text: string): string {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
}

// The SKEWED example of association-rules.test.ts with names: a 5, b 4, c 3, d 2 of 8 baskets.
const BASKETS = file('baskets.csv', 'a,b\nb,a\na,b\na,c\na\nc,d\nd,c\nb\n');
const ROWS = file(
  'orders.csv',
  'order_id,product\n1,a\n1,b\n2,b\n2,a\n3,a\n3,b\n3,a\n4,a\n4,c\n5,a\n6,c\n6,d\n7,d\n7,c\n8,b\n',
);
const EXPECTED = {
  transactions: 8,
  items: 4,
  itemsets: 6,
  rules: [
    { lhs: ['d'], rhs: ['c'], support: 0.25, confidence: 1, lift: 8 / 3, count: 2, conviction: null },
    { lhs: ['c'], rhs: ['d'], support: 0.25, confidence: 2 / 3, lift: 8 / 3, count: 2 },
    { lhs: ['b'], rhs: ['a'], support: 0.375, confidence: 0.75, lift: 1.2, count: 3 },
    { lhs: ['a'], rhs: ['b'], support: 0.375, confidence: 0.6, lift: 1.2, count: 3 },
  ],
};

describe('cartwise rules', () => {
  it('prints the rules of a basket file as JSON, sorted by lift; conviction is null for exact rules', async () => {
    const out = await cli(
      '--input',
      BASKETS,
      '--min-support',
      '0.25',
      '--min-confidence',
      '0.5',
      '--min-len',
      '2',
      '--json',
    );
    expect(out).toMatchObject({ code: 0, stderr: '' });
    const json = JSON.parse(out.stdout);
    expect(Object.keys(json)).toEqual(['transactions', 'items', 'itemsets', 'rules']);
    expect(json).toMatchObject(EXPECTED);
    expect(Object.keys(json.rules[0]).sort()).toEqual(
      ['confidence', 'conviction', 'count', 'leverage', 'lhs', 'lift', 'rhs', 'support'].sort(),
    );
    expect(json.rules[0].leverage).toBeCloseTo(0.15625, 12);
    expect(json.rules[1].conviction).toBeCloseTo(2.25, 12);
  });

  it('reads transaction,item rows (detected from the two columns) exactly like the same baskets', async () => {
    const args = ['--min-support', '0.25', '--min-confidence', '0.5', '--min-len', '2', '--json'];
    const rows = JSON.parse((await cli('--input', ROWS, ...args)).stdout);
    expect(rows).toEqual(JSON.parse((await cli('--input', BASKETS, ...args)).stdout));
    const forced = await cli('--input', ROWS, '--preset', 'groceries', ...args);
    expect(JSON.parse(forced.stdout).transactions).toBe(16); // the header becomes a basket too
  });

  it('sorts, limits and keeps {} => {y} rules with the default minimum length', async () => {
    const base = ['--input', BASKETS, '--min-support', '0.25', '--min-confidence', '0.5', '--json'];
    const bySupport = JSON.parse((await cli(...base, '--sort', 'support', '--limit', '2')).stdout);
    expect(bySupport.rules.map((r: { lhs: string[]; rhs: string[] }) => `${r.lhs}=>${r.rhs}`)).toEqual([
      '=>a',
      '=>b',
    ]);
    const byConfidence = JSON.parse((await cli(...base, '--sort', 'confidence')).stdout);
    expect(byConfidence.rules).toHaveLength(6); // 4 above, {} => {a} (5/8) and {} => {b} (4/8)
    expect(byConfidence.rules[0]).toMatchObject({ lhs: ['d'], rhs: ['c'] });
    const short = JSON.parse((await cli(...base, '--max-len', '1')).stdout);
    expect(short.rules).toEqual([
      expect.objectContaining({ lhs: [], rhs: ['a'], confidence: 0.625, lift: 1, leverage: 0 }),
      expect.objectContaining({ lhs: [], rhs: ['b'], confidence: 0.5, lift: 1, leverage: 0 }),
    ]);
  });

  it('prints a summary line and a table for people', async () => {
    const out = await cli(
      '--input',
      BASKETS,
      '--min-support',
      '0.25',
      '--min-confidence',
      '0.5',
      '--min-len',
      '2',
    );
    expect(out.code).toBe(0);
    const lines = out.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^baskets\.csv \(groceries\): 8 transactions, 4 items, 6 frequent itemsets, 4 rules in \d+\.\d\d s$/,
    );
    expect(out.stdout).toContain('Top 4 by lift:');
    expect(out.stdout).toMatch(
      /\| 1 \| \{d\} +\| \{c\} +\| +0\.250000 \| +1\.0000 \| +2\.6667 \| .*\| +Inf \| +2 \|/,
    );
    const none = await cli('--input', BASKETS, '--min-support', '0.5'); // a 5/8 and b 4/8 only, confidence 0.8
    expect(none.stdout).toContain('0 rules');
    expect(none.stdout).toContain('no rules: lower --min-support or --min-confidence');
  });

  it('names the flag at fault in a one-line message, exit 2 for bad usage and 1 for unreadable input', async () => {
    const cases: [string[], number, string][] = [
      [[], 2, 'cartwise rules: --input: required, the basket file'],
      [
        ['--input', BASKETS, '--min-support', 'abc'],
        2,
        'cartwise rules: --min-support: "abc" must be a number in (0, 1]',
      ],
      [
        ['--input', BASKETS, '--min-support', '0'],
        2,
        'cartwise rules: --min-support: "0" must be a number in (0, 1]',
      ],
      [
        ['--input', BASKETS, '--min-confidence', '1.5'],
        2,
        'cartwise rules: --min-confidence: "1.5" must be a number in [0, 1]',
      ],
      [
        ['--input', BASKETS, '--min-len', '0'],
        2,
        'cartwise rules: --min-len: "0" must be a whole number >= 1',
      ],
      [
        ['--input', BASKETS, '--max-len', 'x'],
        2,
        'cartwise rules: --max-len: "x" must be a whole number >= 1',
      ],
      [
        ['--input', BASKETS, '--min-len', '3', '--max-len', '2'],
        2,
        'cartwise rules: --max-len: 2 is below --min-len 3',
      ],
      [
        ['--input', BASKETS, '--sort', 'count'],
        2,
        'cartwise rules: --sort: "count" is not lift, confidence or support',
      ],
      [['--input', BASKETS, '--limit', '0'], 2, 'cartwise rules: --limit: "0" must be a whole number >= 1'],
      [
        ['--input', BASKETS, '--preset', 'csv'],
        2,
        'cartwise rules: --preset: "csv" is not groceries or transactions',
      ],
      [
        ['--input', join(root, 'missing.csv')],
        1,
        `cartwise rules: --input: cannot read ${join(root, 'missing.csv')} (ENOENT)`,
      ],
      [
        ['--input', file('bad.csv', 'order,item\n1,a\n2\n'), '--preset', 'transactions'],
        1,
        'cartwise rules: --input: line 3 needs a transaction id and an item id',
      ],
    ];
    for (const [args, code, message] of cases) {
      expect(await cli(...args)).toEqual({ code, stdout: '', stderr: message });
    }
    const unknown = await cli('--input', BASKETS, '--support', '0.1');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^cartwise rules: .*--support/);
  });

  it('has --help and is listed by cartwise --help', async () => {
    expect((await cli('--help')).stdout).toMatch(/^Usage: cartwise rules --input FILE/);
    expect((await run(['--help'])).stdout).toMatch(/rules +mine association rules/);
  });

  it.skipIf(!existsSync(GROCERIES))(
    "reproduces Lantz's 463 Groceries rules, {herbs} => {root vegetables} first by lift",
    async () => {
      const out = await cli(
        '--input',
        GROCERIES,
        '--min-support',
        '0.006',
        '--min-confidence',
        '0.25',
        '--min-len',
        '2',
        '--json',
      );
      const json = JSON.parse(out.stdout);
      expect(json).toMatchObject({ transactions: 9835, items: 169, itemsets: 747 });
      expect(json.rules).toHaveLength(463);
      expect(json.rules[0]).toMatchObject({ lhs: ['herbs'], rhs: ['root vegetables'], count: 69 });
      expect(json.rules[0].lift).toBeCloseTo(3.956477, 6);
    },
  );
});
