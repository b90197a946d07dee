/**
 * String hashes with fixed, documented outputs. Pure 32-bit integer arithmetic, so the results are
 * identical on every platform and can be kept in golden files.
 */

/** FNV-1a 32-bit over UTF-16 code units, as GrowthBook's SDKs compute it (used for assignment). */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A 64-bit hash of a string returned as two unsigned 32-bit halves (cyrb53's mixing kept at full
 * width). Used where a 32-bit hash would collide too often, e.g. de-duplicating millions of message ids.
 */
export function hash64(text: string, seed = 0): [hi: number, lo: number] {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h2 >>> 0, h1 >>> 0];
}

/** Derives a 32-bit seed from a parent seed and a label, so sub-streams of randomness stay independent. */
export function deriveSeed(seed: number, label: string | number): number {
  return hash64(String(label), seed >>> 0)[1];
}
