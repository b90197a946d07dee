/**
 * A set of 64-bit keys (two uint32 halves) in flat typed arrays: open addressing with linear
 * probing. It remembers every message id ever stored in 8 bytes per key plus slack (a JS Set of
 * strings would take ~10x more), so de-duplication needs no database index.
 */
export class KeySet64 {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private used: Uint8Array;
  private count = 0;

  constructor(expected = 1024) {
    let capacity = 16;
    while (capacity * 0.7 < expected) capacity *= 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.used = new Uint8Array(capacity);
  }

  /** Number of keys held. */
  get size(): number {
    return this.count;
  }

  /** True if the key is present. */
  has(hi: number, lo: number): boolean {
    const mask = this.used.length - 1;
    for (let i = slot(hi, lo, mask); this.used[i] === 1; i = (i + 1) & mask) {
      if (this.hi[i] === hi && this.lo[i] === lo) return true;
    }
    return false;
  }

  /** Adds a key; returns false if it was already present. */
  add(hi: number, lo: number): boolean {
    if (this.count + 1 > this.used.length * 0.7) this.grow();
    const mask = this.used.length - 1;
    let i = slot(hi, lo, mask);
    for (; this.used[i] === 1; i = (i + 1) & mask) {
      if (this.hi[i] === hi && this.lo[i] === lo) return false;
    }
    this.used[i] = 1;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.count++;
    return true;
  }

  private grow(): void {
    const { hi, lo, used } = this;
    const capacity = used.length * 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.used = new Uint8Array(capacity);
    this.count = 0;
    for (let i = 0; i < used.length; i++) if (used[i] === 1) this.add(hi[i]!, lo[i]!);
  }
}

function slot(hi: number, lo: number, mask: number): number {
  return (Math.imul(lo ^ (hi >>> 7), 0x9e3779b1) ^ hi) & mask;
}
