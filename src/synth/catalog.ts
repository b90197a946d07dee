import type { Rng } from '../core/rng.js';
import { type Calendar, DAY_MS } from './calendar.js';
import { ADJECTIVES, BRAND_HEADS, BRAND_TAILS, TAXONOMY } from './taxonomy.js';

/**
 * The catalog of a synthetic store and the hidden item parameters behind it: latent vectors, brand
 * quality, popularity, base prices and their changes over time, and the planted co-purchase pairs.
 * Items are kept in typed arrays indexed by position so the session loop never looks anything up by id.
 */

/** Dimension of item and taste vectors. */
export const LATENT_DIM = 8;
/** Popularity enters item choice as `−zipf · ln(rank)`, i.e. weight ∝ rank^−zipf. */
export const ZIPF_EXPONENT = 1.0;
/** Share of items introduced during the period (cold-start items). */
export const NEW_ITEM_SHARE = 0.1;
/** Share of items that run out of stock during the period. */
export const OUT_OF_STOCK_SHARE = 0.03;
/** List-price factors (relative to base) an item's price can change to. */
export const PRICE_FACTORS = [0.8, 0.85, 0.9, 0.95, 1, 1.05, 1.1, 1.15, 1.2];
/** Mean days between list-price changes of an item. */
export const DAYS_PER_PRICE_CHANGE = 120;
/** Standard deviations of the vector hierarchy: top category, leaf around top, item around leaf. */
export const VECTOR_SD = { top: 0.6, leaf: 0.3, item: 0.3 } as const;

/** A top-level category with its latent vector. */
export interface TopCategory {
  name: string;
  vector: Float64Array;
}

/** A leaf category: where items live, with its true price elasticity. */
export interface Leaf {
  path: string;
  top: number;
  /** Exponent of (price / base price) in the add-to-cart probability. */
  elasticity: number;
  medianPrice: number;
  vector: Float64Array;
  nouns: readonly string[];
  /** Indexes of the items in this leaf, ascending. */
  items: Int32Array;
}

/** A brand of one top category: premium multiplies prices, quality raises affinity and ratings. */
export interface Brand {
  name: string;
  top: number;
  premium: number;
  quality: number;
}

/** Two items bought together: when one is bought, the other joins the order with this probability. */
export interface PlantedPair {
  a: number;
  b: number;
  probability: number;
}

/** The generated catalog, item parameters in parallel typed arrays. */
export interface Catalog {
  size: number;
  tops: TopCategory[];
  leaves: Leaf[];
  brands: Brand[];
  ids: string[];
  titles: string[];
  descriptions: string[];
  attributes: Record<string, string>[];
  tags: string[][];
  leafOf: Int32Array;
  brandOf: Int32Array;
  basePrice: Float64Array;
  logBasePrice: Float64Array;
  cost: Float64Array;
  /** Popularity rank (1 = most popular) and its log weight `−zipf·ln(rank)`. */
  rank: Int32Array;
  popularity: Float64Array;
  /** Brand quality of each item (copied for the hot loop). */
  quality: Float64Array;
  /** Item vectors, row-major `size × LATENT_DIM`. */
  vectors: Float64Array;
  /** When the item was added to the catalog, and when it ran out of stock (Infinity if never), ms. */
  createdAt: Float64Array;
  outOfStockAt: Float64Array;
  stock: Int32Array;
  /** List-price changes: for item i, days `changeDay[changeOffset[i] .. changeOffset[i+1])` with new prices. */
  changeOffset: Int32Array;
  changeDay: Int32Array;
  changePrice: Float64Array;
  pairs: PlantedPair[];
  /** Partner of each item in a planted pair (−1 if none) and the pair's probability. */
  partner: Int32Array;
  partnerProbability: Float64Array;
}

/** Rounds money to cents. */
export function cents(x: number): number {
  return Math.round(x * 100) / 100;
}

function pricePoint(x: number): number {
  if (x >= 10) return Math.max(0.99, Math.round(x) - 0.01);
  return Math.max(0.49, Math.round(x * 2) / 2 - 0.01);
}

/** Builds the catalog of `size` items from the taxonomy. */
export function buildCatalog(size: number, calendar: Calendar, rng: Rng): Catalog {
  const dim = LATENT_DIM;
  const tops: TopCategory[] = TAXONOMY.map((t) => ({
    name: t.name,
    vector: normalVector(rng, dim, 0, VECTOR_SD.top),
  }));
  const leafSpecs = TAXONOMY.flatMap((t, top) => t.leaves.map((l) => ({ spec: l, top })));
  const leafItems: number[][] = leafSpecs.map(() => []);
  const leaves: Leaf[] = leafSpecs.map(({ spec, top }) => ({
    path: [TAXONOMY[top]!.name, ...spec.path].join(' > '),
    top,
    elasticity: Math.min(-0.2, Math.round((TAXONOMY[top]!.elasticity + rng.normal(0, 0.15)) * 100) / 100),
    medianPrice: spec.medianPrice,
    vector: normalVector(rng, dim, 0, VECTOR_SD.leaf, tops[top]!.vector),
    nouns: spec.nouns,
    items: new Int32Array(0),
  }));

  const names = rng.shuffle(BRAND_HEADS.flatMap((h) => BRAND_TAILS.map((t) => h + t)));
  const brands: Brand[] = [];
  const brandsOfTop: number[][] = TAXONOMY.map(() => []);
  TAXONOMY.forEach((_, top) => {
    const count = 4 + rng.int(3);
    for (let k = 0; k < count; k++) {
      const premium = Math.round(Math.exp(rng.normal(0, 0.25)) * 1000) / 1000;
      const quality = Math.round((0.8 * Math.log(premium) + rng.normal(0, 0.15)) * 1000) / 1000;
      brandsOfTop[top]!.push(brands.length);
      brands.push({ name: names[brands.length % names.length]!, top, premium, quality });
    }
  });

  const fresh = Math.floor(size * NEW_ITEM_SHARE);
  const initial = size - fresh;
  const leafOrder = rng.shuffle(leaves.map((_, i) => i));
  const c: Catalog = {
    size,
    tops,
    leaves,
    brands,
    ids: [],
    titles: [],
    descriptions: [],
    attributes: [],
    tags: [],
    leafOf: new Int32Array(size),
    brandOf: new Int32Array(size),
    basePrice: new Float64Array(size),
    logBasePrice: new Float64Array(size),
    cost: new Float64Array(size),
    rank: new Int32Array(size),
    popularity: new Float64Array(size),
    quality: new Float64Array(size),
    vectors: new Float64Array(size * dim),
    createdAt: new Float64Array(size),
    outOfStockAt: new Float64Array(size).fill(Number.POSITIVE_INFINITY),
    stock: new Int32Array(size),
    changeOffset: new Int32Array(size + 1),
    changeDay: new Int32Array(0),
    changePrice: new Float64Array(0),
    pairs: [],
    partner: new Int32Array(size).fill(-1),
    partnerProbability: new Float64Array(size),
  };
  const width = Math.max(5, String(size).length);
  const ranks = rng.shuffle(Array.from({ length: size }, (_, i) => i + 1));
  const freshDays = Array.from({ length: fresh }, () => 1 + rng.int(Math.max(1, calendar.days - 1))).sort(
    (a, b) => a - b,
  );
  const changeDays: number[] = [];
  const changePrices: number[] = [];

  for (let i = 0; i < size; i++) {
    const leafIndex = i < Math.min(initial, leaves.length) ? leafOrder[i]! : rng.int(leaves.length);
    const leaf = leaves[leafIndex]!;
    const spec = TAXONOMY[leaf.top]!;
    const brand = brandsOfTop[leaf.top]![rng.int(brandsOfTop[leaf.top]!.length)]!;
    const noun = rng.pick(leaf.nouns);
    const adjective = rng.pick(ADJECTIVES);
    const attributes: Record<string, string> = {};
    for (const [key, values] of Object.entries(spec.attributes)) attributes[key] = rng.pick(values);
    const b = brands[brand]!;
    const title = `${b.name} ${adjective} ${noun}${attributes.color ? `, ${capitalize(attributes.color)}` : ''}`;
    const details = Object.entries(attributes)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    const base = pricePoint(leaf.medianPrice * Math.exp(rng.normal(0, spec.priceSigma)) * b.premium);
    const [lo, hi] = spec.costRatio;

    c.ids.push(`p${String(i + 1).padStart(width, '0')}`);
    c.titles.push(title);
    c.descriptions.push(`${adjective} ${noun.toLowerCase()} by ${b.name}. ${details}.`);
    c.attributes.push(attributes);
    c.leafOf[i] = leafIndex;
    c.brandOf[i] = brand;
    c.basePrice[i] = base;
    c.logBasePrice[i] = Math.log(base);
    c.cost[i] = cents(base * rng.uniform(lo, hi));
    c.rank[i] = ranks[i]!;
    c.popularity[i] = -ZIPF_EXPONENT * Math.log(ranks[i]!);
    c.quality[i] = b.quality;
    const v = normalVector(rng, dim, 0, VECTOR_SD.item, leaf.vector);
    c.vectors.set(v, i * dim);
    c.createdAt[i] =
      i < initial
        ? calendar.start - (30 + rng.int(700)) * DAY_MS + rng.int(DAY_MS)
        : calendar.timeInDay(freshDays[i - initial]!, rng);
    c.stock[i] = 5 + rng.int(400);
    leafItems[leafIndex]!.push(i);

    c.changeOffset[i] = changeDays.length;
    const changes = rng.poisson(calendar.days / DAYS_PER_PRICE_CHANGE);
    const days = Array.from({ length: changes }, () => 1 + rng.int(Math.max(1, calendar.days - 1))).sort(
      (x, y) => x - y,
    );
    let previous = base;
    for (let k = 0; k < days.length; k++) {
      if (k > 0 && days[k] === days[k - 1]) continue;
      const price = cents(base * rng.pick(PRICE_FACTORS));
      if (price === previous) continue;
      changeDays.push(days[k]!);
      changePrices.push(price);
      previous = price;
    }
    const tags = [leaf.path.split(' > ').at(-1)!.toLowerCase()];
    if (i >= initial) tags.push('new');
    if (ranks[i]! <= Math.max(1, Math.floor(size / 20))) tags.push('bestseller');
    if (rng.bernoulli(0.1)) tags.push('eco');
    c.tags.push(tags);
  }
  c.changeOffset[size] = changeDays.length;
  c.changeDay = Int32Array.from(changeDays);
  c.changePrice = Float64Array.from(changePrices);
  leaves.forEach((leaf, k) => {
    leaf.items = Int32Array.from(leafItems[k]!);
  });

  plantPairs(c, initial, rng);
  for (let i = 0; i < size; i++) {
    if (c.partner[i] === -1 && rng.bernoulli(OUT_OF_STOCK_SHARE)) {
      const from = Math.max(c.createdAt[i]!, calendar.start) + 1;
      c.outOfStockAt[i] = from + Math.floor(rng.uniform(0.3, 1) * (calendar.end - from));
      c.stock[i] = 0;
    }
  }
  return c;
}

/**
 * Plants co-purchase pairs between popular items of the initial catalog, preferring a partner in
 * another leaf of the same top category (phone case with charger, knife with cutting board).
 */
function plantPairs(c: Catalog, initial: number, rng: Rng): void {
  if (initial < 2) return;
  const count = Math.min(50, Math.max(1, Math.floor(c.size / 20)));
  const byRank = Array.from({ length: initial }, (_, i) => i).sort((x, y) => c.rank[x]! - c.rank[y]!);
  const anchors = rng.shuffle(byRank.slice(0, Math.max(2, Math.ceil(initial * 0.4))));
  for (const a of anchors) {
    if (c.pairs.length >= count) break;
    if (c.partner[a] !== -1) continue;
    const top = c.leaves[c.leafOf[a]!]!.top;
    const free = (i: number) => i !== a && c.partner[i] === -1;
    const sameTop = byRank.filter(
      (i) => free(i) && c.leafOf[i] !== c.leafOf[a] && c.leaves[c.leafOf[i]!]!.top === top,
    );
    const pool = sameTop.length > 0 ? sameTop : byRank.filter(free);
    if (pool.length === 0) break;
    const b = pool[rng.int(Math.min(pool.length, 10))]!;
    const probability = Math.round(rng.uniform(0.25, 0.55) * 100) / 100;
    c.pairs.push({ a, b, probability });
    c.partner[a] = b;
    c.partner[b] = a;
    c.partnerProbability[a] = probability;
    c.partnerProbability[b] = probability;
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function normalVector(rng: Rng, dim: number, mean: number, sd: number, around?: Float64Array): Float64Array {
  const v = new Float64Array(dim);
  for (let k = 0; k < dim; k++)
    v[k] = Math.round((around ? around[k]! : mean) * 1e4 + rng.normal(0, sd) * 1e4) / 1e4;
  return v;
}

/** The list price of an item on a day: its base price, or the price of its latest change. */
export function listPrice(c: Catalog, item: number, day: number): number {
  let price = c.basePrice[item]!;
  const end = c.changeOffset[item + 1]!;
  for (let k = c.changeOffset[item]!; k < end; k++) {
    if (c.changeDay[k]! > day) break;
    price = c.changePrice[k]!;
  }
  return price;
}

/** One line of items.jsonl: the catalog as the store knows it at the end of the period. */
export function itemLine(c: Catalog, i: number, calendar: Calendar): string {
  const last = c.changeOffset[i + 1]! - 1;
  const updatedAt =
    last >= c.changeOffset[i]! ? calendar.start + c.changeDay[last]! * DAY_MS : c.createdAt[i]!;
  const leaf = c.leaves[c.leafOf[i]!]!;
  return JSON.stringify({
    id: c.ids[i],
    title: c.titles[i],
    description: c.descriptions[i],
    category: leaf.path,
    brand: c.brands[c.brandOf[i]!]!.name,
    price: listPrice(c, i, calendar.days - 1),
    cost: c.cost[i],
    currency: 'USD',
    stock: c.stock[i],
    available: c.stock[i]! > 0,
    attributes: c.attributes[i],
    tags: c.tags[i],
    createdAt: new Date(c.createdAt[i]!).toISOString(),
    updatedAt: new Date(Math.max(updatedAt, c.createdAt[i]!)).toISOString(),
  });
}
