/**
 * External string ids mapped once to dense integers, so every algorithm works on typed arrays.
 * Indices are assigned in insertion order and never change.
 */
export class IdIndex {
  private readonly byId = new Map<string, number>();
  private readonly ids: string[] = [];

  /** An index holding `ids` in order (repeats are ignored). */
  static from(ids: Iterable<string>): IdIndex {
    const index = new IdIndex();
    for (const id of ids) index.add(id);
    return index;
  }

  /** Number of ids. */
  get size(): number {
    return this.ids.length;
  }

  /** The index of `id`, adding it if new. */
  add(id: string): number {
    let i = this.byId.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.byId.set(id, i);
      this.ids.push(id);
    }
    return i;
  }

  /** The index of `id`, or undefined. */
  get(id: string): number | undefined {
    return this.byId.get(id);
  }

  /** The id at `index`. */
  id(index: number): string {
    const id = this.ids[index];
    if (id === undefined) throw new RangeError(`no id at index ${index} (size ${this.ids.length})`);
    return id;
  }

  /** All ids, by index. */
  list(): readonly string[] {
    return this.ids;
  }
}
