import { trainShards } from './bpr.js';
import { solveRows } from './ials.js';
import { itemNeighbors } from './item-knn.js';
import type { Kernel } from './parallel.js';

/** Every data-parallel kernel by name: what worker threads may be asked to run. */
export const KERNELS: Readonly<Record<string, Kernel>> = {
  'itemknn.neighbors': itemNeighbors,
  'ials.solve': solveRows,
  'bpr.step': trainShards,
};
