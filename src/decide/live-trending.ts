/**
 * Trending items, live: every product event adds its weight to its item, and every weight halves
 * each `halfLife` ms. Scores are kept relative to a reference time, so an event costs one
 * addition and the decay is applied only when the ranking is read.
 */
export class LiveTrending {
  private readonly scores = new Map<string, number>();
  private reference: number;
  private ranked: { itemId: string; score: number }[] | null = null;
  private rankedAt = 0;
  private dirty = false;

  constructor(
    private readonly halfLife: number,
    private readonly weights: Readonly<Record<string, number>>,
    start: number,
  ) {
    this.reference = start;
  }

  /** Counts one event (events with no positive weight are ignored). */
  add(item: string, event: string, time: number): void {
    const w = this.weights[event] ?? 0;
    if (!(w > 0)) return;
    const exponent = (time - this.reference) / this.halfLife;
    if (exponent > 60) {
      this.rebase(time);
      this.add(item, event, time);
      return;
    }
    this.scores.set(item, (this.scores.get(item) ?? 0) + w * 2 ** exponent);
    this.dirty = true;
  }

  /**
   * The `k` best-scoring items that `allow` accepts, with their decayed score at `now`. The full
   * ranking is rebuilt at most once a second, so a stream of events costs little.
   */
  top(k: number, now: number, allow: (itemId: string) => boolean): { itemId: string; score: number }[] {
    if (!this.ranked || (this.dirty && now - this.rankedAt >= 1000)) {
      this.ranked = [...this.scores]
        .map(([itemId, score]) => ({ itemId, score }))
        .sort((a, b) => b.score - a.score || (a.itemId < b.itemId ? -1 : 1));
      this.rankedAt = now;
      this.dirty = false;
    }
    const factor = 2 ** ((this.reference - now) / this.halfLife);
    const out: { itemId: string; score: number }[] = [];
    for (const r of this.ranked) {
      if (out.length >= k) break;
      if (allow(r.itemId)) out.push({ itemId: r.itemId, score: r.score * factor });
    }
    return out;
  }

  /** Moves the reference time forward so scores stay far from overflow. */
  private rebase(to: number): void {
    const factor = 2 ** ((this.reference - to) / this.halfLife);
    for (const [item, s] of this.scores) this.scores.set(item, s * factor);
    this.reference = to;
    this.ranked = null;
  }
}
