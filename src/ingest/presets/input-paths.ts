import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileError } from '../files/text-file.js';

/** Paths given on the command line: files, or directories whose files a preset picks by name. */

/** True for a directory, false for a file; a one-line error naming the path when it does not exist. */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (e) {
    throw fileError(path, e as NodeJS.ErrnoException);
  }
}

/** The regular files directly inside a directory, sorted by name so imports are reproducible. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    throw fileError(dir, e);
  });
  return entries
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort()
    .map((name) => join(dir, name));
}
