import { readFileSync } from 'node:fs';
import { loadConfig } from '../../config.js';
import {
  type Assignment,
  assign,
  type HashVersion,
  type Namespace,
  normalizeWeights,
} from '../../decide/experiment-assignment.js';
import type { ExperimentResults } from '../../decide/experiment-results.js';
import type { Engine } from '../../engine.js';
import { AnalyzeInputError, type AnalyzeOutput, analyze, type VariantResult } from '../../stats/analyze.js';
import { CliError, type Command, type CommandArgs } from '../command.js';
import { viaEngineOrServer } from '../engine-or-server.js';

/** One `cartwise experiments <name>` subcommand. */
interface Subcommand {
  summary: string;
  usage: string;
  /** Takes one positional argument (the experiment key). */
  key?: boolean;
  /** The flags it reads; any other flag given is a usage error. */
  flags: string[];
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

/** A decimal number as typed on a command line ("0.5", "-1", "1e-3"); NaN for anything else. */
function decimal(text: string): number {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
}

/** The string value of a flag, or undefined when it was not given. */
function stringFlag(args: CommandArgs, name: string): string | undefined {
  const raw = args.values[name];
  return raw === undefined ? undefined : String(raw);
}

/** --weights: comma-separated non-negative numbers, rescaled to sum to 1; default 0.5,0.5. */
function weightsFlag(args: CommandArgs): number[] {
  const text = stringFlag(args, 'weights');
  if (text === undefined) return [0.5, 0.5];
  const parts = text.split(',');
  const weights = parts.map((part) => {
    const w = decimal(part);
    if (Number.isNaN(w))
      throw new CliError(`--weights: "${part.trim()}" is not a number (expected e.g. 0.5,0.5)`, 2);
    if (w < 0) throw new CliError(`--weights: ${part.trim()} is negative; weights must be >= 0`, 2);
    return w;
  });
  if (weights.length < 2) throw new CliError('--weights: give at least two weights (control first)', 2);
  if (weights.every((w) => w === 0)) throw new CliError('--weights: weights must not all be zero', 2);
  return normalizeWeights(weights);
}

/** --coverage: the share of units that enter, in [0, 1]; default 1. */
function coverageFlag(args: CommandArgs): number {
  const text = stringFlag(args, 'coverage');
  if (text === undefined) return 1;
  const c = decimal(text);
  if (!(c >= 0 && c <= 1)) throw new CliError(`--coverage: "${text}" must be a number between 0 and 1`, 2);
  return c;
}

/** --hash-version: 1 or 2; default 2. */
function hashVersionFlag(args: CommandArgs): HashVersion {
  const text = stringFlag(args, 'hash-version');
  if (text === undefined) return 2;
  if (text.trim() === '1' || text.trim() === '2') return Number(text) as HashVersion;
  throw new CliError(`--hash-version: "${text}" must be 1 or 2`, 2);
}

/** --namespace id,start,end (the id may itself contain commas); 0 <= start < end <= 1. */
function namespaceFlag(args: CommandArgs): Namespace | null {
  const text = stringFlag(args, 'namespace');
  if (text === undefined) return null;
  const parts = text.split(',');
  const usage = `--namespace: "${text}" must be id,start,end with 0 <= start < end <= 1 (e.g. checkout,0,0.5)`;
  if (parts.length < 3) throw new CliError(usage, 2);
  const end = decimal(parts.pop()!);
  const start = decimal(parts.pop()!);
  const id = parts.join(',');
  if (id === '' || !(start >= 0 && start < end && end <= 1)) throw new CliError(usage, 2);
  return [id, start, end];
}

/** A required, non-empty string flag. */
function requiredFlag(args: CommandArgs, name: string, what: string): string {
  const text = stringFlag(args, name);
  if (text === undefined || text === '') throw new CliError(`--${name}: required (${what})`, 2);
  return text;
}

const EXCLUSION_TEXT: Record<NonNullable<Assignment['excludedBy']>, string> = {
  variants: 'fewer than two variants',
  unit: 'empty unit id',
  namespace: 'outside its namespace slice',
  targeting: 'fails the targeting condition',
  hashVersion: 'unknown hash version',
  coverage: 'outside the coverage',
};

const SUBCOMMANDS: Record<string, Subcommand> = {
  analyze: {
    summary: 'compare every arm with the control (arm 0) from per-arm sufficient statistics',
    usage: 'cartwise experiments analyze --input FILE|- [--json]',
    flags: ['input', 'json'],
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
  list: {
    summary: 'the experiments of the store, with status and exposed units',
    usage: 'cartwise experiments list [--data DIR] [--json]',
    flags: ['data', 'json'],
    async run(args) {
      const { experiments } = await onStore(
        args,
        async (engine) => ({ experiments: engine.experiments.list() }),
        { method: 'GET', path: '/v1/experiments' },
      );
      if (args.values.json) console.log(JSON.stringify(experiments));
      else
        for (const e of experiments)
          console.log(
            `${e.key}  ${e.status}  ${e.variants.map((v) => v.key).join(' / ')}  goal ${e.goal.type}`,
          );
      return 0;
    },
  },
  create: {
    summary: 'create an experiment (or replace a draft) from a JSON definition',
    usage: 'cartwise experiments create --input FILE [--data DIR]',
    flags: ['input', 'data', 'json'],
    async run(args) {
      const body = await readInput(args);
      const e = await onStore(args, async (engine) => engine.experiments.put(body), {
        method: 'POST',
        path: '/v1/experiments',
        body,
      });
      console.log(args.values.json ? JSON.stringify(e) : `created ${e.key} (${e.status})`);
      return 0;
    },
  },
  start: {
    summary: 'start assigning units',
    usage: 'cartwise experiments start KEY [--data DIR]',
    key: true,
    flags: ['data'],
    async run(args) {
      const key = keyOf(args);
      const e = await onStore(args, async (engine) => engine.experiments.start(key), {
        method: 'POST',
        path: `/v1/experiments/${encodeURIComponent(key)}/start`,
      });
      console.log(`${e.key} ${e.status}`);
      return 0;
    },
  },
  stop: {
    summary: 'stop assigning new units',
    usage: 'cartwise experiments stop KEY [--data DIR]',
    key: true,
    flags: ['data'],
    async run(args) {
      const key = keyOf(args);
      const e = await onStore(args, async (engine) => engine.experiments.stop(key), {
        method: 'POST',
        path: `/v1/experiments/${encodeURIComponent(key)}/stop`,
      });
      console.log(`${e.key} ${e.status}`);
      return 0;
    },
  },
  results: {
    summary: 'per-variant metrics, effects, intervals, SRM and warnings from the stored events',
    usage: 'cartwise experiments results KEY [--data DIR] [--json]',
    key: true,
    flags: ['data', 'json'],
    async run(args) {
      const key = keyOf(args);
      const r = await onStore(args, (engine) => engine.experiments.results(key), {
        method: 'GET',
        path: `/v1/experiments/${encodeURIComponent(key)}/results`,
      });
      console.log(args.values.json ? JSON.stringify(r) : renderResults(r));
      return 0;
    },
  },
  assign: {
    summary:
      'the variant a user gets, exactly as GrowthBook SDKs assign it (hash, weights, coverage, namespace)',
    usage:
      'cartwise experiments assign --seed S --user U [--weights 0.5,0.5] [--coverage 1] [--hash-version 2] [--namespace id,start,end] [--json]',
    flags: ['seed', 'user', 'weights', 'coverage', 'hash-version', 'namespace', 'json'],
    async run(args) {
      const seed = requiredFlag(
        args,
        'seed',
        "the experiment's hash seed; GrowthBook's default is the experiment key",
      );
      const user = requiredFlag(args, 'user', 'the unit id to assign, e.g. a user id');
      const weights = weightsFlag(args);
      const coverage = coverageFlag(args);
      const hashVersion = hashVersionFlag(args);
      const namespace = namespaceFlag(args);
      const result = assign(
        { key: seed, seed, hashVersion, variants: weights.length, weights, coverage, namespace },
        user,
      );
      if (args.values.json) {
        console.log(JSON.stringify({ hash: result.hash, variant: result.variant }));
      } else {
        const where = `hash ${result.hash}, seed ${JSON.stringify(seed)}, hash version ${hashVersion}`;
        console.log(
          result.inExperiment
            ? `user ${JSON.stringify(user)}: variant ${result.variant} (${where})`
            : `user ${JSON.stringify(user)}: not in the experiment, ${EXCLUSION_TEXT[result.excludedBy!]} (${where})`,
        );
      }
      return 0;
    },
  },
};

/** Runs an experiment use case on the store (or the running server) for `--data`. */
function onStore<T>(
  args: CommandArgs,
  local: (engine: Engine) => Promise<T>,
  remote: { method: 'GET' | 'POST'; path: string; body?: unknown },
): Promise<T> {
  return viaEngineOrServer(loadConfig({ data: args.values.data as string }), local, remote);
}

const keyOf = (args: CommandArgs) => {
  const key = args.positionals[1];
  if (!key) throw new CliError('the experiment key is required', 2);
  return key;
};

/** Results as tables: one per metric, one row per variant, then the SRM check and the warnings. */
export function renderResults(r: ExperimentResults): string {
  const lines = [
    `${r.experiment} (${r.status}, ${r.engine}, ${r.windowDays}-day window): ${r.variants.map((v) => `${v.key} ${v.units}`).join(', ')} units`,
    `SRM: p = ${probability(r.srm.pValue)}${r.srm.alarm ? ' ALARM' : ''}`,
  ];
  for (const m of r.metrics) {
    lines.push('', `${m.role} ${m.name} (per ${m.unit === 'units' ? 'unit' : 'impression'})`);
    lines.push('| variant | n | value | effect | interval | p-value | chance to win |');
    lines.push('| --- | ---: | ---: | ---: | --- | ---: | ---: |');
    for (const v of m.variants) {
      const ci = v.ci
        ? `${v.ci[0] === null ? '-inf' : percent(v.ci[0])} .. ${v.ci[1] === null ? '+inf' : percent(v.ci[1])}`
        : '';
      lines.push(
        `| ${v.key} | ${v.units} | ${v.value === null ? '-' : plain(v.value)} | ${v.effect === null ? '' : percent(v.effect)} | ${ci} | ${v.pValue === null ? '' : probability(v.pValue)} | ${v.chanceToWin === null ? '' : v.chanceToWin.toFixed(4)} |${v.error ? ` ${v.error}` : ''}`,
      );
    }
  }
  if (r.warnings.length > 0) lines.push('', ...r.warnings.map((w) => `warning (${w.code}): ${w.message}`));
  return lines.join('\n');
}

const NAMES = Object.keys(SUBCOMMANDS).join(', ');

/** `cartwise experiments <subcommand>`: one command for experiment work, subcommands in SUBCOMMANDS. */
export const experimentsCommand: Command = {
  name: 'experiments',
  summary:
    'experiments: define, start, stop, read results; assign (GrowthBook-compatible); analyze (gbstats)',
  usage: 'cartwise experiments <subcommand> [options]',
  details: [
    'Subcommands:',
    ...Object.values(SUBCOMMANDS).map((s) => `  ${s.usage}\n      ${s.summary}`),
    '',
    'list, create, start, stop, results: on the store of --data DIR (default $CARTWISE_DATA or ./data), or',
    'through the running server when it holds the database. create --input takes the body of',
    'POST /v1/experiments (see /docs).',
    '',
    'assign:',
    '--seed S            hash seed of the experiment (GrowthBook uses the experiment key when no seed is set)',
    '--user U            unit id to assign (user id, anonymous id...)',
    '--weights W,W,...   traffic split, control first (default 0.5,0.5); rescaled to sum to 1, so 1,3 means',
    '                    25/75 (GrowthBook itself would split equally when weights do not sum to 1)',
    '--coverage C        share of units in the experiment, 0..1 (default 1)',
    '--hash-version V    1 or 2 (default 2, what GrowthBook uses for new experiments)',
    '--namespace id,s,e  only units whose namespace hash is in [s, e) can enter (mutually exclusive tests)',
    '--json              {"hash": h, "variant": i}; variant is -1 when the user is not in the experiment',
    '',
    'analyze:',
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
    data: { type: 'string' },
    input: { type: 'string' },
    json: { type: 'boolean' },
    seed: { type: 'string' },
    user: { type: 'string' },
    weights: { type: 'string' },
    coverage: { type: 'string' },
    'hash-version': { type: 'string' },
    namespace: { type: 'string' },
  },
  positionals: true,
  async run(args) {
    const [name, ...rest] = args.positionals;
    if (!name) throw new CliError(`a subcommand is required: ${NAMES}`, 2);
    const sub = SUBCOMMANDS[name];
    if (!sub) throw new CliError(`unknown subcommand "${name}"; subcommands: ${NAMES}`, 2);
    if (rest.length > (sub.key ? 1 : 0))
      throw new CliError(`unexpected argument "${rest.at(-1)}" (see "cartwise experiments --help")`, 2);
    const stray = Object.keys(args.values).find(
      (flag) => args.values[flag] !== undefined && !sub.flags.includes(flag),
    );
    if (stray) throw new CliError(`--${stray}: not an option of "experiments ${name}" (see --help)`, 2);
    return sub.run(args);
  },
};
