import { createHash } from 'node:crypto';

/** Deterministic message ids for imported records, so re-importing a file stores nothing new. */

/** A short id derived from the content of a record (128 bits of SHA-256, base64url), prefixed by its source. */
export function contentId(prefix: string, content: string): string {
  return `${prefix}-${createHash('sha256').update(content).digest('base64url').slice(0, 22)}`;
}
