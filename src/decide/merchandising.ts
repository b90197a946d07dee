import type { Item } from '../store/records.js';
import type { MerchandisingRules } from './serving-settings.js';

/** An item a surface may show, before and after the shop's rules. */
export interface Candidate {
  itemId: string;
  /** Relevance from its source (any scale; only the order within one list matters). */
  score: number;
  /** What produced it: a model id, "trending", "popular", "pinned", ... */
  source: string;
  record: Item | undefined;
}

const topCategory = (category: string | null) => category?.split(' > ')[0] ?? null;

/** Whether a rule's match (item, category with sub-categories, or brand) covers an item. */
export function matches(
  m: { itemId?: string; category?: string; brand?: string },
  itemId: string,
  record: Item | undefined,
): boolean {
  if (m.itemId !== undefined) return m.itemId === itemId;
  if (m.category !== undefined) {
    const c = record?.category;
    return !!c && (c === m.category || c.startsWith(`${m.category} > `));
  }
  return !!record?.brand && record.brand.toLowerCase() === m.brand!.toLowerCase();
}

/** Whether the rules allow showing an item at all (stock and margin); applied while ranking. */
export function allowed(rules: MerchandisingRules, record: Item | undefined): boolean {
  if (!record) return true;
  if (rules.hideOutOfStock && (!record.available || (record.stock !== null && record.stock <= 0)))
    return false;
  if (rules.minMargin !== null && record.price !== null && record.cost !== null && record.price > 0) {
    if ((record.price - record.cost) / record.price < rules.minMargin) return false;
  }
  return true;
}

/**
 * Turns a ranked pool of candidates into the list shown: boosts scale relevance, buried items sink
 * below the rest, MMR trades relevance for variety (`similarity` between item ids), caps limit
 * items per brand and top-level category, and pinned items take their positions. The pool should
 * hold a few times `k` candidates so caps and diversity have room.
 */
export function merchandise(
  pool: readonly Candidate[],
  k: number,
  rules: MerchandisingRules,
  pinned: readonly Candidate[] = [],
  similarity?: (a: string, b: string) => number,
): Candidate[] {
  const pinnedIds = new Set(pinned.map((p) => p.itemId));
  const rest = pool.filter((c) => !pinnedIds.has(c.itemId));
  // Relevance in [0, 1] so boost factors mean the same whatever the source's scale.
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const c of rest) {
    lo = Math.min(lo, c.score);
    hi = Math.max(hi, c.score);
  }
  const scaled = rest.map((c, rank) => {
    let relevance = hi > lo ? (c.score - lo) / (hi - lo) : 1 - rank / Math.max(1, rest.length);
    for (const b of rules.boost) if (matches(b, c.itemId, c.record)) relevance *= b.factor;
    const buried = rules.bury.some((b) => matches(b, c.itemId, c.record));
    return { c, relevance, buried };
  });
  scaled.sort((a, b) => Number(a.buried) - Number(b.buried) || b.relevance - a.relevance);

  const chosen: Candidate[] = [];
  const brands = new Map<string, number>();
  const categories = new Map<string, number>();
  const capped = rules.maxPerBrand !== null || rules.maxPerCategory !== null;
  const fits = (c: Candidate) => {
    if (!capped) return true;
    const brand = c.record?.brand?.toLowerCase();
    const category = topCategory(c.record?.category ?? null);
    return (
      (rules.maxPerBrand === null || !brand || (brands.get(brand) ?? 0) < rules.maxPerBrand) &&
      (rules.maxPerCategory === null || !category || (categories.get(category) ?? 0) < rules.maxPerCategory)
    );
  };
  const take = (c: Candidate) => {
    chosen.push(c);
    if (!capped) return;
    const brand = c.record?.brand?.toLowerCase();
    const category = topCategory(c.record?.category ?? null);
    if (brand) brands.set(brand, (brands.get(brand) ?? 0) + 1);
    if (category) categories.set(category, (categories.get(category) ?? 0) + 1);
  };
  for (const p of pinned) take(p);
  const open = scaled.filter((s) => fits(s.c));
  const lambda = rules.diversity;
  while (chosen.length < k + pinned.length && open.length > 0) {
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < open.length; i++) {
      const s = open[i]!;
      if (!fits(s.c)) continue;
      let value = s.relevance - (s.buried ? 1e6 : 0);
      if (lambda !== null && similarity && chosen.length > 0) {
        let closest = 0;
        for (const c of chosen) closest = Math.max(closest, similarity(s.c.itemId, c.itemId));
        value = lambda * value - (1 - lambda) * closest;
      }
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
      // Without diversification the list is already in order: the first that fits wins.
      if (lambda === null || !similarity) break;
    }
    if (best < 0) break;
    take(open[best]!.c);
    open.splice(best, 1);
  }
  // Pins move from the front to their positions (1-based); the others keep their order.
  const ranked = chosen.slice(pinned.length);
  const byPosition = pinned
    .map((p) => ({ p, position: rules.pin.find((r) => r.itemId === p.itemId)?.position ?? 1 }))
    .sort((a, b) => a.position - b.position);
  for (const { p, position } of byPosition) ranked.splice(Math.min(position - 1, ranked.length), 0, p);
  return ranked.slice(0, k);
}
