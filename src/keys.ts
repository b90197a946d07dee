import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The two API keys: one safe to embed in a storefront (ingest only), one for everything. */
export interface ApiKeys {
  writeKey: string;
  adminKey: string;
  /** True when this call created them (so the caller prints them once). */
  generated: boolean;
}

/**
 * Keys from the environment when given, otherwise from `<dataDir>/keys.json`, created on first
 * start with random values and file mode 0600.
 */
export function loadKeys(
  dataDir: string,
  fromEnv: { writeKey: string | null; adminKey: string | null },
): ApiKeys {
  const file = join(dataDir, 'keys.json');
  let stored: { writeKey?: string; adminKey?: string } = {};
  if (existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
    } catch {
      throw new Error(`${file}: is not valid JSON; fix or delete it (new keys are then generated)`);
    }
  }
  const needsFile = (!fromEnv.writeKey && !stored.writeKey) || (!fromEnv.adminKey && !stored.adminKey);
  if (needsFile) {
    stored = {
      writeKey: stored.writeKey ?? `cw_write_${randomBytes(18).toString('base64url')}`,
      adminKey: stored.adminKey ?? `cw_admin_${randomBytes(24).toString('base64url')}`,
    };
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  }
  const writeKey = fromEnv.writeKey ?? stored.writeKey!;
  const adminKey = fromEnv.adminKey ?? stored.adminKey!;
  if (writeKey === adminKey) throw new Error('the write key and the admin key must differ');
  return { writeKey, adminKey, generated: needsFile };
}
