/**
 * A bounded map that forgets the least recently used entry when full: answers worth keeping for
 * the next identical request, without letting them grow without limit. Size 0 keeps nothing.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 0))
      throw new Error('LruCache: capacity must be a whole number >= 0');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value under `key` (now the most recently used), or undefined. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** Keeps `value` under `key`, forgetting the least recently used entry beyond the capacity. */
  set(key: K, value: V): void {
    if (this.capacity === 0) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }

  clear(): void {
    this.entries.clear();
  }
}
