import { parseArgs } from 'node:util';
import { ConfigError } from '../config.js';
import { StoreLockedError } from '../engine.js';
import { VERSION } from '../version.js';
import { CliError, type Command } from './command.js';
import { demo } from './commands/demo.js';
import { evaluateCommand } from './commands/evaluate.js';
import { experimentsCommand } from './commands/experiments.js';
import { generate } from './commands/generate.js';
import { importCommand } from './commands/import.js';
import { recommendCommand } from './commands/recommend.js';
import { rulesCommand } from './commands/rules.js';
import { serve } from './commands/serve.js';
import { stats } from './commands/stats.js';
import { trainCommand } from './commands/train.js';

/** Every command, in the order `cartwise --help` lists them. */
export const COMMANDS: Command[] = [
  demo,
  serve,
  importCommand,
  generate,
  stats,
  trainCommand,
  recommendCommand,
  evaluateCommand,
  rulesCommand,
  experimentsCommand,
];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `cartwise ${VERSION}: a marketing engine for online stores`,
    '',
    'Usage: cartwise <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "cartwise <command> --help" for its options.',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [
    `Usage: ${c.usage}`,
    '',
    `${c.summary[0]!.toUpperCase()}${c.summary.slice(1)}.`,
    '',
    c.details,
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainHelp());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    console.log(VERSION);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`cartwise: unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(commandHelp(command));
    return 0;
  }
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs({
      args: rest,
      options: command.options,
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
  } catch (error) {
    console.error(
      `cartwise ${name}: ${(error as Error).message.split('\n')[0]} (see "cartwise ${name} --help")`,
    );
    return 2;
  }
  try {
    return await command.run({ values: args.values, positionals: args.positionals });
  } catch (error) {
    if (error instanceof CliError) {
      console.error(`cartwise ${name}: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof ConfigError || error instanceof StoreLockedError) {
      console.error(`cartwise ${name}: ${error.message}`);
      return 1;
    }
    console.error(`cartwise ${name}: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.CARTWISE_DEBUG) console.error(error);
    return 1;
  }
}
