import { existsSync, readFileSync } from 'node:fs';
import { replaceJsonFile } from '../store/durable-file.js';

/** The definitions (experiments, bandits) a service keeps in a JSON file; none before the first. */
export function readDefinitions<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T[];
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

/** Replaces the file's definitions durably, so a crash leaves the old list or the new one. */
export function writeDefinitions(file: string, values: readonly unknown[]): void {
  replaceJsonFile(file, values);
}
