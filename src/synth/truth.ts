import { DAY_MS, SEASONALITY } from './calendar.js';
import {
  type Catalog,
  DAYS_PER_PRICE_CHANGE,
  LATENT_DIM,
  NEW_ITEM_SHARE,
  OUT_OF_STOCK_SHARE,
  PRICE_FACTORS,
  VECTOR_SD,
  ZIPF_EXPONENT,
} from './catalog.js';
import type { JsonlWriter } from './jsonl.js';
import { SECOND_DEVICE_PROBABILITY, type Shopper, TASTE_SD } from './population.js';
import { SEGMENTS, VISIT_RATE_SIGMA } from './segments.js';
import { BEHAVIOUR, type History, type World } from './shopper.js';
import { TAXONOMY } from './taxonomy.js';

/**
 * The ground truth of a synthetic store: every parameter that generated the data, in the form later
 * modules need to check that they recover it. Per-shopper truth is streamed to truth-users.jsonl
 * while shoppers are simulated; truth.json holds the rest and is written at the end, its per-item
 * part streamed too, so memory stays bounded by users + items, never by events.
 */

/** Name of the per-shopper truth file, referenced from truth.json. */
export const TRUTH_USERS_FILE = 'truth-users.jsonl';

interface CampaignCell {
  eligible: number;
  treated: number;
  control: number;
  persuadable: number;
  sleepingDog: number;
  sumY0: number;
  sumY1: number;
  treatedConverted: number;
  controlConverted: number;
}

const iso = (t: number): string | null => (Number.isFinite(t) ? new Date(t).toISOString() : null);
const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/** Aggregates of the simulated population (segment sizes, campaign potential outcomes), filled user by user. */
export class TruthTally {
  readonly segments = SEGMENTS.map(() => ({ shoppers: 0, registered: 0, churned: 0, orders: 0, events: 0 }));
  readonly campaigns: CampaignCell[][];

  constructor(campaigns: number) {
    this.campaigns = Array.from({ length: campaigns }, () =>
      SEGMENTS.map(() => ({
        eligible: 0,
        treated: 0,
        control: 0,
        persuadable: 0,
        sleepingDog: 0,
        sumY0: 0,
        sumY1: 0,
        treatedConverted: 0,
        controlConverted: 0,
      })),
    );
  }

  /** Counts one simulated shopper. */
  add(s: Shopper, h: History): void {
    const seg = this.segments[s.segment]!;
    seg.shoppers++;
    if (Number.isFinite(h.registeredAt)) seg.registered++;
    if (Number.isFinite(s.churnAt)) seg.churned++;
    seg.orders += h.orders;
    seg.events += h.events;
    for (const o of h.coupons) {
      const cell = this.campaigns[o.campaign]![s.segment]!;
      cell.eligible++;
      if (o.response === 'persuadable') cell.persuadable++;
      if (o.response === 'sleeping_dog') cell.sleepingDog++;
      cell.sumY0 += o.y0;
      cell.sumY1 += o.y1;
      if (o.treated) {
        cell.treated++;
        cell.treatedConverted += o.observed;
      } else {
        cell.control++;
        cell.controlConverted += o.observed;
      }
    }
  }
}

/** One line of truth-users.jsonl: a shopper's hidden profile, life events and coupon potential outcomes. */
export function userTruthLine(s: Shopper, h: History, world: World): string {
  return JSON.stringify({
    index: s.index,
    userId: Number.isFinite(h.registeredAt) ? s.userId : null,
    anonymousIds: s.devices.map((d) => d.anonymousId),
    segment: SEGMENTS[s.segment]!.name,
    taste: Array.from(s.taste),
    priceSensitivity: s.priceSensitivity,
    visitsPerWeek: s.visitsPerWeek,
    acquiredAt: iso(s.acquiredAt),
    registeredAt: iso(h.registeredAt),
    churnAt: iso(s.churnAt),
    orders: h.orders,
    events: h.events,
    coupons: h.coupons.map((o) => ({
      id: world.coupons[o.campaign]!.id,
      arm: o.treated ? 'treatment' : 'control',
      response: o.response,
      y0: o.y0,
      y1: o.y1,
    })),
  });
}

/** What truth.json needs besides the world. */
export interface TruthInput {
  seed: number;
  users: number;
  world: World;
  tastes: Float64Array[];
  tally: TruthTally;
}

/** Writes truth.json: the small parameters as one object, then the items streamed one per line. */
export async function writeTruth(out: JsonlWriter, input: TruthInput): Promise<void> {
  const { world, tally } = input;
  const { calendar, catalog } = world;
  const head = {
    format: 'cartwise-truth',
    version: 1,
    seed: input.seed,
    start: iso(calendar.start),
    end: iso(calendar.end),
    days: calendar.days,
    users: input.users,
    items: catalog.size,
    files: { users: TRUTH_USERS_FILE },
    latentDimension: LATENT_DIM,
    seasonality: {
      ...SEASONALITY,
      sessions:
        'a shopper starts sessions as a Poisson process of rate visitsPerWeek · weekly[UTC day of week] · yearly(doy) · (1 + trend.activityPerYear · years) · hourly[UTC hour] · (segment.promotionVisitMultiplier on days a sale runs), from acquisition (first session) to churn',
      acquisition:
        'acquisition day density ∝ weekly · yearly · (1 + trend.acquisitionPerYear · years) over the period; hour from the hourly profile',
    },
    choiceModel: {
      leaf: 'P(leaf) ∝ exp(taste · leafVector) · itemsInLeaf^leafSizeExponent',
      item: 'P(item | leaf) ∝ exp(taste · itemVector + popularity + brandQuality − priceSensitivity · ln(basePrice)), among items created by then',
      leafSizeExponent: BEHAVIOUR.leafSizeExponent,
      zipfExponent: ZIPF_EXPONENT,
      vectorSd: VECTOR_SD,
      tasteSd: TASTE_SD,
    },
    purchase: {
      addToCart:
        'min(maxAdd, segment.addToCart · (salePrice / basePrice)^categoryElasticity); coupon discounts do not enter it',
      salePrice: 'cents(listPrice(day) · (1 − largest running promotion discount on the top category))',
      copurchase:
        'when an order completes, each cart item with a planted partner adds that partner with the pair probability (both directions)',
      secondDeviceProbability: SECOND_DEVICE_PROBABILITY,
      behaviour: BEHAVIOUR,
    },
    churn: {
      model:
        'lifetime from acquisition ~ Exponential(−ln(1 − weeklyHazard) per week): P(churn within any week of life) = weeklyHazard; no session starts and no event happens after churnAt',
      weeklyHazard: Object.fromEntries(SEGMENTS.map((s) => [s.name, s.weeklyChurnHazard])),
    },
    identity:
      'shoppers browse with a device anonymousId; those who register send identify{userId, anonymousId, traits} at a spontaneous sign-up or at their first checkout; the others check out as guests (anonymousId only)',
    segments: SEGMENTS.map((s, k) => ({
      ...s,
      visitRateSigma: VISIT_RATE_SIGMA,
      tasteMean: Array.from(input.tastes[k]!),
      realized: {
        ...tally.segments[k]!,
        share: round4(tally.segments[k]!.shoppers / Math.max(1, input.users)),
      },
    })),
    categoryTree: categoryTree(catalog),
    elasticity: Object.fromEntries(catalog.leaves.map((l) => [l.path, l.elasticity])),
    categories: catalog.leaves.map((l) => ({
      path: l.path,
      top: catalog.tops[l.top]!.name,
      elasticity: l.elasticity,
      medianPrice: l.medianPrice,
      items: l.items.length,
      vector: Array.from(l.vector),
    })),
    topCategories: catalog.tops.map((t, k) => ({
      name: t.name,
      elasticityCentre: TAXONOMY[k]!.elasticity,
      vector: Array.from(t.vector),
    })),
    brands: catalog.brands.map((b) => ({ ...b, top: catalog.tops[b.top]!.name })),
    catalogModel: {
      newItemShare: NEW_ITEM_SHARE,
      outOfStockShare: OUT_OF_STOCK_SHARE,
      priceFactors: PRICE_FACTORS,
      daysPerPriceChange: DAYS_PER_PRICE_CHANGE,
    },
    promotions: world.promotions.map((p) => ({
      id: p.id,
      name: p.name,
      start: calendar.dayIso(p.startDay),
      end: calendar.dayIso(p.endDay),
      discount: p.discount,
      sitewide: p.sitewide,
      categories: p.tops.map((t) => catalog.tops[t]!.name),
    })),
    coupons: world.coupons.map((c, k) => ({
      ...c,
      start: calendar.dayIso(c.startDay),
      end: calendar.dayIso(c.endDay),
      eligibility:
        'registered before start; each eligible shopper assigned to treatment with probability treatmentShare',
      outcome: 'at least one Order Completed in [start, end)',
      effect:
        'trueEffect = mean(y1 − y0) over eligible shoppers of the segment (y0, y1 per shopper in truth-users.jsonl)',
      bySegment: Object.fromEntries(
        SEGMENTS.map((s, g) => [s.name, couponCell(tally.campaigns[k]![g]!, s.coupon)]),
      ),
      overall: couponCell(sumCells(tally.campaigns[k]!), null),
    })),
    copurchase: catalog.pairs.map((p) => ({
      a: catalog.ids[p.a],
      b: catalog.ids[p.b],
      probability: p.probability,
    })),
  };
  const text = JSON.stringify(head, null, 1);
  await out.write(`${text.slice(0, -2)},\n "items": [\n`);
  for (let i = 0; i < catalog.size; i++) {
    const p = out.write(`  ${itemTruth(catalog, i, calendar.start)}${i + 1 < catalog.size ? ',' : ''}\n`);
    if (p) await p;
  }
  await out.write(' ]\n}\n');
}

function couponCell(c: CampaignCell, params: { persuadable: number; sleepingDog: number } | null) {
  const rate = (x: number, n: number) => (n > 0 ? round4(x / n) : null);
  return {
    ...(params
      ? { persuadableProbability: params.persuadable, sleepingDogProbability: params.sleepingDog }
      : {}),
    eligible: c.eligible,
    treated: c.treated,
    control: c.control,
    persuadable: c.persuadable,
    sleepingDog: c.sleepingDog,
    meanY0: rate(c.sumY0, c.eligible),
    meanY1: rate(c.sumY1, c.eligible),
    trueEffect: rate(c.sumY1 - c.sumY0, c.eligible),
    conversionTreated: rate(c.treatedConverted, c.treated),
    conversionControl: rate(c.controlConverted, c.control),
  };
}

function sumCells(cells: CampaignCell[]): CampaignCell {
  const total = { ...cells[0]! };
  for (const c of cells.slice(1)) {
    for (const key of Object.keys(total) as (keyof CampaignCell)[]) total[key] += c[key];
  }
  return total;
}

interface TreeNode {
  name: string;
  path: string;
  elasticity?: number;
  children: TreeNode[];
}

function categoryTree(catalog: Catalog): TreeNode[] {
  const roots: TreeNode[] = [];
  for (const leaf of catalog.leaves) {
    let level = roots;
    const parts = leaf.path.split(' > ');
    parts.forEach((name, depth) => {
      const path = parts.slice(0, depth + 1).join(' > ');
      let node = level.find((n) => n.name === name);
      if (!node) {
        node = { name, path, children: [] };
        level.push(node);
      }
      if (depth === parts.length - 1) node.elasticity = leaf.elasticity;
      level = node.children;
    });
  }
  return roots;
}

function itemTruth(c: Catalog, i: number, start: number): string {
  const history: { date: string; price: number }[] = [];
  for (let k = c.changeOffset[i]!; k < c.changeOffset[i + 1]!; k++) {
    history.push({
      date: new Date(start + c.changeDay[k]! * DAY_MS).toISOString(),
      price: c.changePrice[k]!,
    });
  }
  const partner = c.partner[i]!;
  return JSON.stringify({
    id: c.ids[i],
    category: c.leaves[c.leafOf[i]!]!.path,
    brand: c.brands[c.brandOf[i]!]!.name,
    basePrice: c.basePrice[i],
    cost: c.cost[i],
    popularityRank: c.rank[i],
    popularity: round4(c.popularity[i]!),
    quality: c.quality[i],
    vector: Array.from(c.vectors.subarray(i * LATENT_DIM, (i + 1) * LATENT_DIM)),
    createdAt: iso(c.createdAt[i]!),
    outOfStockAt: iso(c.outOfStockAt[i]!),
    priceHistory: history,
    partner: partner >= 0 ? { id: c.ids[partner], probability: c.partnerProbability[i] } : null,
  });
}
