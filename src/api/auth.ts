import { timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors.js';

/** What a route needs: nothing, the write key (or admin), or the admin key. */
export type Access = 'public' | 'write' | 'admin';

/** Checks a request's `Authorization` header against what a route needs; throws 401/403. */
export type Authorizer = (header: string | null, access: Access) => void;

/**
 * The key check of every request, given as `Authorization: Bearer <key>` or, as Segment's
 * libraries send it, `Authorization: Basic base64(<key>:)`. Keys are compared in constant time.
 */
export function authorizer(keys: { writeKey: string; adminKey: string }): Authorizer {
  const admin = Buffer.from(keys.adminKey);
  const write = Buffer.from(keys.writeKey);
  const same = (key: Buffer, expected: Buffer) =>
    key.length === expected.length && timingSafeEqual(key, expected);
  return (header, access) => {
    if (access === 'public') return;
    const text = keyFrom(header);
    if (text === null) {
      throw new ApiError(
        'unauthorized',
        'missing API key: send "Authorization: Bearer <key>" (or Basic auth with the key as user name)',
      );
    }
    const key = Buffer.from(text);
    if (same(key, admin)) return;
    if (same(key, write)) {
      if (access === 'write') return;
      throw new ApiError(
        'forbidden',
        'this endpoint needs the admin key; the write key only sends events and reads storefront lists',
      );
    }
    throw new ApiError('unauthorized', 'invalid API key');
  };
}

function keyFrom(header: string | null): string | null {
  if (!header) return null;
  // The common case without a regular expression: "Bearer <key>".
  if (header.startsWith('Bearer ') && header.indexOf(' ', 7) < 0) return header.slice(7) || null;
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  if (/^bearer$/i.test(scheme!)) return value || null;
  if (/^basic$/i.test(scheme!)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const user = decoded.split(':', 1)[0]!;
    return user || null;
  }
  return null;
}
