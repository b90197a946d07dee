import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileError } from '../files/text-file.js';
import { isDirectory } from './input-paths.js';
import type { ImportRecord, InputFile, Preset, PresetContext } from './preset.js';
import { jsonObjectsOf, rejectAt } from './read-source.js';
import { jsonLinesColumns, segmentEvents } from './segment.js';

/**
 * Directories written by `cartwise generate` (and by exports of a Cartwise store): a manifest
 * `cartwise-store.json` naming JSON Lines files of items, users and events. Items and users are
 * imported first, so the catalog exists when the events that reference it arrive.
 */

/** Name of the manifest that marks a Cartwise data directory. */
export const CARTWISE_MANIFEST = 'cartwise-store.json';

const KINDS = ['items', 'users', 'events'] as const;

interface Manifest {
  format: 'cartwise-store';
  version: number;
  /** File names relative to the manifest; a list when a kind is split into several files. */
  files: Partial<Record<(typeof KINDS)[number], string | string[]>>;
}

async function readManifest(path: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8'); // a few hundred bytes
  } catch (e) {
    throw fileError(path, e as NodeJS.ErrnoException);
  }
  let manifest: Partial<Manifest>;
  try {
    manifest = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: invalid JSON (${(e as Error).message})`);
  }
  if (manifest?.format !== 'cartwise-store') throw new Error(`${path}: not a cartwise-store manifest`);
  if (manifest.version !== 1) {
    throw new Error(`${path}: unsupported cartwise-store version ${manifest.version} (this version reads 1)`);
  }
  if (typeof manifest.files !== 'object' || manifest.files === null) throw new Error(`${path}: no "files"`);
  return manifest as Manifest;
}

/** The manifest of a path: the directory's manifest, or the manifest file itself. */
async function manifestPath(path: string): Promise<string> {
  return (await isDirectory(path)) ? join(path, CARTWISE_MANIFEST) : path;
}

/** The `cartwise` preset. */
export const cartwisePreset: Preset = {
  name: 'cartwise',
  summary: `directories written by \`cartwise generate\` (with a ${CARTWISE_MANIFEST} manifest)`,
  async files(paths) {
    const files: InputFile[] = [];
    for (const path of paths) {
      const manifestFile = await manifestPath(path);
      const manifest = await readManifest(manifestFile);
      for (const kind of KINDS) {
        const names = manifest.files[kind];
        for (const name of typeof names === 'string' ? [names] : (names ?? [])) {
          files.push({ path: join(dirname(manifestFile), name), role: kind });
        }
      }
    }
    return files;
  },
  columns: (file) => jsonLinesColumns(file.path),
  async *read(files, ctx) {
    for (const { path, role } of files) {
      if (role === 'events') yield* segmentEvents(path, ctx, 'cartwise');
      else yield* entities(path, ctx, role === 'items' ? 'item' : 'user');
    }
  },
};

async function* entities(
  file: string,
  ctx: PresetContext,
  kind: 'item' | 'user',
): AsyncGenerator<ImportRecord> {
  for await (const entry of jsonObjectsOf(file, ctx)) {
    if ('error' in entry) yield rejectAt(file, entry.line, kind, '(line)', entry.error);
    else yield { kind, raw: ctx.options.map.keys(entry.value), file, line: entry.line };
  }
}
