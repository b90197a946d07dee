import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The import rules of DESIGN.md section 1, checked on every source file. Type-only imports are
 * free (they vanish at run time); runtime imports must follow the data flow.
 */

const SRC = resolve(import.meta.dirname, '../src');

/** Runtime imports each top-level module may make (besides itself and node/npm packages). */
const ALLOWED: Record<string, string[]> = {
  core: [],
  models: ['core', 'stats', 'eval'],
  stats: ['core'],
  eval: ['core', 'models', 'stats'],
  ingest: ['core'],
  store: ['core'],
  synth: ['core'],
  features: ['core', 'store'],
  train: ['core', 'features', 'models', 'eval', 'store'],
  decide: ['core', 'features', 'models', 'store', 'stats'],
  engine: [
    'core',
    'config',
    'ingest',
    'store',
    'features',
    'models',
    'eval',
    'train',
    'decide',
    'stats',
    'synth',
  ],
  api: ['core', 'engine', 'version', 'ingest/messages', 'ingest/items', 'ingest/ecommerce'],
  // Pure file-in, table-out tools (rule mining, experiment analysis and assignment) call the math directly.
  cli: [
    'core',
    'engine',
    'config',
    'keys',
    'version',
    'api/server',
    'synth',
    'models/rules',
    'stats/analyze',
    'decide/experiment-assignment',
  ],
  dashboard: ['core', 'engine', 'api'],
  config: [],
  keys: [],
  version: [],
  index: ['*'],
};

/** npm packages that only some modules may touch (everything else is free). */
const PACKAGES: Record<string, string[]> = {
  '@duckdb/node-api': ['store', 'ingest/files/parquet'],
  hono: ['api'],
  '@hono/node-server': ['api'],
  '@tensorflow/tfjs-core': ['core/wasm-gemm'],
  '@tensorflow/tfjs-backend-wasm': ['core/wasm-gemm'],
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.ts$/.test(entry.name) && !/\.(test|conformance)\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** `store/duckdb/rows.ts` -> `store`; `engine.ts` -> `engine`. */
const moduleOf = (file: string) => relative(SRC, file).split('/')[0]!.replace(/\.ts$/, '');
const pathOf = (file: string) => relative(SRC, file).replace(/\.ts$/, '');

interface Import {
  from: string;
  target: string;
  typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const found: Import[] = [];
  const pattern = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s+['"]([^'"]+)['"]/gms;
  for (const m of text.matchAll(pattern)) {
    const clause = m[3]!;
    const typeOnly =
      Boolean(m[2]) ||
      (/^\{[^}]*\}$/s.test(clause.trim()) &&
        clause
          .replace(/[{}\s]/g, '')
          .split(',')
          .every((n) => n.startsWith('type')));
    found.push({ from: file, target: m[4]!, typeOnly });
  }
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm))
    found.push({ from: file, target: m[1]!, typeOnly: false });
  return found;
}

const files = sources(SRC);

describe('architecture', () => {
  it('finds the source files', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it('follows the import rules of DESIGN.md', () => {
    const violations: string[] = [];
    for (const file of files) {
      const own = moduleOf(file);
      const rules = ALLOWED[own];
      if (!rules) {
        violations.push(
          `${pathOf(file)}: top-level module "${own}" has no rule in test/architecture.test.ts`,
        );
        continue;
      }
      for (const imp of importsOf(file)) {
        if (imp.typeOnly) continue;
        if (imp.target.startsWith('.')) {
          const targetPath = pathOf(resolve(dirname(file), imp.target.replace(/\.js$/, '.ts')));
          const targetModule = targetPath.split('/')[0]!;
          if (targetModule === own || rules.includes('*')) continue;
          const ok = rules.some(
            (r) => r === targetModule || targetPath === r || targetPath.startsWith(`${r}/`),
          );
          if (!ok)
            violations.push(
              `${pathOf(file)} imports ${targetPath} (${own} may use: ${rules.join(', ') || 'nothing of ours'})`,
            );
        } else {
          const pkg = imp.target.startsWith('@')
            ? imp.target.split('/').slice(0, 2).join('/')
            : imp.target.split('/')[0]!;
          const owners = PACKAGES[pkg];
          if (
            owners &&
            !owners.some(
              (o) => pathOf(file) === o || pathOf(file).startsWith(`${o}/`) || moduleOf(file) === o,
            )
          ) {
            violations.push(`${pathOf(file)} imports ${pkg} (only ${owners.join(', ')} may)`);
          }
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps pure modules free of I/O and clocks', () => {
    const impure: string[] = [];
    for (const file of files.filter((f) => ['core', 'models', 'stats', 'eval'].includes(moduleOf(f)))) {
      const text = readFileSync(file, 'utf8');
      if (/from ['"]node:(fs|net|http|child_process|worker_threads)/.test(text))
        impure.push(`${pathOf(file)}: does I/O`);
      if (/Date\.now\(|new Date\(\)|Math\.random\(/.test(text))
        impure.push(`${pathOf(file)}: reads the clock or unseeded randomness`);
    }
    expect(impure).toEqual([]);
  });
});
