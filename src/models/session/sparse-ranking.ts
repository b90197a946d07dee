import { type Ranked, topK } from '../../core/topk.js';

/**
 * Ranking the few items a session request touches without a pass over the whole catalog: session
 * models score tens to thousands of items out of possibly millions, so requests stay fast.
 */

/**
 * The k best of a sparse score list (`items[j]` scored `scores[j]`, items ascending), best first;
 * ties go to the lower item index, as in core/topk.
 */
export function rankSparse(
  items: Uint32Array,
  scores: ArrayLike<number>,
  k: number,
  exclude?: (item: number) => boolean,
): Ranked {
  const top = topK(scores, k, exclude ? (j) => exclude(items[j]!) : undefined);
  return { items: top.items.map((j) => items[j]!), scores: top.scores };
}

/**
 * Scores accumulated item by item for one request, then ranked and cleared. The buffers are sized
 * for the catalog once and reused, so a request allocates only its result.
 */
export class ScoreBuffer {
  private readonly score: Float64Array;
  private readonly seen: Uint8Array;
  private readonly touched: Uint32Array;
  private count = 0;

  constructor(items: number) {
    this.score = new Float64Array(items);
    this.seen = new Uint8Array(items);
    this.touched = new Uint32Array(items);
  }

  /** Adds `value` to the score of `item`. */
  add(item: number, value: number): void {
    if (this.seen[item] === 0) {
      this.seen[item] = 1;
      this.touched[this.count++] = item;
    }
    this.score[item]! += value;
  }

  /** The k best items scored so far (ties to the lower index); leaves the buffer empty. */
  take(k: number, exclude?: (item: number) => boolean): Ranked {
    const items = this.touched.slice(0, this.count).sort();
    const scores = new Float64Array(items.length);
    for (let j = 0; j < items.length; j++) {
      const item = items[j]!;
      scores[j] = this.score[item]!;
      this.score[item] = 0;
      this.seen[item] = 0;
    }
    this.count = 0;
    return rankSparse(items, scores, k, exclude);
  }
}
