import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKeys } from './keys.js';

const root = mkdtempSync(join(tmpdir(), 'cartwise-keys-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const none = { writeKey: null, adminKey: null };

describe('loadKeys', () => {
  it('generates both keys once, keeps them private in the data directory, and reuses them', () => {
    const dir = join(root, 'a');
    const first = loadKeys(dir, none);
    expect(first.generated).toBe(true);
    expect(first.writeKey).toMatch(/^cw_write_[\w-]{24}$/);
    expect(first.adminKey).toMatch(/^cw_admin_[\w-]{32}$/);
    expect(statSync(join(dir, 'keys.json')).mode & 0o777).toBe(0o600);
    expect(loadKeys(dir, none)).toEqual({ ...first, generated: false });
  });

  it('prefers keys from the environment', () => {
    const dir = join(root, 'b');
    const keys = loadKeys(dir, { writeKey: 'w'.repeat(20), adminKey: 'a'.repeat(20) });
    expect(keys).toEqual({ writeKey: 'w'.repeat(20), adminKey: 'a'.repeat(20), generated: false });
  });

  it('refuses a corrupt key file and equal keys with a clear message', () => {
    const dir = join(root, 'c');
    loadKeys(dir, none);
    writeFileSync(join(dir, 'keys.json'), '{oops');
    expect(() => loadKeys(dir, none)).toThrow(/keys\.json: is not valid JSON/);
    expect(() => loadKeys(join(root, 'd'), { writeKey: 'x'.repeat(20), adminKey: 'x'.repeat(20) })).toThrow(
      /must differ/,
    );
    expect(readFileSync(join(dir, 'keys.json'), 'utf8')).toBe('{oops');
  });
});
