import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('takes flags over environment over defaults', () => {
    expect(loadConfig({}, {})).toMatchObject({
      dataDir: resolve('./data'),
      port: 8080,
      host: '0.0.0.0',
      writeKey: null,
    });
    const env = { CARTWISE_DATA: '/tmp/x', CARTWISE_PORT: '9000', CARTWISE_WRITE_KEY: 'k'.repeat(16) };
    expect(loadConfig({}, env)).toMatchObject({
      dataDir: '/tmp/x',
      port: 9000,
      writeKey: 'k'.repeat(16),
      storeUrl: 'duckdb:/tmp/x/cartwise.duckdb',
    });
    expect(loadConfig({ data: '/tmp/y', port: '0' }, env)).toMatchObject({ dataDir: '/tmp/y', port: 0 });
  });

  it('names the flag or variable of a bad value', () => {
    expect(() => loadConfig({ port: 'http' }, {})).toThrow('--port: "http" is not a whole number');
    expect(() => loadConfig({}, { CARTWISE_PORT: '70000' })).toThrow(
      'CARTWISE_PORT: 70000 is outside 0..65535',
    );
    expect(() => loadConfig({}, { CARTWISE_ADMIN_KEY: 'short' })).toThrow(
      /^CARTWISE_ADMIN_KEY: must be at least 16/,
    );
    expect(() => loadConfig({}, { CARTWISE_STORE: 'postgres://db' })).toThrow(
      /^CARTWISE_STORE: .*not supported/,
    );
    expect(() => loadConfig({}, { CARTWISE_MAX_BODY_BYTES: '10' })).toThrow(
      /^CARTWISE_MAX_BODY_BYTES: 10 is outside/,
    );
  });
});
