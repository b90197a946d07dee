import { BIGINT, type DuckDBConnection, type DuckDBType, LIST, listValue, VARCHAR } from '@duckdb/node-api';
import type { UserRecord } from '../records.js';
import { toChunks, USER_TYPES, userColumns } from './rows.js';

/**
 * Who is who: links from anonymous ids and aliased user ids to users, and user traits.
 *
 * Links are derived from events as they are loaded: an anonymous id seen together with a user id is
 * linked to the first such user (shared devices keep their first owner), and an alias links a
 * previous id to a user. The table has no unique index (it would make every load slower); the
 * earliest assertion (lowest seq) wins. Alias flattening rewrites targets, so resolution never
 * needs more than one more hop (anonymous -> user -> canonical user).
 */

/** The ids that make up one shopper. */
export interface Shopper {
  canonical: string;
  links: { kind: 'anonymous' | 'user'; id: string }[];
  userIds: string[];
  anonymousIds: string[];
}

const STRINGS: DuckDBType = LIST(VARCHAR);
const strings = (values: readonly string[]) => listValue([...values]);

/** Identity resolution and traits over the writer connection; every method that writes runs inside the caller's transaction. */
export class Identities {
  constructor(private readonly writer: DuckDBConnection) {}

  /**
   * Applies what the just-loaded events `firstSeq..lastSeq` say about identities: new anonymous
   * links, then aliases and identify traits in order. Idempotent, so a segment loaded twice after a
   * crash changes nothing the second time.
   */
  async applyLoaded(firstSeq: number, lastSeq: number): Promise<void> {
    const range = [BigInt(firstSeq), BigInt(lastSeq)];
    await this.writer.run(
      `INSERT INTO identity_links
       SELECT 'anonymous', anonymous_id, arg_min(user_id, seq), min(ts), min(seq) FROM events
       WHERE seq BETWEEN $1 AND $2 AND user_id IS NOT NULL AND anonymous_id IS NOT NULL AND type <> 'alias'
         AND anonymous_id NOT IN (SELECT id FROM identity_links WHERE kind = 'anonymous')
       GROUP BY anonymous_id`,
      range,
      [BIGINT, BIGINT],
    );
    const calls = await this.writer.runAndReadAll(
      `SELECT seq, type, user_id, target_id, traits, epoch_ms(ts) AS ts FROM events
       WHERE seq BETWEEN $1 AND $2 AND type IN ('alias', 'identify') AND user_id IS NOT NULL ORDER BY seq`,
      range,
      [BIGINT, BIGINT],
    );
    const traits: UserRecord[] = [];
    for (const r of calls.getRowObjectsJS()) {
      const at = Number(r.ts);
      if (r.type === 'alias') {
        if (traits.length > 0) await this.mergeUsers(traits.splice(0));
        await this.alias(String(r.target_id), String(r.user_id), at, Number(r.seq));
      } else {
        const t = r.traits === null ? {} : (JSON.parse(String(r.traits)) as Record<string, unknown>);
        traits.push({ userId: String(r.user_id), traits: t, createdAt: at, updatedAt: at });
      }
    }
    if (traits.length > 0) await this.mergeUsers(traits);
  }

  /** `previousId` (a user or anonymous id) becomes `userId`: links are retargeted and traits merge into the survivor. */
  private async alias(previousId: string, userId: string, at: number, seq: number): Promise<void> {
    const from = await this.canonical(this.writer, previousId);
    const to = await this.canonical(this.writer, userId);
    if (from === to) return;
    await this.writer.run('UPDATE identity_links SET user_id = $1 WHERE user_id = $2', [to, from]);
    await this.writer.run(
      `INSERT INTO identity_links VALUES ('user', $1, $2, make_timestamptz($3 * 1000), $4), ('anonymous', $5, $2, make_timestamptz($3 * 1000), $4)`,
      [from, to, BigInt(at), BigInt(seq), previousId],
      [VARCHAR, VARCHAR, BIGINT, BIGINT, VARCHAR],
    );
    await this.writer.run("DELETE FROM identity_links WHERE kind = 'user' AND id = user_id");
    const old = await this.usersById(this.writer, [from]);
    if (old.length > 0) {
      await this.writer.run('DELETE FROM users WHERE user_id = $1', [from]);
      await this.mergeUsers([{ ...old[0]!, userId: to }]);
    }
  }

  /** The user an id finally stands for (itself when it was never aliased). */
  async canonical(conn: DuckDBConnection, id: string): Promise<string> {
    const rows = await conn.runAndReadAll(
      "SELECT arg_min(user_id, seq) FROM identity_links WHERE kind = 'user' AND id = $1",
      [id],
    );
    return (rows.getRowsJS()[0]?.[0] as string | null | undefined) ?? id;
  }

  /** All ids of the shopper `id` belongs to. */
  async shopper(conn: DuckDBConnection, id: string): Promise<Shopper> {
    const canonical = await this.canonical(conn, id);
    const aliases = await winners(conn, 'user', [canonical]);
    const userIds = [canonical, ...aliases];
    // An alias's previousId is recorded both ways (it may have been an anonymous id); list it once, as a user id.
    const anonymousIds = (await winners(conn, 'anonymous', userIds)).filter((i) => !userIds.includes(i));
    return {
      canonical,
      userIds,
      anonymousIds,
      links: [
        ...anonymousIds.map((i) => ({ kind: 'anonymous' as const, id: i })),
        ...aliases.map((i) => ({ kind: 'user' as const, id: i })),
      ],
    };
  }

  /** Removes every link of the shopper (inside the caller's transaction); returns how many ids were unlinked. */
  async erase(who: Shopper): Promise<number> {
    const result = await this.writer.run(
      `DELETE FROM identity_links WHERE user_id IN (SELECT unnest($1)) OR (kind = 'user' AND id IN (SELECT unnest($1)))`,
      [strings(who.userIds)],
      [STRINGS],
    );
    return result.rowsChanged > 0 ? who.links.length : 0;
  }

  /** User records by id. */
  async usersById(conn: DuckDBConnection, ids: string[]): Promise<UserRecord[]> {
    const rows = await conn.runAndReadAll(
      `SELECT user_id, traits, epoch_ms(created_at) AS created_at, epoch_ms(updated_at) AS updated_at
       FROM users WHERE user_id IN (SELECT unnest($1))`,
      [strings(ids)],
      [STRINGS],
    );
    return rows.getRowObjectsJS().map((r) => ({
      userId: String(r.user_id),
      traits: JSON.parse(String(r.traits)) as Record<string, unknown>,
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    }));
  }

  /**
   * Merges trait updates into user records, in time order: a newer update overrides, an older one
   * (a late-arriving identify) only fills traits that are missing. Runs inside the caller's transaction.
   */
  async mergeUsers(updates: readonly UserRecord[]): Promise<void> {
    const resolved = await this.writer.runAndReadAll(
      `SELECT id, arg_min(user_id, seq) FROM identity_links WHERE kind = 'user' AND id IN (SELECT unnest($1)) GROUP BY id`,
      [strings([...new Set(updates.map((u) => u.userId))])],
      [STRINGS],
    );
    const canonical = new Map(resolved.getRowsJS().map((r) => [String(r[0]), String(r[1])]));
    const merged = new Map<string, UserRecord>();
    const ids = [...new Set(updates.map((u) => canonical.get(u.userId) ?? u.userId))];
    for (const u of await this.usersById(this.writer, ids)) merged.set(u.userId, u);
    for (const u of [...updates].sort((a, b) => a.updatedAt - b.updatedAt)) {
      const userId = canonical.get(u.userId) ?? u.userId;
      const current = merged.get(userId);
      if (!current) {
        merged.set(userId, { ...u, userId, traits: { ...u.traits } });
        continue;
      }
      const newer = u.updatedAt >= current.updatedAt;
      merged.set(userId, {
        userId,
        traits: newer ? { ...current.traits, ...u.traits } : { ...u.traits, ...current.traits },
        createdAt: Math.min(current.createdAt, u.createdAt),
        updatedAt: Math.max(current.updatedAt, u.updatedAt),
      });
    }
    await this.writer.run('DELETE FROM users_in');
    const appender = await this.writer.createAppender('users_in');
    try {
      for (const chunk of toChunks([...merged.values()], USER_TYPES, userColumns))
        appender.appendDataChunk(chunk);
    } finally {
      appender.closeSync();
    }
    await this.writer.run('INSERT OR REPLACE INTO users SELECT * FROM users_in');
  }
}

/** Ids of `kind` whose winning (earliest) link points at one of `targets`. */
async function winners(
  conn: DuckDBConnection,
  kind: 'anonymous' | 'user',
  targets: string[],
): Promise<string[]> {
  const rows = await conn.runAndReadAll(
    `SELECT id FROM identity_links
     WHERE kind = $1 AND id IN (SELECT id FROM identity_links WHERE kind = $1 AND user_id IN (SELECT unnest($2)))
     GROUP BY id HAVING arg_min(user_id, seq) IN (SELECT unnest($2)) ORDER BY id`,
    [kind, strings(targets)],
    [VARCHAR, STRINGS],
  );
  return rows.getRowsJS().map((r) => String(r[0]));
}
