import { loadConfig } from '../../config.js';
import { Engine } from '../../engine.js';
import type { EvaluationReport, EvaluationRequest } from '../../train/evaluation.js';
import { CliError, type Command, intFlag } from '../command.js';
import { formatCount } from '../progress.js';

const PROTOCOLS = 'kfold, holdout, temporal, leave-last-out, strong-generalization';

/** "10,20,50" -> [10, 20, 50], naming the flag when a value is not a positive integer. */
function intList(text: string, flag: string): number[] {
  const values = text.split(',').map((s) => s.trim());
  if (values.some((v) => !/^\d+$/.test(v) || Number(v) < 1))
    throw new CliError(`--${flag}: "${text}" must be positive whole numbers separated by commas`, 2);
  return values.map(Number);
}

/** "ials.factors=32,ease.lambda=200" -> { ials: { factors: 32 }, ease: { lambda: 200 } }. */
function paramFlags(text: string | undefined): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  if (!text) return out;
  for (const part of text.split(',')) {
    const m = /^\s*([a-z]+)\.(\w+)=(.+?)\s*$/.exec(part);
    if (!m) throw new CliError(`--params: "${part}" is not model.name=value`, 2);
    const raw = m[3]!;
    const value =
      raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(raw)
            ? Number(raw)
            : raw;
    out[m[1]!] = { ...out[m[1]!], [m[2]!]: value };
  }
  return out;
}

/** The human table: one row per metric, one column per model, mean and 95% interval. */
export function renderReport(report: EvaluationReport): string {
  const lines = [
    `${report.protocol}: ${formatCount(report.data.users)} users, ${formatCount(report.data.items)} items, ${formatCount(report.data.events)} events, ${formatCount(report.data.cases)} cases`,
    '',
  ];
  const models = report.results.map((r) => r.model);
  const keys = [...new Set(report.results.flatMap((r) => Object.keys(r.metrics)))];
  const cell = (mean: number, ci: [number, number]) =>
    ci[0] === ci[1] ? mean.toFixed(4) : `${mean.toFixed(4)} ±${((ci[1] - ci[0]) / 2).toFixed(4)}`;
  const rows = keys.map((k) => [
    k,
    ...report.results.map((r) => (r.metrics[k] ? cell(r.metrics[k]!.mean, r.metrics[k]!.ci) : '-')),
  ]);
  rows.push(['fit seconds', ...report.results.map((r) => r.fitSeconds.toFixed(2))]);
  rows.push(['ms per user', ...report.results.map((r) => r.recommendMs.toFixed(3))]);
  const header = ['metric', ...models];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const fmt = (r: string[]) =>
    `| ${r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join(' | ')} |`;
  lines.push(
    fmt(header),
    `| ${widths.map((w, c) => (c === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`,
    ...rows.map(fmt),
  );
  return lines.join('\n');
}

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'fit recommenders on the stored interactions and judge them offline',
  usage:
    'cartwise evaluate [--data DIR] --protocol P --models m1,m2,... [--k 10,20,50,100] [--seed S] [--json]',
  details: [
    `--protocol P        ${PROTOCOLS}`,
    '--models LIST       popularity, trending, latest, itemknn, userknn, ials, bpr, ease, multvae, content,',
    '                    hybrid, baseline, svd, svdpp, nmf, knnbaseline (rating models: kfold or ranking protocols)',
    '--k LIST            cut-offs (default 10,20,50,100)',
    '--seed S            seed of every random choice (default 42)',
    '--params LIST       hyperparameters, e.g. ials.factors=128,ease.lambda=200,hybrid.components=ials+content',
    '--tune N            random search with successive halving, N candidates per model, judged on a',
    '                    validation split carved from the training data (never the test split)',
    '--folds N           kfold: folds (default 5)',
    '--test-fraction F   holdout/temporal: share held out (default 0.2)',
    '--cutoff DATE       temporal: train before this date (default: the last 20% of events are test)',
    '--negatives N       leave-last-out: sampled negatives (default 100)',
    '--heldout-users N   strong-generalization: users removed from training (default 10% of eligible)',
    '--min-user-items N  drop users with fewer distinct items first (default 1)',
    '--min-item-users N  drop items with fewer distinct users first (default 1)',
    '--anonymous         also evaluate shoppers who never identified',
    '--data DIR          data directory (default $CARTWISE_DATA or ./data)',
    '--json              {"protocol", "results":[{"model","params","metrics":{"ndcg@100":{"mean","ci"}},"fitSeconds",...}]}',
    '',
    'Metrics: precision@k, recall@k, nrecall@k (recall over min(k, |test|), Liang et al.), ndcg@k, map@k,',
    'hitrate@k, mrr, coverage@k, novelty@k, popularity@k, diversity@k; kfold: rmse, mae. Rankings cover the',
    'whole catalog minus the user’s training items (strong-generalization: items seen in training).',
  ].join('\n'),
  options: {
    data: { type: 'string' },
    protocol: { type: 'string' },
    models: { type: 'string' },
    k: { type: 'string' },
    seed: { type: 'string' },
    params: { type: 'string' },
    folds: { type: 'string' },
    'test-fraction': { type: 'string' },
    cutoff: { type: 'string' },
    negatives: { type: 'string' },
    'heldout-users': { type: 'string' },
    'min-user-items': { type: 'string' },
    'min-item-users': { type: 'string' },
    anonymous: { type: 'boolean' },
    tune: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args) {
    const v = args.values;
    if (typeof v.protocol !== 'string') throw new CliError(`--protocol: required (${PROTOCOLS})`, 2);
    if (typeof v.models !== 'string' || v.models.trim() === '')
      throw new CliError('--models: required, e.g. --models popularity,ials,ease', 2);
    const fraction = v['test-fraction'] === undefined ? undefined : Number(v['test-fraction']);
    if (fraction !== undefined && !(fraction > 0 && fraction < 1))
      throw new CliError('--test-fraction: must be between 0 and 1', 2);
    const cutoff = v.cutoff === undefined ? undefined : Date.parse(String(v.cutoff));
    if (cutoff !== undefined && Number.isNaN(cutoff))
      throw new CliError(`--cutoff: "${v.cutoff}" is not a date`, 2);
    const request: EvaluationRequest = {
      protocol: v.protocol as EvaluationRequest['protocol'],
      models: v.models.split(',').map((m) => m.trim().toLowerCase()),
      ks: intList(typeof v.k === 'string' ? v.k : '10,20,50,100', 'k'),
      seed: intFlag(args, 'seed', 42, 0),
      params: paramFlags(v.params as string | undefined),
      folds: intFlag(args, 'folds', 5, 2),
      testFraction: fraction,
      cutoff,
      negatives: intFlag(args, 'negatives', 100),
      heldoutUsers: v['heldout-users'] === undefined ? undefined : intFlag(args, 'heldout-users', 1),
      minUserItems: intFlag(args, 'min-user-items', 1),
      minItemUsers: intFlag(args, 'min-item-users', 1),
      includeAnonymous: Boolean(v.anonymous),
      tune: v.tune === undefined ? 0 : intFlag(args, 'tune', 1),
    };
    const engine = await Engine.open(loadConfig({ data: v.data as string }));
    try {
      const report = await engine.evaluate(request, (m) => {
        if (!v.json) process.stderr.write(`  ${m}\n`);
      });
      console.log(v.json ? JSON.stringify(report) : renderReport(report));
      return 0;
    } finally {
      await engine.close();
    }
  },
};
