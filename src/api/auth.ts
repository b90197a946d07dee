import { timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors.js';

/** What a route needs: nothing, the write key (or admin), or the admin key. */
export type Access = 'public' | 'write' | 'admin';

/**
 * Checks the key of a request, given as `Authorization: Bearer <key>` or, as Segment's libraries
 * send it, `Authorization: Basic base64(<key>:)`.
 */
export function authorize(
  header: string | null,
  access: Access,
  keys: { writeKey: string; adminKey: string },
): void {
  if (access === 'public') return;
  const key = keyFrom(header);
  if (key === null) {
    throw new ApiError(
      'unauthorized',
      'missing API key: send "Authorization: Bearer <key>" (or Basic auth with the key as user name)',
    );
  }
  if (same(key, keys.adminKey)) return;
  if (same(key, keys.writeKey)) {
    if (access === 'write') return;
    throw new ApiError(
      'forbidden',
      'this endpoint needs the admin key; the write key only sends events and reads storefront lists',
    );
  }
  throw new ApiError('unauthorized', 'invalid API key');
}

function keyFrom(header: string | null): string | null {
  if (!header) return null;
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  if (/^bearer$/i.test(scheme!)) return value || null;
  if (/^basic$/i.test(scheme!)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const user = decoded.split(':', 1)[0]!;
    return user || null;
  }
  return null;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
