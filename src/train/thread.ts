import { Worker } from 'node:worker_threads';

/**
 * Starts `<name>.js` of this folder in a worker thread; from TypeScript sources (tests,
 * benchmarks) the thread registers tsx first and loads `<name>.ts`.
 */
export function startThread(name: string, workerData?: unknown): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL(`./${name}.js`, import.meta.url), { workerData });
  const url = new URL(`./${name}.ts`, import.meta.url).href;
  const code = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); });`;
  return new Worker(code, { eval: true, workerData });
}
