import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { IdIndex } from '../../core/ids.js';
import {
  mineRules,
  type Rule,
  type RuleOrder,
  rankRules,
  ruleAt,
  ruleCount,
} from '../../models/rules/association-rules.js';
import { transactionsFrom } from '../../models/rules/fp-growth.js';
import { CliError, type Command, type CommandArgs, intFlag } from '../command.js';
import { formatCount } from '../progress.js';

type Preset = 'groceries' | 'transactions';

/** Baskets read from a file: item indices per basket and the item labels. */
interface Baskets {
  preset: Preset;
  baskets: number[][];
  labels: readonly string[];
}

/** One CSV record: commas separate fields, double quotes protect commas and "" escapes a quote. */
function csvFields(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

/** A header plus two columns on every line looks like `transactions`; anything else is one basket per line. */
function detectPreset(lines: string[]): Preset {
  const sample = lines.slice(0, 1000);
  return sample.length > 1 && sample.every((l) => csvFields(l).length === 2) ? 'transactions' : 'groceries';
}

/** Renumbers items in label order (code points), so rules list their items alphabetically, as arules does. */
function byLabel(baskets: number[][], ids: IdIndex): Baskets['labels'] {
  const labels = [...ids.list()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const to = new Uint32Array(labels.length);
  labels.forEach((label, i) => {
    to[ids.get(label)!] = i;
  });
  for (const basket of baskets) for (let j = 0; j < basket.length; j++) basket[j] = to[basket[j]!]!;
  return labels;
}

/** Parses the file's lines as the preset says; repeats of an item within a basket count once later. */
function parseBaskets(text: string, preset: Preset | undefined): Baskets {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const kind = preset ?? detectPreset(lines);
  const items = new IdIndex();
  if (kind === 'groceries') {
    const baskets = lines.map((line) =>
      csvFields(line)
        .map((f) => f.trim())
        .filter((f) => f !== '')
        .map((f) => items.add(f)),
    );
    return { preset: kind, baskets, labels: byLabel(baskets, items) };
  }
  const transactions = new IdIndex();
  const baskets: number[][] = [];
  for (let i = 1; i < lines.length; i++) {
    const fields = csvFields(lines[i]!).map((f) => f.trim());
    if (fields.length < 2 || fields[0] === '' || fields[1] === '')
      throw new CliError(`--input: line ${i + 1} needs a transaction id and an item id`);
    const t = transactions.add(fields[0]!);
    if (t === baskets.length) baskets.push([]);
    baskets[t]!.push(items.add(fields[1]!));
  }
  return { preset: kind, baskets, labels: byLabel(baskets, items) };
}

/** Reads a number flag within [min, max], naming the flag when it is not one. */
function numberFlag(
  args: CommandArgs,
  name: string,
  fallback: number,
  min: number,
  max: number,
  openMin: boolean,
): number {
  const raw = args.values[name];
  if (raw === undefined) return fallback;
  const text = String(raw);
  const value = /^(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
  if (!(openMin ? value > min : value >= min) || !(value <= max))
    throw new CliError(`--${name}: "${text}" must be a number in ${openMin ? '(' : '['}${min}, ${max}]`, 2);
  return value;
}

/** A rule with item labels, as printed and as JSON. */
function labelled(rule: Rule, labels: readonly string[]) {
  return { ...rule, lhs: rule.lhs.map((i) => labels[i]!), rhs: rule.rhs.map((i) => labels[i]!) };
}

function renderTable(rules: ReturnType<typeof labelled>[]): string {
  const header = ['#', 'lhs', 'rhs', 'support', 'confidence', 'lift', 'leverage', 'conviction', 'count'];
  const rows = rules.map((r, i) => [
    String(i + 1),
    `{${r.lhs.join(', ')}}`,
    `{${r.rhs.join(', ')}}`,
    r.support.toFixed(6),
    r.confidence.toFixed(4),
    r.lift.toFixed(4),
    r.leverage.toFixed(6),
    Number.isFinite(r.conviction) ? r.conviction.toFixed(4) : 'Inf',
    String(r.count),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const left = (c: number) => c === 1 || c === 2;
  const fmt = (r: string[]) =>
    `| ${r.map((v, c) => (left(c) ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join(' | ')} |`;
  return [
    fmt(header),
    `| ${widths.map((w, c) => (left(c) ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`,
    ...rows.map(fmt),
  ].join('\n');
}

/** `cartwise rules`: association rules straight from a file, no store needed. */
export const rulesCommand: Command = {
  name: 'rules',
  summary: 'mine association rules ("bought together") from a basket file',
  usage:
    'cartwise rules --input FILE [--preset groceries|transactions] [--min-support S] [--min-confidence C] [--min-len N] [--max-len N] [--sort lift|confidence|support] [--limit N] [--json]',
  details: [
    '--input FILE         the baskets to mine (read whole into memory)',
    '--preset P           groceries: one basket per line, items separated by commas (e.g. Groceries)',
    '                     transactions: CSV with a header and two columns, transaction id and item id',
    '                     (default: transactions when the first 1,000 lines all have two fields, else groceries)',
    '--min-support S      minimum support of X ∪ Y, a fraction of baskets (default 0.1, as R arules)',
    '--min-confidence C   minimum confidence (default 0.8, as R arules)',
    '--min-len N          fewest items in X ∪ Y (default 1: rules {} => {y} are kept, as R arules)',
    '--max-len N          most items in X ∪ Y (default 10, as R arules)',
    '--sort KEY           lift (default), confidence or support; ties by the other two',
    '--limit N            rules to show (default 10; with --json all rules)',
    '--json               {"transactions","items","itemsets","rules":[{"lhs","rhs","support","confidence",',
    '                     "lift","leverage","conviction","count"}]}; conviction is null when confidence is 1',
    '',
    'Semantics follow R arules apriori(): an itemset is frequent when count >= ceil(n * support), and',
    'the consequent is a single item.',
  ].join('\n'),
  options: {
    input: { type: 'string' },
    preset: { type: 'string' },
    'min-support': { type: 'string' },
    'min-confidence': { type: 'string' },
    'min-len': { type: 'string' },
    'max-len': { type: 'string' },
    sort: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args) {
    const v = args.values;
    if (typeof v.input !== 'string' || v.input === '')
      throw new CliError('--input: required, the basket file', 2);
    if (v.preset !== undefined && v.preset !== 'groceries' && v.preset !== 'transactions')
      throw new CliError(`--preset: "${v.preset}" is not groceries or transactions`, 2);
    const minSupport = numberFlag(args, 'min-support', 0.1, 0, 1, true);
    const minConfidence = numberFlag(args, 'min-confidence', 0.8, 0, 1, false);
    const minLen = intFlag(args, 'min-len', 1);
    const maxLen = intFlag(args, 'max-len', 10);
    if (maxLen < minLen) throw new CliError(`--max-len: ${maxLen} is below --min-len ${minLen}`, 2);
    const sort = (v.sort ?? 'lift') as RuleOrder;
    if (!['lift', 'confidence', 'support'].includes(sort))
      throw new CliError(`--sort: "${v.sort}" is not lift, confidence or support`, 2);
    const limit =
      v.limit === undefined ? (v.json ? Number.POSITIVE_INFINITY : 10) : intFlag(args, 'limit', 10);

    let text: string;
    try {
      text = readFileSync(v.input, 'utf8');
    } catch (error) {
      throw new CliError(
        `--input: cannot read ${v.input} (${(error as NodeJS.ErrnoException).code ?? error})`,
      );
    }
    const { preset, baskets, labels } = parseBaskets(text, v.preset as Preset | undefined);
    const started = performance.now();
    const { itemsets, rules } = mineRules(transactionsFrom(baskets, labels.length), {
      minSupport,
      minConfidence,
      minLen,
      maxLen,
    });
    const order = rankRules(rules, sort);
    const seconds = (performance.now() - started) / 1000;
    const shown = Array.from(order.subarray(0, Math.min(order.length, limit)), (r) =>
      labelled(ruleAt(rules, r), labels),
    );
    if (v.json) {
      console.log(
        JSON.stringify({
          transactions: baskets.length,
          items: labels.length,
          itemsets: itemsets.counts.length,
          rules: shown,
        }),
      );
      return 0;
    }
    console.log(
      `${basename(v.input)} (${preset}): ${formatCount(baskets.length)} transactions, ${formatCount(labels.length)} items, ${formatCount(itemsets.counts.length)} frequent itemsets, ${formatCount(ruleCount(rules))} rules in ${seconds.toFixed(2)} s`,
    );
    if (shown.length === 0) {
      console.log('no rules: lower --min-support or --min-confidence');
      return 0;
    }
    console.log(`\nTop ${shown.length} by ${sort}:\n${renderTable(shown)}`);
    return 0;
  },
};
