import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Artifact } from '../models/recommend/contract.js';
import { syncDirectory, writeDurably } from '../store/durable-file.js';
import { decodeArtifact, encodeArtifact } from './artifact-file.js';

/**
 * Trained models on disk: `<dir>/<version>/` holds a manifest, the id maps and one file per
 * artifact; `<dir>/current.json` names the version being served. A version is written in full
 * (files and directory fsynced) under a temporary name and renamed into place before the pointer
 * moves, so a crash leaves either the old version or the new one current, never half of one.
 */
export class ModelVersions {
  constructor(readonly dir: string) {}

  /** The version the pointer names, or null before the first training. */
  current(): string | null {
    const file = join(this.dir, 'current.json');
    if (!existsSync(file)) return null;
    const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
    return existsSync(join(this.dir, version, 'manifest.json')) ? version : null;
  }

  /** Versions on disk, oldest first. */
  list(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir, { withFileTypes: true })
      .filter(
        (e) =>
          e.isDirectory() && !e.name.startsWith('.') && existsSync(join(this.dir, e.name, 'manifest.json')),
      )
      .map((e) => e.name)
      .sort();
  }

  /**
   * Writes a complete version and makes it current: artifacts (binary) and JSON values by file
   * name, the manifest last. Returns the version name.
   */
  publish(
    version: string,
    content: { manifest: unknown; artifacts: Record<string, Artifact>; json: Record<string, unknown> },
  ): string {
    mkdirSync(this.dir, { recursive: true });
    const staging = join(this.dir, `.staging-${version}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging);
    for (const [name, artifact] of Object.entries(content.artifacts))
      writeDurably(join(staging, name), encodeArtifact(artifact));
    for (const [name, value] of Object.entries(content.json)) writeDurably(join(staging, name), json(value));
    writeDurably(join(staging, 'manifest.json'), json(content.manifest));
    syncDirectory(staging);
    renameSync(staging, join(this.dir, version));
    syncDirectory(this.dir);
    const pointer = join(this.dir, 'current.json.tmp');
    writeDurably(pointer, json({ version }));
    renameSync(pointer, join(this.dir, 'current.json'));
    syncDirectory(this.dir);
    return version;
  }

  /** A version's manifest. */
  manifest<M>(version: string): M {
    return JSON.parse(readFileSync(join(this.dir, version, 'manifest.json'), 'utf8')) as M;
  }

  /** A JSON file of a version. */
  readJson<T>(version: string, name: string): T {
    return JSON.parse(readFileSync(join(this.dir, version, name), 'utf8')) as T;
  }

  /** An artifact file of a version. */
  readArtifact(version: string, name: string): Artifact {
    const path = join(this.dir, version, name);
    return decodeArtifact(readFileSync(path), path);
  }

  /** Deletes all but the newest `keep` versions; the current one always stays. */
  prune(keep: number): string[] {
    const current = this.current();
    const versions = this.list();
    const doomed = versions.slice(0, Math.max(0, versions.length - keep)).filter((v) => v !== current);
    for (const v of doomed) rmSync(join(this.dir, v), { recursive: true, force: true });
    return doomed;
  }
}

const json = (value: unknown) => Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
