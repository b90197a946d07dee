import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng } from '../core/rng.js';
import { Calendar, DAY_MS } from './calendar.js';
import { buildCatalog, itemLine } from './catalog.js';
import { JsonlWriter } from './jsonl.js';
import { drawShopper, segmentTastes } from './population.js';
import { SaleCalendar, scheduleCoupons, schedulePromotions } from './promotions.js';
import { ShopperSimulator, type World } from './shopper.js';
import { TRUTH_USERS_FILE, TruthTally, userTruthLine, writeTruth } from './truth.js';

/** Size, seed and place of a synthetic store; the same options always give the same bytes. */
export interface GenerateOptions {
  users: number;
  items: number;
  days: number;
  seed: number;
  out: string;
  /** First day of the period (UTC), `YYYY-MM-DD`; default 2025-01-01. */
  start?: string;
}

/** Progress for a CLI progress bar, reported every 1,000 shoppers and at the end. */
export interface GenerateProgress {
  usersDone: number;
  usersTotal: number;
  events: number;
}

/** What was written, for the CLI to print and for callers to check against the manifest. */
export interface GenerateSummary {
  out: string;
  /** Shoppers simulated (registered or not). */
  users: number;
  items: number;
  events: number;
  eventsByName: Record<string, number>;
  /** File names written into `out`. */
  files: string[];
  seconds: number;
}

/** Name of the manifest the importer looks for; written last, so its presence means the store is complete. */
export const MANIFEST_FILE = 'cartwise-store.json';
const FILES = { items: 'items.jsonl', users: 'users.jsonl', events: 'events.jsonl' } as const;
const TRUTH_FILE = 'truth.json';

/** Upper bounds that keep a run within hours and a disk. */
export const GENERATE_LIMITS = { users: 5_000_000, items: 200_000, days: 3660 } as const;

/**
 * Writes a synthetic store with known ground truth into `options.out` (created if missing; refused
 * if it exists and is not empty). Same options, same bytes.
 *
 * Files, in import order: `items.jsonl` (catalog as of the end of the period; 10% of items are
 * created during it), `users.jsonl` (registered shoppers, observable traits only, `createdAt` = sign-up),
 * `events.jsonl` (Segment messages; grouped by shopper in shopper order, time-ordered within a
 * shopper, not globally time-sorted; message ids are deterministic). Then `truth.json` (generating
 * parameters: seasonality, segments with churn hazards and coupon responses, category tree and true
 * elasticities, brands, promotions, coupon campaigns with realized per-segment effects, planted
 * co-purchase pairs, and every item's vector, base price and price history), `truth-users.jsonl`
 * (one line per shopper, registered or not, in shopper order: segment, taste vector, price
 * sensitivity, visit rate, acquisition / registration / churn times, coupon arm, response type and
 * both potential outcomes), and last `cartwise-store.json`, the manifest.
 *
 * Shoppers browse anonymously; those who register send an identify with userId and anonymousId
 * (spontaneously, or at their first checkout), later sessions carry both. Shoppers who never
 * register check out as guests, with anonymousId only. Coupon e-mails are not events: who received
 * them is in the truth (a real store's campaign tool would know it).
 *
 * Every shopper is simulated from their own random stream, and memory holds the catalog plus one
 * shopper's events at a time, whatever the number of users.
 */
export async function generateStore(
  options: GenerateOptions,
  onProgress?: (p: GenerateProgress) => void,
  signal?: AbortSignal,
): Promise<GenerateSummary> {
  const began = performance.now();
  const { users, items, days, seed, out } = checkOptions(options);
  const start = parseStart(options.start);
  await prepareDirectory(out);
  signal?.throwIfAborted();

  const root = new Rng(seed);
  const calendar = new Calendar(start, days);
  const catalog = buildCatalog(items, calendar, root.fork('catalog'));
  const promotions = schedulePromotions(
    calendar,
    catalog.tops.map((t) => t.name),
    root.fork('promotions'),
  );
  const world: World = {
    calendar,
    catalog,
    promotions,
    sales: new SaleCalendar(promotions, catalog.tops.length, days),
    coupons: scheduleCoupons(calendar),
  };
  const tastes = segmentTastes(root.fork('segments'));

  const written: string[] = [];
  const open: JsonlWriter[] = [];
  const writer = (name: string) => {
    const w = new JsonlWriter(join(out, name));
    written.push(name);
    open.push(w);
    return w;
  };
  try {
    const itemsOut = writer(FILES.items);
    for (let i = 0; i < items; i++) await itemsOut.line(itemLine(catalog, i, calendar));
    await itemsOut.close();

    const usersOut = writer(FILES.users);
    const eventsOut = writer(FILES.events);
    const truthUsersOut = writer(TRUTH_USERS_FILE);
    const simulator = new ShopperSimulator(world);
    const tally = new TruthTally(world.coupons.length);
    const shoppers = root.fork('users');
    const idPrefix = `m${seed.toString(36)}-`;
    let events = 0;
    let registered = 0;
    for (let i = 0; i < users; i++) {
      if ((i & 63) === 0) signal?.throwIfAborted();
      const rng = shoppers.fork(i);
      const shopper = drawShopper(i, rng, calendar, tastes);
      const history = simulator.simulate(shopper, rng, `${idPrefix}${i.toString(36)}-`);
      events += history.events;
      tally.add(shopper, history);
      if (Number.isFinite(history.registeredAt)) {
        registered++;
        const line = JSON.stringify({
          userId: shopper.userId,
          traits: shopper.traits,
          createdAt: new Date(history.registeredAt).toISOString(),
        });
        const p = usersOut.line(line);
        if (p) await p;
      }
      const pe = eventsOut.write(history.text);
      if (pe) await pe;
      const pt = truthUsersOut.line(userTruthLine(shopper, history, world));
      if (pt) await pt;
      if (onProgress && ((i + 1) % 1000 === 0 || i + 1 === users)) {
        onProgress({ usersDone: i + 1, usersTotal: users, events });
      }
    }
    await Promise.all([usersOut.close(), eventsOut.close(), truthUsersOut.close()]);

    const truthOut = writer(TRUTH_FILE);
    await writeTruth(truthOut, { seed, users, world, tastes, tally });
    await truthOut.close();

    const eventsByName = Object.fromEntries(
      [...simulator.eventsByName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    const manifest = {
      format: 'cartwise-store',
      version: 1,
      seed,
      users,
      items,
      days,
      start: new Date(start).toISOString(),
      end: new Date(calendar.end).toISOString(),
      files: { ...FILES },
      truth: { parameters: TRUTH_FILE, users: TRUTH_USERS_FILE },
      counts: { items, users: registered, events, eventsByName },
    };
    written.push(MANIFEST_FILE);
    await writeFile(join(out, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    return {
      out,
      users,
      items,
      events,
      eventsByName,
      files: written,
      seconds: Math.round((performance.now() - began) / 10) / 100,
    };
  } catch (err) {
    for (const w of open) w.destroy();
    await Promise.all(written.map((name) => rm(join(out, name), { force: true })));
    throw err;
  }
}

function checkOptions(o: GenerateOptions): GenerateOptions {
  const integer = (name: keyof typeof GENERATE_LIMITS, min: number) => {
    const v = o[name];
    const max = GENERATE_LIMITS[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      throw new Error(`${name}: must be a positive integer`);
    if (v < min || v > max) {
      throw new Error(
        `${name}: must be between ${min.toLocaleString('en-US')} and ${max.toLocaleString('en-US')}`,
      );
    }
  };
  integer('users', 1);
  integer('items', 1);
  integer('days', 7);
  if (typeof o.seed !== 'number' || !Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) {
    throw new Error('seed: must be an integer between 0 and 4294967295');
  }
  if (typeof o.out !== 'string' || o.out.trim() === '') throw new Error('out: must be a directory path');
  return o;
}

function parseStart(start: string | undefined): number {
  if (start === undefined) return Date.UTC(2025, 0, 1);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T00:00(?::00(?:\.0+)?)?Z)?$/.exec(start);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(t) || new Date(t).getUTCDate() !== Number(m[3]) || t % DAY_MS !== 0) {
    throw new Error(`start: expected a date such as 2025-01-01, got "${start}"`);
  }
  return t;
}

async function prepareDirectory(out: string): Promise<void> {
  const info = await stat(out).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (info && !info.isDirectory()) throw new Error(`out: ${out} exists and is not a directory`);
  if (info && (await readdir(out)).length > 0) {
    throw new Error(`out: ${out} is not empty; generate into a new or empty directory`);
  }
  await mkdir(out, { recursive: true });
}
