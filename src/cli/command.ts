import type { ParseArgsConfig } from 'node:util';

/** A failure to report as one line and a non-zero exit (1 = the work failed, 2 = bad usage). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Parsed flags and positionals of one command. */
export interface CommandArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** A `cartwise <name>` command: its flags, its help text, and what it does. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Lines describing each flag, shown by --help. */
  details: string;
  options: NonNullable<ParseArgsConfig['options']>;
  positionals?: boolean;
  /** Resolves with the exit code, or never for long-running commands that exit on a signal. */
  run(args: CommandArgs): Promise<number>;
}

/** Reads a positive integer flag, naming the flag when it is not one. */
export function intFlag(args: CommandArgs, name: string, fallback: number, min = 1): number {
  const raw = args.values[name];
  if (raw === undefined) return fallback;
  const text = String(raw);
  if (!/^\d+$/.test(text) || Number(text) < min)
    throw new CliError(`--${name}: "${text}" must be a whole number >= ${min}`, 2);
  return Number(text);
}
