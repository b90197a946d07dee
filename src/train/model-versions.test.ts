import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Artifact } from '../models/recommend/contract.js';
import { decodeArtifact, encodeArtifact } from './artifact-file.js';
import { ModelVersions } from './model-versions.js';

const artifact: Artifact = {
  name: 'ials',
  params: { factors: 2 },
  meta: { users: 3, note: 'ü' },
  arrays: {
    a: Float32Array.of(1.5, -2, Number.NaN),
    b: Float64Array.of(Math.PI),
    c: Uint32Array.of(1, 2, 3, 4, 5),
    d: Int32Array.of(-7),
    empty: new Float32Array(0),
  },
};

describe('artifact files', () => {
  it('round-trip every array type bit for bit, each array aligned for its type', () => {
    const back = decodeArtifact(encodeArtifact(artifact), 'x.bin');
    expect(back.name).toBe('ials');
    expect(back.params).toEqual({ factors: 2 });
    expect(back.meta).toEqual({ users: 3, note: 'ü' });
    for (const [key, array] of Object.entries(artifact.arrays)) {
      expect(back.arrays[key]!.constructor).toBe(array.constructor);
      expect(Array.from(back.arrays[key]!)).toEqual(Array.from(array));
    }
  });

  it('names what is wrong with a file that is not an artifact', () => {
    expect(() => decodeArtifact(Buffer.from([1, 0]), 'f.bin')).toThrow(
      'f.bin: not an artifact file (too short)',
    );
    expect(() => decodeArtifact(Buffer.from([200, 0, 0, 0, 1]), 'f.bin')).toThrow(/bad header length/);
    const bytes = encodeArtifact(artifact);
    expect(() => decodeArtifact(bytes.subarray(0, bytes.length - 8), 'f.bin')).toThrow(
      'f.bin: array "d" lies outside the file',
    );
  });
});

describe('ModelVersions', () => {
  it('publishes whole versions, points at the newest, and prunes all but the newest and current', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-versions-'));
    const versions = new ModelVersions(join(dir, 'models'));
    expect(versions.current()).toBeNull();
    expect(versions.list()).toEqual([]);
    for (const v of ['v1', 'v2', 'v3'])
      versions.publish(v, {
        manifest: { version: v },
        artifacts: { 'm.bin': artifact },
        json: { 'ids.json': [v] },
      });
    expect(versions.current()).toBe('v3');
    expect(versions.manifest<{ version: string }>('v2')).toEqual({ version: 'v2' });
    expect(versions.readJson('v1', 'ids.json')).toEqual(['v1']);
    expect(Array.from(versions.readArtifact('v3', 'm.bin').arrays.c!)).toEqual([1, 2, 3, 4, 5]);

    // A crash while writing leaves a staging directory or a version without its manifest: neither counts.
    mkdirSync(join(dir, 'models', '.staging-v4'));
    mkdirSync(join(dir, 'models', 'v5'));
    expect(versions.list()).toEqual(['v1', 'v2', 'v3']);
    // A pointer naming a version that is not whole counts as no version.
    writeFileSync(join(dir, 'models', 'current.json'), '{"version":"v5"}');
    expect(versions.current()).toBeNull();
    writeFileSync(join(dir, 'models', 'current.json'), '{"version":"v1"}');

    expect(versions.prune(1).sort()).toEqual(['v2']);
    expect(versions.list()).toEqual(['v1', 'v3']);
    expect(JSON.parse(readFileSync(join(dir, 'models', 'current.json'), 'utf8'))).toEqual({ version: 'v1' });
  });
});
