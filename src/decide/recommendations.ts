import { randomUUID } from 'node:crypto';
import type { SparseRow } from '../core/csr.js';
import { LruCache } from '../core/lru-cache.js';
import type { Counter } from '../core/metrics.js';
import { topK } from '../core/topk.js';
import type { Fitted, UserInput } from '../models/recommend/contract.js';
import type { Suggestions } from '../models/rules/association-rules.js';
import type { Item, StoredEvent } from '../store/records.js';
import { type CatalogView, type ItemFilter, inCategory, passes } from './catalog-view.js';
import type { LiveTrending } from './live-trending.js';
import { allowed, type Candidate, merchandise } from './merchandising.js';
import type { ModelBundle } from './model-bundle.js';
import type { MerchandisingRules, ServingSettings, SOURCES } from './serving-settings.js';
import type { ShopperActivity } from './shopper-activity.js';

/** What a list request may ask for. */
export interface ListQuery extends ItemFilter {
  k: number;
  /** Item ids never to return. */
  exclude?: readonly string[];
  /** A configured strategy name ("default" when absent). */
  strategy?: string;
}

/** What a similar-items request may ask for. */
export type SimilarQuery = ListQuery & { kind?: 'auto' | 'collaborative' | 'content' };

/**
 * Every field of a similar-items query, in a fixed order: the answer cache's key. A field added to
 * the query type but not here fails to compile. Other fields (the shopper, who only owns the
 * impression) do not change the answer.
 */
const SIMILAR_KEY = Object.keys({
  k: true,
  exclude: true,
  strategy: true,
  kind: true,
  category: true,
  brand: true,
  minPrice: true,
  maxPrice: true,
  inStock: true,
} satisfies Record<keyof SimilarQuery, true>);

/** One recommended item: what it is, how strongly, where it came from and why. */
export interface RecommendedItem {
  itemId: string;
  score: number;
  source: string;
  reason: string;
}

/** A list as served; `recommendationId` ties later clicks and orders to it. */
export interface RecommendationList {
  recommendationId: string;
  surface: 'user' | 'similar' | 'trending' | 'latest' | 'session' | 'basket' | 'bought-together';
  strategy: string;
  model: string;
  version: string | null;
  /** Frozen when the list came from a cache: the same array may be served again. */
  items: readonly RecommendedItem[];
}

/** A request the service cannot answer as asked (unknown strategy, unknown item): HTTP 4xx. */
export class ServingError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404,
    readonly field?: string,
  ) {
    super(message);
  }
}

type Source = (typeof SOURCES)[number];

/** A strategy with the settings' defaults filled in. */
interface ResolvedStrategy {
  name: string;
  model: string;
  fallback: readonly Source[];
  rules: MerchandisingRules;
}

/** A shopper as the models see them at request time. */
interface Shopper {
  key: string;
  /** Bundle user index when they have exactly one training row and nothing new (the fast path). */
  input: UserInput | null;
  /** Distinct items with positive interest. */
  history: number;
  /** Bundle item index -> their strongest event name, for "because you bought ...". */
  anchors: Map<number, string>;
  /** Item ids never to show them. */
  excluded: Set<string>;
  /** Categories of what they touched, latest last (for popular-in-category). */
  categories: string[];
}

const VERB: Record<string, string> = {
  'Order Completed': 'bought',
  'Product Added': 'added',
  'Checkout Started': 'added',
  'Product Reviewed': 'reviewed',
  'Product Added to Wishlist': 'saved',
  'Product Shared': 'shared',
};
const STRENGTH = [
  'Order Completed',
  'Checkout Started',
  'Product Added',
  'Product Reviewed',
  'Product Added to Wishlist',
];

/**
 * Every list a storefront asks for, answered in memory from the served model bundle plus what
 * shoppers did since it was trained: personalized lists through a fallback chain, similar items,
 * trending and new arrivals, each filtered, merchandised and explained.
 */
export class RecommendationService {
  private bundle: ModelBundle | null = null;
  /** Catalog record of each bundle item (undefined when the catalog does not know it). */
  private records: (Item | undefined)[] = [];
  /** Bundle item indices by how many shoppers interacted with them, most first. */
  private popularOrder: Uint32Array = new Uint32Array(0);
  private popularCount: Float32Array = new Float32Array(0);
  private readonly embeddings = new Map<string, SparseRow>();
  /** Shopper keys erased since the served version was trained: their training rows are ignored. */
  private readonly erased = new Set<string>();
  /** Similar-item answers by item and query; emptied when the version, the catalog or the rules change. */
  private readonly similarAnswers: LruCache<string, { model: string; items: readonly RecommendedItem[] }>;

  constructor(
    private settings: ServingSettings,
    readonly catalog: CatalogView,
    readonly activity: ShopperActivity,
    private readonly trending: LiveTrending,
    private readonly clock: () => number,
    /** Counts similar-item answers by `result`: hit (from the cache) or miss. */
    private readonly similarLookups?: Counter,
  ) {
    this.similarAnswers = new LruCache(settings.similarCacheSize);
  }

  /** The version being served, or null before the first training. */
  get version(): string | null {
    return this.bundle?.version ?? null;
  }

  get current(): ModelBundle | null {
    return this.bundle;
  }

  /** Starts serving a bundle (atomically: the next request sees all of it). */
  use(bundle: ModelBundle): void {
    const cols = bundle.interactions.cols;
    const count = new Float32Array(cols);
    for (const i of bundle.interactions.indices) count[i]! += 1;
    const order = Uint32Array.from({ length: cols }, (_, i) => i).sort(
      (a, b) => count[b]! - count[a]! || a - b,
    );
    this.records = bundle.items.list().map((id) => this.catalog.get(id));
    this.popularCount = count;
    this.popularOrder = order;
    this.embeddings.clear();
    this.erased.clear();
    this.similarAnswers.clear();
    this.bundle = bundle;
    this.activity.trim(bundle.manifest.cutoff);
  }

  /** Stops using what the served version learned about these shopper keys (erasure). */
  erase(keys: readonly string[]): void {
    for (const k of keys) this.erased.add(k);
  }

  /** Identified shoppers of the served version (erased ones left out), for batch exports. */
  users(): string[] {
    return this.bundle?.users.list().filter((u) => !u.startsWith('anon:') && !this.erased.has(u)) ?? [];
  }

  /** Takes in freshly stored events: shoppers' recent activity and the trending counts. */
  observe(events: readonly StoredEvent[]): void {
    const weights = this.bundle?.manifest.weights;
    const excluded = this.settings.excludeEvents;
    this.activity.observe(events, (e) => (weights ? e in weights : true) || excluded.includes(e));
    for (const e of events) {
      if (e.type !== 'track' || !e.event) continue;
      if (e.products) for (const p of e.products) this.trending.add(p.productId, e.event, e.timestamp);
      else if (e.itemId) this.trending.add(e.itemId, e.event, e.timestamp);
    }
  }

  /** Keeps filters and rules current when the catalog changes. */
  catalogChanged(ids: readonly string[]): void {
    const b = this.bundle;
    // Any item's stock, price or fields can change any answer's filters and rules.
    this.similarAnswers.clear();
    for (const id of ids) {
      this.embeddings.delete(id);
      const i = b?.items.get(id);
      if (i !== undefined) this.records[i] = this.catalog.get(id);
    }
  }

  /** The rules in force (the default strategy's). */
  get merchandising(): MerchandisingRules {
    return this.settings.merchandising;
  }

  /** Replaces the default merchandising rules (already validated). */
  setMerchandising(rules: MerchandisingRules): void {
    this.settings = { ...this.settings, merchandising: rules };
    this.similarAnswers.clear();
  }

  /** A personalized list for a user (or an anonymous id as `anon:<id>`), through the fallback chain. */
  forUser(userId: string, q: ListQuery): RecommendationList {
    const strategy = this.strategy(q.strategy);
    const b = this.bundle;
    const shopper = this.shopper(userId, q.exclude);
    const model = b ? (b.model(strategy.model) ?? null) : null;
    const pool: Candidate[] = [];
    const inPool = new Set<string>();
    const want = q.k * 3 + strategy.rules.pin.length;
    const ok = (itemId: string, record: Item | undefined) =>
      !inPool.has(itemId) && !shopper.excluded.has(itemId) && this.showable(record, q, strategy.rules);
    const add = (itemId: string, score: number, source: string) => {
      inPool.add(itemId);
      pool.push({ itemId, score, source, record: this.catalog.get(itemId) });
    };
    for (const source of strategy.fallback) {
      if (pool.length >= want) break;
      this.fill(source, shopper, model, q, want - pool.length, ok, add);
    }
    const items = this.finish(pool, q.k, strategy.rules, ok, shopper, model);
    return this.list('user', strategy.name, model?.name ?? strategy.fallback[0]!, items);
  }

  /**
   * Items like `itemId`: collaborative neighbors first, then content neighbors (also for items added
   * since training). The answer depends only on the item, the query, the version, the catalog and
   * the rules, so it is kept for the next identical request (frozen, as it is shared).
   */
  similarTo(itemId: string, q: SimilarQuery): RecommendationList {
    const strategy = this.strategy(q.strategy);
    this.known(itemId);
    const key = `${itemId}\u0000${JSON.stringify(q, SIMILAR_KEY)}`;
    let answer = this.similarAnswers.get(key);
    this.similarLookups?.inc(answer ? HIT : MISS);
    if (answer === undefined) {
      answer = this.rankSimilar(itemId, q, strategy);
      this.similarAnswers.set(key, answer);
    }
    return this.list('similar', strategy.name, answer.model, answer.items);
  }

  /** Ranks similar items afresh (no cache), as frozen items. */
  private rankSimilar(
    itemId: string,
    q: SimilarQuery,
    strategy: ResolvedStrategy,
  ): { model: string; items: readonly RecommendedItem[] } {
    const b = this.bundle;
    const record = this.catalog.get(itemId);
    const index = b?.items.get(itemId);
    const exclude = new Set([itemId, ...(q.exclude ?? [])]);
    const pool: Candidate[] = [];
    const inPool = new Set<string>();
    const want = q.k * 3 + strategy.rules.pin.length;
    const ok = (id: string, r: Item | undefined) =>
      !inPool.has(id) && !exclude.has(id) && this.showable(r, q, strategy.rules);
    const keep = (i: number, score: number, source: string) => {
      const id = b!.items.id(i);
      inPool.add(id);
      pool.push({ itemId: id, score, source, record: this.records[i] });
    };
    const take = (scores: Float32Array, source: string) => {
      const ranked = topK(scores, want - pool.length, (i) => !ok(b!.items.id(i), this.records[i]));
      for (let r = 0; r < ranked.items.length; r++) keep(ranked.items[r]!, ranked.scores[r]!, source);
    };
    const kind = q.kind ?? 'auto';
    const collaborative = b?.manifest.surfaces.similar ? b.model(b.manifest.surfaces.similar) : undefined;
    if (b && index !== undefined && kind !== 'content' && collaborative?.similarItems) {
      const lists = b.lists.items;
      const final =
        lists?.model === collaborative.name &&
        lists.walk(index, want - pool.length, (i, score) => {
          if (!ok(b.items.id(i), this.records[i])) return false;
          keep(i, score, collaborative.name);
          return true;
        });
      if (!final) {
        const scores = new Float32Array(collaborative.items);
        collaborative.similarItems(index, scores);
        take(scores, collaborative.name);
      }
    }
    const content = b?.content();
    if (b && content && kind !== 'collaborative' && pool.length < want) {
      const scores = new Float32Array(content.items);
      const vector = index !== undefined ? null : this.embedding(itemId, record);
      if (vector) content.similarToVector(vector, scores);
      else content.similarItems(index!, scores);
      take(scores, 'content');
      if (pool.length < want) {
        const mine = vector ?? this.embedding(itemId, record);
        if (mine)
          this.freshByContent(
            (v) => dotSparse(mine, v),
            want - pool.length,
            ok,
            (id, s) => {
              inPool.add(id);
              pool.push({ itemId: id, score: s, source: 'content', record: this.catalog.get(id) });
            },
          );
      }
    }
    const items = merchandise(pool, q.k, strategy.rules, [], this.similarityOf()).map((c) =>
      Object.freeze({
        itemId: c.itemId,
        score: c.score,
        source: c.source,
        reason:
          c.source === 'content'
            ? `similar to ${title(itemId, record)}`
            : `shoppers who liked ${title(itemId, record)} also liked this`,
      }),
    );
    return { model: collaborative?.name ?? 'content', items: Object.freeze(items) };
  }

  /** Trending items (time-decayed popularity), optionally within a category. */
  trendingList(q: ListQuery): RecommendationList {
    const strategy = this.strategy(q.strategy);
    const exclude = new Set(q.exclude ?? []);
    const top = this.trending.top(
      q.k * 3 + 10,
      this.clock(),
      (id) => !exclude.has(id) && this.showable(this.catalog.get(id), q, strategy.rules),
    );
    const pool = top.map((t) => ({
      itemId: t.itemId,
      score: t.score,
      source: 'trending',
      record: this.catalog.get(t.itemId),
    }));
    const items = merchandise(pool, q.k, strategy.rules).map((c) => ({
      ...strip(c),
      reason: trendingReason(c.record),
    }));
    return this.list('trending', strategy.name, 'trending', items);
  }

  /** The newest catalog items, optionally filtered. */
  latestList(q: ListQuery): RecommendationList {
    const strategy = this.strategy(q.strategy);
    const exclude = new Set(q.exclude ?? []);
    const pool: Candidate[] = [];
    for (const item of this.catalog.byNewest()) {
      if (pool.length >= q.k * 3) break;
      if (!exclude.has(item.id) && this.showable(item, q, strategy.rules))
        pool.push({ itemId: item.id, score: item.createdAt, source: 'latest', record: item });
    }
    const items = merchandise(pool, q.k, strategy.rules).map((c) => ({
      ...strip(c),
      reason: latestReason(c.record),
    }));
    return this.list('latest', strategy.name, 'latest', items);
  }

  /** Items often bought with `itemId` (association rules from orders), topped up with similar items. */
  boughtTogether(itemId: string, q: ListQuery): RecommendationList {
    this.known(itemId);
    const b = this.bundle;
    const index = b?.items.get(itemId);
    const suggest = (k: number, skip: (i: number) => boolean) =>
      b?.rules && index !== undefined ? b.rules.boughtTogether(index, k, skip) : null;
    return this.fromRules('bought-together', [itemId], q, suggest);
  }

  /** Add-ons for a basket: rules whose antecedent the basket holds, topped up with items like its last one. */
  completeBasket(itemIds: readonly string[], q: ListQuery): RecommendationList {
    const b = this.bundle;
    const indices = itemIds.map((id) => b?.items.get(id)).filter((i): i is number => i !== undefined);
    const suggest = (k: number, skip: (i: number) => boolean) =>
      b?.rules ? b.rules.complete(indices, k, skip) : null;
    return this.fromRules('basket', itemIds, q, suggest);
  }

  /**
   * Next items for a browsing session: the ids it viewed in order, or (when none are given) what
   * the shopper `shopperKey` viewed most recently, as stored. Topped up with items like the last
   * one viewed, then trending.
   */
  forSession(itemIds: readonly string[], q: ListQuery & { shopper?: string }): RecommendationList {
    const strategy = this.strategy(q.strategy);
    const b = this.bundle;
    let viewed = [...itemIds];
    if (viewed.length === 0 && q.shopper !== undefined) {
      const key = q.shopper.startsWith('anon:')
        ? this.activity.shopper(null, q.shopper.slice(5))
        : this.activity.shopper(q.shopper, null);
      if (key)
        viewed = this.activity
          .recent(key)
          .map((t) => t.item)
          .slice(-20);
    }
    const exclude = new Set([...viewed, ...(q.exclude ?? [])]);
    const pool: Candidate[] = [];
    const reasons = new Map<string, string>();
    const want = q.k * 3 + strategy.rules.pin.length;
    const ok = (id: string, r: Item | undefined) =>
      !reasons.has(id) && !exclude.has(id) && this.showable(r, q, strategy.rules);
    const last = viewed.at(-1);
    const lastName = last === undefined ? '' : title(last, this.catalog.get(last));
    const session = b?.session;
    if (session && viewed.length > 0) {
      const indices = viewed.map((id) => session.items.get(id)).filter((i): i is number => i !== undefined);
      const ranked = session.model.recommend(
        indices,
        want,
        (i) => !ok(session.items.id(i), this.catalog.get(session.items.id(i))),
      );
      for (let r = 0; r < ranked.items.length; r++) {
        const id = session.items.id(ranked.items[r]!);
        reasons.set(id, `viewed next by shoppers who viewed ${lastName}`);
        pool.push({
          itemId: id,
          score: ranked.scores[r]!,
          source: session.model.name,
          record: this.catalog.get(id),
        });
      }
    }
    if (pool.length < q.k && last !== undefined && this.catalog.get(last) !== undefined)
      this.topUp(
        pool,
        reasons,
        this.rankSimilar(last, { ...q, exclude: [...exclude, ...reasons.keys()] }, strategy).items,
      );
    if (pool.length < q.k)
      this.topUp(pool, reasons, this.trendingList({ ...q, exclude: [...exclude, ...reasons.keys()] }).items);
    const items = this.explained(pool, reasons, q.k, strategy.rules);
    return this.list('session', strategy.name, session?.model.name ?? 'similar', items);
  }

  // --- internals ---

  /** Throws 404 for an item neither the catalog nor the served version knows. */
  private known(itemId: string): void {
    if (!this.catalog.get(itemId) && this.bundle?.items.get(itemId) === undefined)
      throw new ServingError(`item "${itemId}" is unknown`, 404);
  }

  /** A rules list (bought together, basket add-ons) explained by each rule's antecedent, topped up with similar items. */
  private fromRules(
    surface: 'bought-together' | 'basket',
    anchors: readonly string[],
    q: ListQuery,
    suggest: (k: number, skip: (i: number) => boolean) => Suggestions | null,
  ): RecommendationList {
    const strategy = this.strategy(q.strategy);
    const b = this.bundle;
    const exclude = new Set([...anchors, ...(q.exclude ?? [])]);
    const pool: Candidate[] = [];
    const reasons = new Map<string, string>();
    const want = q.k * 3 + strategy.rules.pin.length;
    const ok = (id: string, r: Item | undefined) =>
      !reasons.has(id) && !exclude.has(id) && this.showable(r, q, strategy.rules);
    const found = b ? suggest(want, (i) => !ok(b.items.id(i), this.records[i])) : null;
    for (let r = 0; found && r < found.items.length; r++) {
      const i = found.items[r]!;
      const id = b!.items.id(i);
      const lhs = b!.rules!.rule(found.rules[r]!).lhs.map((x) => title(b!.items.id(x), this.records[x]));
      reasons.set(id, lhs.length > 0 ? `often bought with ${lhs.join(' and ')}` : 'often in baskets');
      pool.push({ itemId: id, score: found.scores[r]!, source: 'rules', record: this.records[i] });
    }
    const last = anchors.findLast(
      (id) => this.catalog.get(id) !== undefined || b?.items.get(id) !== undefined,
    );
    if (pool.length < q.k && last !== undefined)
      this.topUp(
        pool,
        reasons,
        this.rankSimilar(last, { ...q, exclude: [...exclude, ...reasons.keys()] }, strategy).items,
      );
    const items = this.explained(pool, reasons, q.k, strategy.rules);
    return this.list(surface, strategy.name, 'rules', items);
  }

  /** Merchandises a pool whose reasons are already known (rules, sessions and their top-ups). */
  private explained(
    pool: Candidate[],
    reasons: ReadonlyMap<string, string>,
    k: number,
    rules: MerchandisingRules,
  ): RecommendedItem[] {
    return merchandise(pool, k, rules, [], this.similarityOf()).map((c) => ({
      ...strip(c),
      reason: reasons.get(c.itemId)!,
    }));
  }

  /** Appends another list's items (not yet in the pool) with their sources and reasons. */
  private topUp(pool: Candidate[], reasons: Map<string, string>, other: readonly RecommendedItem[]): void {
    for (const item of other) {
      if (reasons.has(item.itemId)) continue;
      reasons.set(item.itemId, item.reason);
      pool.push({
        itemId: item.itemId,
        score: 0,
        source: item.source,
        record: this.catalog.get(item.itemId),
      });
    }
  }

  private strategy(name: string | undefined): ResolvedStrategy {
    const key = name ?? 'default';
    const s = this.settings.strategies[key];
    if (!s && key !== 'default')
      throw new ServingError(
        `strategy "${key}" is not configured (configured: ${['default', ...Object.keys(this.settings.strategies).filter((n) => n !== 'default')].join(', ')})`,
        400,
        'strategy',
      );
    return {
      name: key,
      model: s?.model ?? this.bundle?.manifest.surfaces.personalized ?? 'popularity',
      fallback: s?.fallback ?? this.settings.fallback,
      rules: s?.merchandising ?? this.settings.merchandising,
    };
  }

  /** Whether an item may appear at all: in the catalog (when there is one), filters, stock and margin rules. */
  private showable(record: Item | undefined, f: ItemFilter, rules: MerchandisingRules): boolean {
    if (!record && this.catalog.size > 0) return false;
    if (record && !record.available) return false;
    return passes(record, f) && allowed(rules, record);
  }

  /** Training rows under every key of the shopper plus their events since, as one input. */
  private shopper(userId: string, exclude: readonly string[] | undefined): Shopper {
    const key = userId.startsWith('anon:')
      ? this.activity.shopper(null, userId.slice(5))!
      : this.activity.shopper(userId, null)!;
    const b = this.bundle;
    const excluded = new Set(exclude ?? []);
    const anchors = new Map<number, string>();
    const categories: string[] = [];
    const cells = new Map<number, number>();
    let rows = 0;
    let only: number | undefined;
    const excludeEvents = this.settings.excludeEvents;
    if (b) {
      const mask = b.mask(excludeEvents);
      const strength = STRENGTH.map((e) => b.mask([e]));
      for (const k of this.activity.keys(key)) {
        if (this.erased.has(k)) continue;
        const u = b.users.get(k);
        if (u === undefined) continue;
        rows++;
        only = u;
        const r = b.row(u);
        for (let q = 0; q < r.indices.length; q++)
          cells.set(r.indices[q]!, (cells.get(r.indices[q]!) ?? 0) + r.values[q]!);
        const t = b.tracked;
        for (let p = t.indptr[u]!; p < t.indptr[u + 1]!; p++) {
          const bits = t.values[p]!;
          const item = t.indices[p]!;
          if (bits & mask) excluded.add(b.items.id(item));
          const strongest = strength.findIndex((m) => bits & m);
          anchors.set(item, strongest >= 0 ? STRENGTH[strongest]! : 'Product Viewed');
        }
      }
    }
    const recent = this.activity.recent(key);
    for (const t of recent) {
      if (excludeEvents.includes(t.event)) excluded.add(t.item);
      const category = this.catalog.get(t.item)?.category;
      if (category) categories.push(category);
      const i = b?.items.get(t.item);
      if (i === undefined || !b) continue;
      const w = b.manifest.weights[t.event] ?? 0;
      if (w !== 0) cells.set(i, (cells.get(i) ?? 0) + w);
      const before = anchors.get(i);
      if (
        !before ||
        (STRENGTH.indexOf(t.event) >= 0 &&
          (STRENGTH.indexOf(before) < 0 || STRENGTH.indexOf(t.event) < STRENGTH.indexOf(before)))
      )
        anchors.set(i, t.event);
    }
    for (const [i, w] of cells)
      if (!(w > 0)) {
        cells.delete(i);
        anchors.delete(i);
      }
    for (const i of anchors.keys()) if (!cells.has(i)) anchors.delete(i);
    if (b && categories.length === 0)
      for (const i of anchors.keys()) {
        const c = this.records[i]?.category;
        if (c) categories.push(c);
      }
    let input: UserInput | null = null;
    if (rows === 1 && recent.length === 0) input = only!;
    else if (cells.size > 0) {
      const indices = Uint32Array.from([...cells.keys()].sort((x, y) => x - y));
      input = { indices, values: Float32Array.from(indices, (i) => cells.get(i)!) };
    }
    return { key, input, history: cells.size, anchors, excluded, categories };
  }

  /** Adds up to `n` candidates from one source of the fallback chain. */
  private fill(
    source: Source,
    shopper: Shopper,
    model: Fitted | null,
    q: ListQuery,
    n: number,
    ok: (itemId: string, record: Item | undefined) => boolean,
    add: (itemId: string, score: number, source: string) => void,
  ): void {
    const b = this.bundle;
    const byIndex = (scores: Float32Array, label: string | ((i: number) => string), count = n) => {
      const ranked = topK(scores, count, (i) => !ok(b!.items.id(i), this.records[i]));
      for (let r = 0; r < ranked.items.length; r++) {
        const i = ranked.items[r]!;
        add(b!.items.id(i), ranked.scores[r]!, typeof label === 'string' ? label : label(i));
      }
    };
    switch (source) {
      case 'personalized': {
        if (!b || !model || shopper.input === null) return;
        const blend = shopper.history < this.settings.minHistory && model.name !== 'popularity';
        let left = n;
        // Nothing new since training: the precomputed list holds the answer unless filters drain it.
        const lists = b.lists.users;
        if (!blend && typeof shopper.input === 'number' && lists?.model === model.name) {
          const final = lists.walk(shopper.input, n, (i, score) => {
            const id = b.items.id(i);
            if (!ok(id, this.records[i])) return false;
            add(id, score, model.name);
            left--;
            return true;
          });
          if (final) return;
        }
        const scores = new Float32Array(model.items);
        model.score(shopper.input, scores);
        if (!blend) {
          byIndex(scores, model.name, left);
          return;
        }
        // A little history: lean on popularity in proportion to what is missing.
        const share = shopper.history / this.settings.minHistory;
        const own = scale(scores);
        const pop = scale(this.popularCount);
        const mixed = new Float32Array(scores.length);
        for (let i = 0; i < mixed.length; i++) mixed[i] = share * own[i]! + (1 - share) * pop[i]!;
        byIndex(mixed, (i) => (share * own[i]! >= (1 - share) * pop[i]! ? model.name : 'popular'));
        return;
      }
      case 'content': {
        const content = b?.content();
        if (!b || !content || shopper.input === null) return;
        const scores = new Float32Array(content.items);
        content.score(shopper.input, scores);
        byIndex(scores, 'content');
        const input = shopper.input;
        this.freshByContent(
          (v) => content.affinity(input, v),
          n,
          ok,
          (id, s) => add(id, s, 'content'),
        );
        return;
      }
      case 'category-popular': {
        const category = q.category ?? mostCommonTop(shopper.categories);
        if (!b || !category) return;
        let taken = 0;
        for (const i of this.popularOrder) {
          if (taken >= n || this.popularCount[i] === 0) break;
          const id = b.items.id(i);
          if (inCategory(this.records[i], category) && ok(id, this.records[i])) {
            add(id, this.popularCount[i]!, 'category-popular');
            taken++;
          }
        }
        return;
      }
      case 'trending':
        for (const t of this.trending.top(n, this.clock(), (id) => ok(id, this.catalog.get(id))))
          add(t.itemId, t.score, 'trending');
        return;
      case 'popular': {
        if (!b) return;
        let taken = 0;
        for (const i of this.popularOrder) {
          if (taken >= n || this.popularCount[i] === 0) break;
          const id = b.items.id(i);
          if (ok(id, this.records[i])) {
            add(id, this.popularCount[i]!, 'popular');
            taken++;
          }
        }
        return;
      }
      case 'latest': {
        let taken = 0;
        for (const item of this.catalog.byNewest()) {
          if (taken >= n) break;
          if (ok(item.id, item)) {
            add(item.id, item.createdAt, 'latest');
            taken++;
          }
        }
        return;
      }
    }
  }

  /** Scores catalog items added after training (at most the 2,000 newest) with `score` on their content vectors. */
  private freshByContent(
    score: (vector: SparseRow) => number,
    n: number,
    ok: (itemId: string, record: Item | undefined) => boolean,
    add: (itemId: string, score: number) => void,
  ): void {
    const b = this.bundle;
    if (!b) return;
    const found: { id: string; s: number }[] = [];
    let looked = 0;
    for (const item of this.catalog.byNewest()) {
      if (looked >= 2000 || item.createdAt <= b.manifest.cutoff) break;
      if (b.items.get(item.id) !== undefined) continue;
      looked++;
      if (!ok(item.id, item)) continue;
      const v = this.embedding(item.id, item);
      if (!v) continue;
      const s = score(v);
      if (s > 0) found.push({ id: item.id, s });
    }
    found.sort((x, y) => y.s - x.s);
    for (const f of found.slice(0, n)) add(f.id, f.s);
  }

  private embedding(id: string, record: Item | undefined): SparseRow | null {
    const content = this.bundle?.content();
    if (!content || !record) return null;
    let v = this.embeddings.get(id);
    if (!v) {
      v = content.embed({ ...record, attributes: record.attributes, tags: record.tags });
      this.embeddings.set(id, v);
    }
    return v.indices.length > 0 ? v : null;
  }

  /** Similarity between two item ids, for diversification and explanations (0 when unknown). */
  private similarityOf(): ((a: string, b: string) => number) | undefined {
    const b = this.bundle;
    if (!b) return undefined;
    const ids = [b.manifest.surfaces.similar, b.manifest.surfaces.content].filter((x): x is string => !!x);
    const model = ids.map((id) => b.model(id)).find((m) => m?.similarity);
    if (!model?.similarity) return undefined;
    return (x, y) => {
      const i = b.items.get(x);
      const j = b.items.get(y);
      return i === undefined || j === undefined ? 0 : model.similarity!(i, j);
    };
  }

  /** Merchandises the pool, tops it up when rules emptied it, and explains every item. */
  private finish(
    pool: Candidate[],
    k: number,
    rules: MerchandisingRules,
    ok: (itemId: string, record: Item | undefined) => boolean,
    shopper: Shopper,
    model: Fitted | null,
  ): RecommendedItem[] {
    const pinned: Candidate[] = [];
    for (const p of rules.pin) {
      const record = this.catalog.get(p.itemId);
      if (pool.some((c) => c.itemId === p.itemId) || ok(p.itemId, record))
        pinned.push({ itemId: p.itemId, score: 0, source: 'pinned', record });
    }
    const chosen = merchandise(pool, k, rules, pinned, this.similarityOf());
    return chosen.map((c) => ({ ...strip(c), reason: this.reason(c, shopper, model) }));
  }

  /** Why an item is in a shopper's list, in words. */
  private reason(c: Candidate, shopper: Shopper, model: Fitted | null): string {
    const b = this.bundle;
    switch (c.source) {
      case 'pinned':
        return 'featured by the shop';
      case 'trending':
        return trendingReason(c.record);
      case 'latest':
        return latestReason(c.record);
      case 'popular':
        return c.record?.category ? `popular in ${topLevel(c.record.category)}` : 'a best seller';
      case 'category-popular':
        return `popular in ${c.record?.category ?? 'this category'}`;
      default: {
        // A model's pick: the shopper's item that relates to it most.
        const sim =
          c.source === 'content'
            ? b?.content()
            : model?.similarity
              ? model
              : b?.model(b.manifest.surfaces.similar ?? '');
        const j = b?.items.get(c.itemId);
        let best: number | undefined;
        let bestScore = Number.NEGATIVE_INFINITY;
        if (b && sim?.similarity && j !== undefined) {
          for (const i of shopper.anchors.keys()) {
            const s = sim.similarity(i, j);
            if (s > bestScore) {
              bestScore = s;
              best = i;
            }
          }
        }
        if (best === undefined || !(bestScore > 0))
          return c.source === 'content' ? 'matches what you like' : 'picked for you';
        const anchorId = b!.items.id(best);
        const verb = VERB[shopper.anchors.get(best)!] ?? 'viewed';
        const name = title(anchorId, this.records[best]);
        return c.source === 'content'
          ? `similar to ${name}, which you ${verb}`
          : `because you ${verb} ${name}`;
      }
    }
  }

  private list(
    surface: RecommendationList['surface'],
    strategy: string,
    model: string,
    items: readonly RecommendedItem[],
  ): RecommendationList {
    return { recommendationId: randomUUID(), surface, strategy, model, version: this.version, items };
  }
}

const HIT = { result: 'hit' };
const MISS = { result: 'miss' };
const strip = (c: Candidate) => ({ itemId: c.itemId, score: c.score, source: c.source });
const title = (id: string, record: Item | undefined) => (record?.title ? `“${record.title}”` : id);
const topLevel = (category: string) => category.split(' > ')[0]!;
const trendingReason = (r: Item | undefined) =>
  r?.category ? `trending in ${topLevel(r.category)} this week` : 'trending this week';
const latestReason = (r: Item | undefined) =>
  r?.category ? `new in ${topLevel(r.category)}` : 'new arrival';

/** Scores scaled to [0, 1] (all zeros when they are all equal). */
function scale(scores: ArrayLike<number>): Float32Array {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (!Number.isFinite(s)) continue;
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  const out = new Float32Array(scores.length);
  if (hi > lo)
    for (let i = 0; i < out.length; i++)
      out[i] = Number.isFinite(scores[i]!) ? (scores[i]! - lo) / (hi - lo) : 0;
  return out;
}

function mostCommonTop(categories: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  // Recent categories count more: the latest 20 touches.
  for (const c of categories.slice(-20)) counts.set(c, (counts.get(c) ?? 0) + 1);
  let best: string | undefined;
  let n = 0;
  for (const [c, m] of counts) if (m > n) [best, n] = [c, m];
  return best;
}

function dotSparse(a: SparseRow, b: SparseRow): number {
  let p = 0;
  let q = 0;
  let s = 0;
  while (p < a.indices.length && q < b.indices.length) {
    if (a.indices[p] === b.indices[q]) s += a.values[p++]! * b.values[q++]!;
    else if (a.indices[p]! < b.indices[q]!) p++;
    else q++;
  }
  return s;
}
