import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal } from './journal.js';

const root = mkdtempSync(join(tmpdir(), 'cartwise-journal-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const line = (seq: number) => JSON.stringify({ seq, message_id: `m${seq}`, type: 'track', event: 'X' });

async function write(dir: string, groups: number[][]): Promise<string> {
  const { journal } = Journal.open(dir);
  for (const g of groups)
    await journal.append(
      g.map(line),
      g.map((s) => `m${s}`),
      g[g.length - 1]!,
    );
  const segment = await journal.rotate();
  return segment!.path;
}

describe('Journal', () => {
  it('recovers whole groups in order and returns nothing for an empty directory', async () => {
    const dir = join(root, `j${n++}`);
    expect(Journal.open(dir).recovered).toEqual([]);
    const path = await write(dir, [[1, 2], [3]]);
    const { recovered } = Journal.open(dir);
    expect(recovered).toEqual([{ path, lastSeq: 3, messageIds: ['m1', 'm2', 'm3'] }]);
  });

  it('cuts a torn or unconfirmed tail back to the last intact group', async () => {
    const dir = join(root, `j${n++}`);
    const path = await write(dir, [
      [1, 2],
      [3, 4],
    ]);
    const intact = statSync(path).size;
    // A crash in the middle of the next group: lines without their commit line, then half a line.
    appendFileSync(path, `${line(5)}\n${line(6)}\n{"seq":7,"mess`);
    const { recovered } = Journal.open(dir);
    expect(recovered[0]).toMatchObject({ lastSeq: 4, messageIds: ['m1', 'm2', 'm3', 'm4'] });
    expect(statSync(path).size).toBe(intact);
  });

  it('drops a group whose bytes do not match its checksum, and everything after it', async () => {
    const dir = join(root, `j${n++}`);
    const path = await write(dir, [[1], [2], [3]]);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.replace('"message_id":"m2"', '"message_id":"mX"'));
    expect(Journal.open(dir).recovered[0]).toMatchObject({ lastSeq: 1, messageIds: ['m1'] });
  });

  it('removes a segment with no intact group', async () => {
    const dir = join(root, `j${n++}`);
    const path = await write(dir, [[1]]);
    writeFileSync(path, `${line(1)}\n`);
    expect(Journal.open(dir).recovered).toEqual([]);
    expect(existsSync(path)).toBe(false);
  });

  it('rotates into a new segment named after its first sequence number', async () => {
    const dir = join(root, `j${n++}`);
    const { journal } = Journal.open(dir, { maxSegmentBytes: 150 });
    await journal.append([line(1)], ['m1'], 1);
    expect(journal.full).toBe(false);
    await journal.append([line(2), line(3)], ['m2', 'm3'], 3);
    expect(journal.full).toBe(true);
    const first = await journal.rotate();
    await journal.append([line(4)], ['m4'], 4);
    const second = await journal.rotate();
    expect([first!.path, second!.path].map((p) => p.slice(-22))).toEqual([
      '0000000000000001.jsonl',
      '0000000000000004.jsonl',
    ]);
    expect(readdirSync(dir).sort()).toEqual(['0000000000000001.jsonl', '0000000000000004.jsonl']);
    expect(await journal.rotate()).toBeNull();
  });
});
