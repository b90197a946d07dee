import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The definitions (experiments, bandits) a service keeps in a JSON file; none before the first. */
export function readDefinitions<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T[];
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

/** Replaces the file's definitions in one rename, so a crash leaves the old list or the new one. */
export function writeDefinitions(file: string, values: readonly unknown[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(values, null, 2));
  renameSync(`${file}.tmp`, file);
}
