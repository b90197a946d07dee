import { describe, expect, it } from 'vitest';
import { authorizer } from './auth.js';

const check = authorizer({ writeKey: 'cw_write_key_1', adminKey: 'cw_admin_key_1' });
const code = (header: string | null, access: 'public' | 'write' | 'admin') => {
  try {
    check(header, access);
    return 'ok';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('authorizer', () => {
  it('accepts Bearer in any case and spacing, and Basic with the key as user name', () => {
    for (const header of [
      'Bearer cw_write_key_1',
      'bearer cw_write_key_1',
      '  BEARER   cw_write_key_1 ',
      `Basic ${Buffer.from('cw_write_key_1:').toString('base64')}`,
    ])
      expect(code(header, 'write')).toBe('ok');
  });

  it('keeps the admin key to admin routes and refuses missing, empty and wrong keys', () => {
    expect(code('Bearer cw_admin_key_1', 'admin')).toBe('ok');
    expect(code('Bearer cw_admin_key_1', 'write')).toBe('ok');
    expect(code('Bearer cw_write_key_1', 'admin')).toBe('forbidden');
    expect(code('Bearer cw_write_key_2', 'write')).toBe('unauthorized'); // same length, one byte off
    expect(code('Bearer ', 'write')).toBe('unauthorized');
    expect(code('Token cw_write_key_1', 'write')).toBe('unauthorized');
    expect(code(null, 'write')).toBe('unauthorized');
    expect(code(null, 'public')).toBe('ok');
  });
});
