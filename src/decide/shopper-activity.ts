import type { StoredEvent } from '../store/records.js';

/** One product event of a shopper since the served version's cut-off. */
export interface Touch {
  item: string;
  event: string;
  time: number;
}

/** How many recent product events are kept per shopper (the newest win). */
const KEEP = 200;

/**
 * What shoppers did since the served models were trained, in memory, so the next answer reflects
 * an event ingested a moment ago without retraining; plus who is who (anonymous ids and aliases
 * joined to users), mirroring the store's identity rules: the first user an anonymous id is seen
 * with owns it, and an alias moves everything of the old id to the new one.
 */
export class ShopperActivity {
  private readonly touches = new Map<string, Touch[]>();
  /** `a:<anonymousId>` or `u:<userId>` -> the user it belongs to (first assertion wins). */
  private readonly owner = new Map<string, string>();
  /** user -> the shopper keys (`anon:<id>`, aliased user ids) whose history is theirs. */
  private readonly members = new Map<string, Set<string>>();

  /** The key a shopper's events and training row are filed under: a user id, or `anon:<id>`. */
  shopper(userId: string | null, anonymousId: string | null): string | null {
    if (userId) return this.owner.get(`u:${userId}`) ?? userId;
    if (anonymousId) return this.owner.get(`a:${anonymousId}`) ?? `anon:${anonymousId}`;
    return null;
  }

  /** Every key whose history belongs to `shopper` (itself first). */
  keys(shopper: string): string[] {
    return [shopper, ...(this.members.get(shopper) ?? [])];
  }

  /** Records a link the store already holds (loaded at start-up). */
  link(kind: 'anonymous' | 'user', id: string, userId: string): void {
    if (kind === 'anonymous') this.linkAnonymous(id, userId);
    else this.alias(id, userId);
  }

  /** Takes in freshly stored events: product events `keep` accepts become touches, identify/alias calls links. */
  observe(events: readonly StoredEvent[], keep: (event: string) => boolean): void {
    for (const e of events) {
      if (e.type === 'alias' && e.userId && e.targetId) this.alias(e.targetId, e.userId);
      else if (e.userId && e.anonymousId) this.linkAnonymous(e.anonymousId, this.shopper(e.userId, null)!);
      if (e.type !== 'track' || !e.event || !keep(e.event)) continue;
      const who = this.shopper(e.userId, e.anonymousId);
      if (!who) continue;
      if (e.products)
        for (const p of e.products) this.add(who, { item: p.productId, event: e.event, time: e.timestamp });
      else if (e.itemId) this.add(who, { item: e.itemId, event: e.event, time: e.timestamp });
    }
  }

  /** A shopper's touches across all their keys, oldest first. */
  recent(shopper: string): Touch[] {
    const all = this.keys(shopper).flatMap((k) => this.touches.get(k) ?? []);
    return all.length > 1 ? all.sort((a, b) => a.time - b.time) : all;
  }

  /** Drops touches at or before `cutoff` (a new version has learned them). */
  trim(cutoff: number): void {
    for (const [key, list] of this.touches) {
      const kept = list.filter((t) => t.time > cutoff);
      if (kept.length === 0) this.touches.delete(key);
      else this.touches.set(key, kept);
    }
  }

  /** Forgets a shopper entirely (erasure). */
  forget(shopper: string): void {
    for (const key of this.keys(shopper)) this.touches.delete(key);
    for (const [link, user] of this.owner) if (user === shopper) this.owner.delete(link);
    this.members.delete(shopper);
  }

  /** Files a touch under a shopper key (as the store resolved it). */
  add(who: string, t: Touch): void {
    const list = this.touches.get(who) ?? [];
    this.touches.set(who, list);
    list.push(t);
    if (list.length > KEEP) list.splice(0, list.length - KEEP);
  }

  private linkAnonymous(anonymousId: string, userId: string): void {
    const key = `a:${anonymousId}`;
    if (this.owner.has(key)) return;
    this.owner.set(key, userId);
    this.join(userId, `anon:${anonymousId}`);
  }

  /** `previousId` (a user or anonymous id) becomes `userId`, and so does everything it owned. */
  private alias(previousId: string, userId: string): void {
    const target = this.shopper(userId, null)!;
    if (target === previousId) return;
    for (const key of [`u:${previousId}`, `a:${previousId}`])
      if (!this.owner.has(key)) this.owner.set(key, target);
    for (const [link, user] of this.owner) if (user === previousId) this.owner.set(link, target);
    this.join(target, previousId);
    this.join(target, `anon:${previousId}`);
    for (const member of this.members.get(previousId) ?? []) this.join(target, member);
    this.members.delete(previousId);
  }

  private join(user: string, member: string): void {
    const set = this.members.get(user) ?? new Set<string>();
    this.members.set(user, set);
    set.add(member);
  }
}
