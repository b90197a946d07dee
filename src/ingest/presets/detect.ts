import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatOf, plainName } from '../files/file-format.js';
import { readFirstLine } from '../files/text-file.js';
import { CARTWISE_MANIFEST } from './cartwise.js';
import { parseCsvHeader } from './csv-header.js';
import { looksLikeDiginetica } from './diginetica.js';
import { kindFromName } from './generic.js';
import { isDirectory, listFiles } from './input-paths.js';
import { looksLikeMovieLens, MOVIELENS_FILES } from './movielens.js';
import type { PresetName } from './preset.js';
import { PRESET_NAMES } from './registry.js';

/**
 * Guessing the preset of a path when `--preset` is not given, from names and the first line only:
 * a Cartwise directory (manifest), MovieLens file names, an Online Retail header, Segment-style
 * JSON Lines (objects with a `type`), then generic files named events/items/users. Basket lists and
 * interaction files look like any CSV, so they need `--preset`.
 */

/** The preset that reads a path; throws a one-line error naming the path and the `--preset` choices. */
export async function detectPreset(path: string): Promise<PresetName> {
  if (await isDirectory(path)) {
    if (existsSync(join(path, CARTWISE_MANIFEST))) return 'cartwise';
    const files = await listFiles(path);
    if (looksLikeMovieLens(files)) return 'movielens';
    if (files.some((f) => formatOf(f) && kindFromName(f))) return 'generic';
    throw undetected(
      path,
      'a directory without a cartwise-store.json, MovieLens files or events/items/users files',
    );
  }
  const name = plainName(path);
  if (name === CARTWISE_MANIFEST) return 'cartwise';
  if (MOVIELENS_FILES.includes(name)) return 'movielens';
  const format = formatOf(path);
  if (format === 'csv' || format === 'tsv') {
    const header = parseCsvHeader(await readFirstLine(path), format === 'tsv' ? '\t' : ',');
    if (/^invoice(no)?$/i.test(header[0] ?? '') && /^stockcode$/i.test(header[1] ?? ''))
      return 'online-retail';
    if (header[0] === 'userId' && header[1] === 'movieId') return 'movielens';
    if (looksLikeDiginetica(await readFirstLine(path))) return 'diginetica';
  }
  if (format === 'jsonl') {
    try {
      const first = JSON.parse(await readFirstLine(path));
      const kind = kindFromName(path);
      if (typeof first?.type === 'string' && (kind === null || kind === 'event')) return 'segment';
    } catch {
      // not JSON on the first line: let the name decide
    }
  }
  if (format && kindFromName(path)) return 'generic';
  throw undetected(path, 'no preset recognizes its name or first line');
}

function undetected(path: string, why: string): Error {
  return new Error(
    `${path}: cannot tell what it holds (${why}); pass --preset with one of ${PRESET_NAMES.join(', ')}`,
  );
}
