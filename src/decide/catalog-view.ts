import type { Item } from '../store/records.js';
import type { Store } from '../store/store.js';

/** Catalog filters a request may ask for. */
export interface ItemFilter {
  /** A category path; its sub-categories match too. */
  category?: string;
  brand?: string;
  minPrice?: number;
  maxPrice?: number;
  /** Only items in stock (and available). */
  inStock?: boolean;
}

/** Whether an item is in a category or one of its sub-categories ("Shoes" covers "Shoes > Running"). */
export function inCategory(record: Item | undefined, category: string): boolean {
  const c = record?.category;
  return !!c && (c === category || c.startsWith(`${category} > `));
}

/** Whether a catalog record passes the request's filters (an unknown record passes only when no filter asks about it). */
export function passes(record: Item | undefined, f: ItemFilter): boolean {
  if (f.category !== undefined && !inCategory(record, f.category)) return false;
  if (f.brand !== undefined && record?.brand?.toLowerCase() !== f.brand.toLowerCase()) return false;
  if (f.minPrice !== undefined && !(record?.price != null && record.price >= f.minPrice)) return false;
  if (f.maxPrice !== undefined && !(record?.price != null && record.price <= f.maxPrice)) return false;
  if (f.inStock && !(record?.available && (record.stock === null || record.stock > 0))) return false;
  return true;
}

/**
 * The catalog in memory for serving: every filter, rule and explanation reads item records here
 * instead of the database, and item writes through the engine keep it current.
 */
export class CatalogView {
  private readonly byId = new Map<string, Item>();
  private newest: Item[] | null = null;

  /** Reads the whole catalog from the store, page by page. */
  static async load(store: Store): Promise<CatalogView> {
    const view = new CatalogView();
    let cursor: string | undefined;
    do {
      const page = await store.listItems({ limit: 1000, cursor });
      for (const item of page.items) view.byId.set(item.id, item);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return view;
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Item | undefined {
    return this.byId.get(id);
  }

  upsert(items: readonly Item[]): void {
    for (const item of items) this.byId.set(item.id, item);
    this.newest = null;
  }

  remove(id: string): void {
    this.byId.delete(id);
    this.newest = null;
  }

  /** Items, newest first (by creation time, then id). */
  byNewest(): readonly Item[] {
    this.newest ??= [...this.byId.values()].sort(
      (a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1),
    );
    return this.newest;
  }

  all(): IterableIterator<Item> {
    return this.byId.values();
  }
}
