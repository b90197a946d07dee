import type { Item, StoredEvent, UserRecord } from '../../store/records.js';
import type { AppendResult, Store } from '../../store/store.js';

/**
 * An import sink that keeps records in memory and drops repeated messageIds as the store does:
 * for tests of presets and imports, and for dry runs that validate files without a database.
 */
export class MemorySink implements Pick<Store, 'appendEvents' | 'upsertItems' | 'upsertUsers'> {
  readonly events: StoredEvent[] = [];
  readonly items = new Map<string, Item>();
  readonly users = new Map<string, UserRecord>();
  /** Sizes of the batches received, to check that writes are batched. */
  readonly batches: { kind: 'events' | 'items' | 'users'; size: number }[] = [];
  private readonly ids = new Set<string>();

  /** @param keep false counts and de-duplicates without keeping the events (a dry run of a big file). */
  constructor(private readonly keep = true) {}

  async appendEvents(events: readonly StoredEvent[]): Promise<AppendResult> {
    this.batches.push({ kind: 'events', size: events.length });
    let duplicates = 0;
    for (const e of events) {
      if (this.ids.has(e.messageId)) {
        duplicates++;
        continue;
      }
      this.ids.add(e.messageId);
      if (this.keep) this.events.push(e);
    }
    return { stored: events.length - duplicates, duplicates };
  }

  async upsertItems(items: readonly Item[]): Promise<void> {
    this.batches.push({ kind: 'items', size: items.length });
    for (const item of items) this.items.set(item.id, item);
  }

  async upsertUsers(users: readonly UserRecord[]): Promise<void> {
    this.batches.push({ kind: 'users', size: users.length });
    for (const user of users) {
      const old = this.users.get(user.userId);
      this.users.set(user.userId, old ? { ...user, traits: { ...old.traits, ...user.traits } } : user);
    }
  }
}
