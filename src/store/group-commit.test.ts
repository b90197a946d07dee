import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

describe('GroupCommit', () => {
  it('commits batches that arrive together in one group, in order', async () => {
    const groups: number[][][] = [];
    const q = new GroupCommit<number, number>(async (batches) => {
      groups.push(batches);
      return batches.map((b) => b.length);
    });
    const results = await Promise.all([q.submit([1]), q.submit([2, 3]), q.submit([4])]);
    expect(results).toEqual([1, 2, 1]);
    expect(groups).toEqual([[[1], [2, 3], [4]]]);
  });

  it('groups what arrives during a running commit into the next one', async () => {
    const groups: number[][][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const q = new GroupCommit<number, void>(async (batches) => {
      groups.push(batches);
      if (groups.length === 1) await gate;
      return batches.map(() => undefined);
    });
    const first = q.submit([1]);
    await new Promise((r) => setTimeout(r, 5));
    const later = [q.submit([2]), q.submit([3])];
    release();
    await Promise.all([first, ...later]);
    expect(groups).toEqual([[[1]], [[2], [3]]]);
  });

  it('retries each batch alone when a group fails, so one bad batch fails only itself', async () => {
    const q = new GroupCommit<number, string>(async (batches) => {
      if (batches.some((b) => b.includes(-1))) throw new Error('bad row');
      return batches.map((b) => `ok ${b.join(',')}`);
    });
    const results = await Promise.allSettled([q.submit([1]), q.submit([-1]), q.submit([3])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseFulfilledResult<string>).value).toBe('ok 1');
  });

  it('runs exclusive tasks alone and in arrival order, and refuses work after close', async () => {
    const log: string[] = [];
    const q = new GroupCommit<string, void>(async (batches) => {
      log.push(`commit ${batches.flat().join('')}`);
      return batches.map(() => undefined);
    });
    await Promise.all([
      q.submit(['a']),
      q.exclusive(async () => log.push('task')),
      q.submit(['b']),
      q.submit(['c']),
    ]);
    expect(log).toEqual(['commit a', 'task', 'commit bc']);
    await q.close();
    await expect(q.submit(['d'])).rejects.toThrow(/closed/);
  });

  it('caps the size of a group', async () => {
    const sizes: number[] = [];
    const q = new GroupCommit<number, void>(async (batches) => {
      sizes.push(batches.flat().length);
      return batches.map(() => undefined);
    }, 10);
    await Promise.all(Array.from({ length: 5 }, () => q.submit([1, 2, 3, 4])));
    expect(sizes).toEqual([8, 8, 4]);
  });
});
