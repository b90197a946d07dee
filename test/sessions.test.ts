import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine.js';
import { evaluateNextItems, sessionProtocol } from '../src/eval/sessions.js';
import { buildSessions } from '../src/features/sessions.js';
import { SESSION_MODELS } from '../src/models/session/registry.js';

/**
 * Session-based recommendation end to end on the DIGINETICA sample: import through the Engine
 * into a real store, sessions from the stored events, session-rec's protocol, every model judged.
 */

const SAMPLE = resolve(
  import.meta.dirname,
  '../../shared/datasets/diginetica-sample/sample_train-item-views.csv',
);
const have = existsSync(SAMPLE);
const root = mkdtempSync(join(tmpdir(), 'cartwise-sessions-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function pipeline(name: string) {
  const engine = await Engine.open({ storeUrl: `duckdb:${join(root, name, 'db.duckdb')}` });
  try {
    await engine.importFiles([SAMPLE], {});
    const built = await buildSessions(engine.store.scanInteractions(), {
      gapMinutes: Number.POSITIVE_INFINITY,
    });
    const split = sessionProtocol(built.sessions, { minItemSupport: 5, minSessionLength: 2, testDays: 7 });
    const results = Object.fromEntries(
      Object.keys(SESSION_MODELS).map((id) => [
        id,
        evaluateNextItems(SESSION_MODELS[id]!.create().fit(split.train), split.test).metrics,
      ]),
    );
    return { built, split, results };
  } finally {
    await engine.close();
  }
}

describe('session-based recommendation on the DIGINETICA sample', () => {
  it.skipIf(!have)(
    have
      ? 'kNN models beat popularity, and the whole pipeline is deterministic'
      : 'kNN models beat popularity (SKIPPED: ../shared/datasets/diginetica-sample not found)',
    async () => {
      const a = await pipeline('a');
      // Counts of session-rec's preprocessing, recomputed independently from the CSV.
      expect(a.built.counts).toMatchObject({ events: 12_391, shoppers: 2_986, sessions: 2_053, short: 933 });
      expect(a.split.train.indptr.length - 1).toBe(478);
      expect(a.split.test.indptr.length - 1).toBe(41);
      expect(a.split.test.items.length - 41).toBe(102);
      const hr = (id: string) => a.results[id]!['hr@20']!.mean;
      expect(hr('sknn')).toBeGreaterThan(hr('popular'));
      expect(hr('vsknn')).toBeGreaterThan(hr('popular'));

      const b = await pipeline('b');
      expect(b.built.items.list()).toEqual(a.built.items.list());
      expect(b.built.sessions).toEqual(a.built.sessions);
      expect(b.results).toEqual(a.results);
    },
  );
});
