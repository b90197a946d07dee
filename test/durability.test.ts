import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine.js';
import { exited, postJson, startCartwise } from './server-process.js';

/**
 * "A 2xx answer means the events are on disk": the server is killed with SIGKILL in the middle of
 * a stream of concurrent single events and batches; after a restart (which loads what the journal
 * still held) every acknowledged event is there exactly once and every batch is wholly there or
 * wholly absent.
 */

const root = mkdtempSync(join(tmpdir(), 'cartwise-durability-'));
const journalSegmentsSeen: number[] = [];
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Restarts the store (which loads what the journal holds), then counts rows per message id straight from DuckDB. */
async function countsByMessageId(dataDir: string): Promise<Map<string, number>> {
  const journal = join(dataDir, 'cartwise.duckdb.journal');
  const leftInJournal = existsSync(journal) ? readdirSync(journal).length : 0;
  const engine = await Engine.open({ storeUrl: `duckdb:${join(dataDir, 'cartwise.duckdb')}` });
  await engine.close();
  journalSegmentsSeen.push(leftInJournal);
  const instance = await DuckDBInstance.create(join(dataDir, 'cartwise.duckdb'));
  const conn = await instance.connect();
  const rows = (
    await conn.runAndReadAll('SELECT message_id, COUNT(*)::INTEGER FROM events GROUP BY 1')
  ).getRowsJS();
  conn.closeSync();
  instance.closeSync();
  return new Map(rows.map((r) => [String(r[0]), Number(r[1])]));
}

const track = (id: string) => ({
  userId: `u-${id.length % 13}`,
  event: 'Product Viewed',
  messageId: id,
  properties: { product_id: `p-${id}` },
});

describe('durability', () => {
  it('keeps every acknowledged event exactly once and no partial batch after SIGKILL', async () => {
    const data = join(root, 'kill');
    const server = await startCartwise(['serve', '--data', data, '--port', '0', '--host', '127.0.0.1']);
    const agent = new Agent({ keepAlive: true, maxSockets: 40 });
    const acked = new Set<string>();
    const batches: string[][] = [];
    let killed = false;
    let sent = 0;
    const KILL_AFTER = 1500;

    const client = async (c: number) => {
      for (let i = 0; !killed; i++) {
        const useBatch = i % 3 === 0;
        const ids = useBatch ? Array.from({ length: 40 }, (_, j) => `b-${c}-${i}-${j}`) : [`s-${c}-${i}`];
        if (useBatch) batches.push(ids);
        sent += ids.length;
        try {
          const res = useBatch
            ? await postJson(agent, server.port, '/v1/batch', {
                batch: ids.map((id) => ({ type: 'track', ...track(id) })),
              })
            : await postJson(agent, server.port, '/v1/track', track(ids[0]!));
          if (res.status !== 200) throw new Error(`status ${res.status}: ${JSON.stringify(res.body)}`);
          for (const id of ids) acked.add(id);
          // Kill the moment enough acknowledgements arrived, with other requests still in flight.
          if (!killed && acked.size >= KILL_AFTER) {
            killed = true;
            server.child.kill('SIGKILL');
          }
        } catch (error) {
          if (!killed) throw error;
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: 30 }, (_, c) => client(c)));
    agent.destroy();
    expect(await exited(server.child)).toBe('SIGKILL');
    expect(sent).toBeGreaterThan(acked.size); // some requests were in flight when it died

    const counts = await countsByMessageId(data);
    // Acknowledged events were still in the journal when the process died: recovery loaded them.
    expect(journalSegmentsSeen.at(-1)).toBeGreaterThan(0);
    const missing = [...acked].filter((id) => counts.get(id) !== 1);
    expect(missing).toEqual([]);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const partial = batches.filter((ids) => {
      const present = ids.filter((id) => counts.has(id)).length;
      return present !== 0 && present !== ids.length;
    });
    expect(partial).toEqual([]);

    // After the restart, de-duplication still knows every stored id.
    const again = await startCartwise(['serve', '--data', data, '--port', '0', '--host', '127.0.0.1']);
    const agent2 = new Agent({ keepAlive: true });
    const replay = [...acked].slice(0, 500).map((id) => ({ type: 'track', ...track(id) }));
    const res = await postJson(agent2, again.port, '/v1/batch', { batch: replay });
    expect(res.body).toMatchObject({ stored: 0, duplicates: 500 });
    agent2.destroy();
    again.child.kill('SIGTERM');
    expect(await exited(again.child)).toBe(0);
  });

  it('drains in-flight requests on SIGTERM, exits 0 and leaves a clean database', async () => {
    const data = join(root, 'term');
    const server = await startCartwise(['serve', '--data', data, '--port', '0', '--host', '127.0.0.1']);
    expect(existsSync(join(data, 'server.json'))).toBe(true);
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    const acked: string[] = [];
    let stop = false;
    const clients = Array.from({ length: 20 }, async (_, c) => {
      for (let i = 0; !stop; i++) {
        const id = `t-${c}-${i}`;
        const res = await postJson(agent, server.port, '/v1/track', track(id)).catch(() => null);
        if (res?.status === 200) acked.push(id);
        else if (res === null || res.status === 503) return;
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    server.child.kill('SIGTERM');
    stop = true;
    await Promise.all(clients);
    agent.destroy();
    expect(await exited(server.child)).toBe(0);
    expect(server.output()).toMatch(/stopped cleanly/);
    expect(existsSync(join(data, 'server.json'))).toBe(false);
    const counts = await countsByMessageId(data);
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.filter((id) => counts.get(id) !== 1)).toEqual([]);
  });
});
