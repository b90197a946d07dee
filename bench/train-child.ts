/**
 * One fit for bench/train.ts, in its own process so its peak memory can be read:
 *   node --import tsx bench/train-child.ts DIR MODEL [ITERATIONS THREADS]
 * Prints {"seconds", "maxRssMb"} (and "perIteration" for MODEL ials-epochs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Csr } from '../src/core/csr.js';
import type { ItemText } from '../src/models/recommend/contract.js';
import { ials } from '../src/models/recommend/ials.js';
import { createRecommender } from '../src/models/recommend/registry.js';
import { WorkerPool } from '../src/train/worker-pool.js';

const [dir, model, iterations = '5', threads = '2'] = process.argv.slice(2) as [
  string,
  string,
  string?,
  string?,
];
const bytes = readFileSync(join(dir, 'matrix.bin'));
const head = new Uint32Array(bytes.buffer, bytes.byteOffset, 3);
const [rows, cols, nnz] = [head[0]!, head[1]!, head[2]!];
let offset = bytes.byteOffset + 12;
const take = <T>(Type: new (b: ArrayBufferLike, o: number, n: number) => T, n: number, size: number): T => {
  const copy = bytes.buffer.slice(offset, offset + n * size);
  offset += n * size;
  return new Type(copy, 0, n);
};
const interactions: Csr = {
  rows,
  cols,
  indptr: take(Uint32Array, rows + 1, 4),
  indices: take(Uint32Array, nnz, 4),
  values: take(Float32Array, nnz, 4),
};
const seen = readFileSync(join(dir, 'last-seen.bin'));
const data = {
  interactions,
  lastSeen: new Float64Array(seen.buffer.slice(seen.byteOffset, seen.byteOffset + seen.byteLength)),
  items: JSON.parse(readFileSync(join(dir, 'items.json'), 'utf8')) as ItemText[],
  now: Number(readFileSync(join(dir, 'now.txt'), 'utf8')),
};

const pool = Number(threads) > 1 ? WorkerPool.create(Number(threads)) : undefined;
const report = (extra: object) => {
  console.log(JSON.stringify({ ...extra, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
};
try {
  if (model === 'none') report({ seconds: 0 });
  else if (model === 'ials-epochs') {
    const perIteration: number[] = [];
    let last = performance.now();
    await ials({
      factors: 64,
      iterations: Number(iterations),
      cgSteps: 3,
      alpha: 1,
      regularization: 0.01,
    }).fit(data, {
      parallel: pool,
      onProgress: () => {
        const t = performance.now();
        perIteration.push((t - last) / 1000);
        last = t;
      },
    });
    report({ seconds: perIteration.reduce((a, b) => a + b, 0), perIteration });
  } else {
    const t0 = performance.now();
    await createRecommender(model).fit(data, { parallel: pool });
    report({ seconds: (performance.now() - t0) / 1000 });
  }
} finally {
  await pool?.close();
}
