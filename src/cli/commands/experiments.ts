import { readFileSync } from 'node:fs';
import { AnalyzeInputError, type AnalyzeOutput, analyze, type VariantResult } from '../../stats/analyze.js';
import { CliError, type Command, type CommandArgs } from '../command.js';

/** One `cartwise experiments <name>` subcommand. */
interface Subcommand {
  summary: string;
  usage: string;
  run(args: CommandArgs): Promise<number>;
}

/** The whole of stdin, for `--input -`. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The JSON document named by --input (a file, or - for stdin). */
async function readInput(args: CommandArgs): Promise<unknown> {
  const path = args.values.input;
  if (typeof path !== 'string' || path === '')
    throw new CliError('--input: required (a JSON file, or - for stdin)', 2);
  let text: string;
  try {
    text = path === '-' ? await readStdin() : readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(
      `--input: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `--input: ${path === '-' ? 'stdin' : path} is not valid JSON (${(error as Error).message})`,
    );
  }
}

const percent = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;
const plain = (x: number) =>
  Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(3) : x.toFixed(4);
const probability = (p: number) => (p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

/** One table row per treatment arm: effect and interval, then the engine's own columns. */
export function renderAnalysis(output: AnalyzeOutput, input: { relative?: boolean; alpha?: number }): string {
  const relative = input.relative ?? true;
  const level = `${Math.round((1 - (input.alpha ?? 0.05)) * 1000) / 10}% interval`;
  const number = relative ? percent : plain;
  const bound = (x: number | null, side: string) => (x === null ? side : number(x));
  const bayesian = output.variants.some((v) => v.chanceToWin !== null);
  const header = ['arm', relative ? 'lift' : 'difference', 'std. error', level];
  header.push(...(bayesian ? ['chance to win', 'risk (control)', 'risk (arm)'] : ['p-value']));
  const rows = output.variants.map((v: VariantResult, i) => {
    const row = [
      String(i + 1),
      number(v.effect),
      number(v.se),
      `${bound(v.ci[0], '-inf')} .. ${bound(v.ci[1], '+inf')}`,
    ];
    if (bayesian)
      row.push(probability(v.chanceToWin ?? 0.5), number(v.risk?.[0] ?? 0), number(v.risk?.[1] ?? 0));
    else row.push(probability(v.pValue ?? 1));
    return v.error ? [...row.slice(0, 1), ...row.slice(1).map(() => '-'), `(${v.error})`] : row;
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const fmt = (r: string[]) =>
    `| ${r
      .slice(0, header.length)
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join(' | ')} |${r.length > header.length ? ` ${r[header.length]}` : ''}`;
  return [
    fmt(header),
    `| ${widths.map((w, c) => (c === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`,
    ...rows.map(fmt),
  ].join('\n');
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  analyze: {
    summary: 'compare every arm with the control (arm 0) from per-arm sufficient statistics',
    usage: 'cartwise experiments analyze --input FILE|- [--json]',
    async run(args) {
      const raw = await readInput(args);
      let output: AnalyzeOutput;
      try {
        output = analyze(raw);
      } catch (error) {
        if (error instanceof AnalyzeInputError) throw new CliError(`--input: ${error.problems.join('; ')}`);
        throw error;
      }
      const settings = (raw ?? {}) as { relative?: boolean; alpha?: number };
      console.log(args.values.json ? JSON.stringify(output) : renderAnalysis(output, settings));
      return 0;
    },
  },
};

const NAMES = Object.keys(SUBCOMMANDS).join(', ');

/** `cartwise experiments <subcommand>`: one command for experiment work, subcommands in SUBCOMMANDS. */
export const experimentsCommand: Command = {
  name: 'experiments',
  summary: 'experiment statistics: analyze A/B test results (GrowthBook gbstats conventions)',
  usage: 'cartwise experiments <subcommand> [options]',
  details: [
    'Subcommands:',
    ...Object.values(SUBCOMMANDS).map((s) => `  ${s.usage}\n      ${s.summary}`),
    '',
    '--input FILE        JSON input; - reads stdin. Example:',
    '                    {"type":"proportion","engine":"frequentist","arms":[{"n":5000,"sum":410},{"n":5100,"sum":470}]}',
    '                    type mean|proportion|ratio, engine frequentist|bayesian; optional: relative (true),',
    '                    alpha (0.05), alternative two-sided|greater|less, sequential {"tuning":5000},',
    '                    prior {"mean":0,"variance":0.09} (bayesian), cuped (false; arms then carry pre and',
    '                    sumProductPre). Arm shapes: mean {n,sum,sumSquares}; proportion {n,sum}; ratio',
    '                    {n,numerator:{sum,sumSquares},denominator:{sum,sumSquares},sumProduct}.',
    '--json              {"variants":[{"effect","se","ci","pValue","chanceToWin","risk","error"}]}',
  ].join('\n'),
  options: {
    input: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: true,
  async run(args) {
    const [name, ...rest] = args.positionals;
    if (!name) throw new CliError(`a subcommand is required: ${NAMES}`, 2);
    const sub = SUBCOMMANDS[name];
    if (!sub) throw new CliError(`unknown subcommand "${name}"; subcommands: ${NAMES}`, 2);
    if (rest.length > 0)
      throw new CliError(`unexpected argument "${rest[0]}" (see "cartwise experiments --help")`, 2);
    return sub.run(args);
  },
};
