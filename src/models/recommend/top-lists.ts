import { type Ranked, topK } from '../../core/topk.js';
import type { Artifact, Fitted } from './contract.js';

/**
 * Every row's best items by one fitted model (a user's scores, or an item's neighbors), best first,
 * computed once at training so that serving walks a short list instead of scoring the catalog
 * (Gorse's offline recommendation cache). Ties are ordered as {@link topK} orders them, so the
 * first n entries a filter lets through are exactly `topK(scores, n, filter)` whenever the list
 * still has n such entries, or holds every finite score.
 */
export class TopLists {
  private constructor(
    /** The model the lists come from. */
    readonly model: string,
    /** Entries kept per row; a shorter row holds every item with a finite score. */
    readonly size: number,
    private readonly ptr: Uint32Array,
    private readonly items: Uint32Array,
    private readonly scores: Float32Array,
  ) {}

  /** Each user's `size` best items by `model.score` (nothing excluded: serving filters). */
  static forUsers(model: Fitted, users: number, size: number): TopLists {
    return TopLists.build(model, users, size, (u, out) => model.score(u, out));
  }

  /** Each item's `size` nearest items by `model.similarItems` (itself included); null when the model has none. */
  static forItems(model: Fitted, size: number): TopLists | null {
    const similar = model.similarItems?.bind(model);
    return similar ? TopLists.build(model, model.items, size, similar) : null;
  }

  /** Lists stored by {@link toArtifact}, checked for consistent sizes. */
  static fromArtifact(a: Artifact): TopLists {
    const { ptr, items, scores } = a.arrays;
    if (
      !(ptr instanceof Uint32Array && items instanceof Uint32Array && scores instanceof Float32Array) ||
      ptr[ptr.length - 1] !== items.length ||
      items.length !== scores.length
    )
      throw new Error(`top lists "${a.name}": artifact arrays are missing or inconsistent`);
    return new TopLists(String(a.meta.model), Number(a.meta.size), ptr, items, scores);
  }

  private static build(
    model: Fitted,
    rows: number,
    size: number,
    score: (row: number, out: Float32Array) => void,
  ): TopLists {
    const ptr = new Uint32Array(rows + 1);
    const ranked: Ranked[] = [];
    const out = new Float32Array(model.items);
    for (let r = 0; r < rows; r++) {
      out.fill(0);
      score(r, out);
      const top = topK(out, size);
      ranked.push(top);
      ptr[r + 1] = ptr[r]! + top.items.length;
    }
    const items = new Uint32Array(ptr[rows]!);
    const scores = new Float32Array(ptr[rows]!);
    for (let r = 0; r < rows; r++) {
      items.set(ranked[r]!.items, ptr[r]!);
      scores.set(ranked[r]!.scores, ptr[r]!);
    }
    return new TopLists(model.name, size, ptr, items, scores);
  }

  /** Number of rows. */
  get rows(): number {
    return this.ptr.length - 1;
  }

  /**
   * Offers row `r`'s items, best first, to `take` until it has accepted `n` (it returns whether it
   * took the item). True when the answer is final: `n` taken, or the row holds every finite score.
   * False means the list ran out first, and the caller must score the rest itself.
   */
  walk(r: number, n: number, take: (item: number, score: number) => boolean): boolean {
    let taken = 0;
    const end = this.ptr[r + 1]!;
    for (let p = this.ptr[r]!; p < end && taken < n; p++) if (take(this.items[p]!, this.scores[p]!)) taken++;
    return taken >= n || end - this.ptr[r]! < this.size;
  }

  toArtifact(name: string): Artifact {
    return {
      name,
      params: {},
      meta: { model: this.model, size: this.size },
      arrays: { ptr: this.ptr, items: this.items, scores: this.scores },
    };
  }
}
