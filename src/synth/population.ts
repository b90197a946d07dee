import type { Rng } from '../core/rng.js';
import { type Calendar, WEEK_MS } from './calendar.js';
import { LATENT_DIM } from './catalog.js';
import { SEGMENTS, VISIT_RATE_SIGMA } from './segments.js';
import { COUNTRIES, FIRST_NAMES, LAST_NAMES } from './taxonomy.js';

/**
 * Shoppers of a synthetic store: each one's hidden profile (segment, taste, price sensitivity, visit
 * rate, acquisition and churn) and observable identity (anonymous device ids, account traits). Each
 * shopper is drawn from their own random stream, so one shopper never depends on another.
 */

/** Spread of segment taste means around zero and of each shopper's taste around their segment's mean. */
export const TASTE_SD = { segment: 0.5, shopper: 0.6 } as const;
/** Probability that a shopper uses a second device. */
export const SECOND_DEVICE_PROBABILITY = 0.3;

/** A device (browser or app install) a shopper uses; its anonymousId joins pre-sign-up history. */
export interface Device {
  anonymousId: string;
  type: string;
}

/** Everything the generator knows about one shopper before simulating their sessions. */
export interface Shopper {
  index: number;
  segment: number;
  taste: Float64Array;
  priceSensitivity: number;
  visitsPerWeek: number;
  /** First visit, ms. */
  acquiredAt: number;
  /** Churn time, ms: no session starts and no event happens after it; Infinity if beyond the period. */
  churnAt: number;
  /** Whether the shopper creates an account (at a spontaneous sign-up or, at the latest, at checkout). */
  willRegister: boolean;
  /** userId used once registered. */
  userId: string;
  devices: Device[];
  /** Observable account traits sent with the sign-up identify call. */
  traits: Record<string, string | boolean>;
}

/** Draws each segment's mean taste vector. */
export function segmentTastes(rng: Rng): Float64Array[] {
  return SEGMENTS.map(() => {
    const v = new Float64Array(LATENT_DIM);
    for (let k = 0; k < LATENT_DIM; k++) v[k] = Math.round(rng.normal(0, TASTE_SD.segment) * 1e4) / 1e4;
    return v;
  });
}

const SEGMENT_SHARES = SEGMENTS.map((s) => s.share);
const COUNTRY_SHARES = COUNTRIES.map((c) => c.share);

/** Draws shopper `index` from its own stream. */
export function drawShopper(index: number, rng: Rng, calendar: Calendar, tastes: Float64Array[]): Shopper {
  const segment = rng.categorical(SEGMENT_SHARES);
  const spec = SEGMENTS[segment]!;
  const taste = new Float64Array(LATENT_DIM);
  const mean = tastes[segment]!;
  for (let k = 0; k < LATENT_DIM; k++) taste[k] = round6(mean[k]! + rng.normal(0, TASTE_SD.shopper));
  const priceSensitivity = round6(
    Math.max(0, rng.normal(spec.priceSensitivity.mean, spec.priceSensitivity.sd)),
  );
  const visitsPerWeek = round6(
    spec.visitsPerWeek * Math.exp(rng.normal(-(VISIT_RATE_SIGMA * VISIT_RATE_SIGMA) / 2, VISIT_RATE_SIGMA)),
  );
  const acquiredAt = calendar.acquisitionTime(rng);
  const lifetime = rng.exponential(-Math.log(1 - spec.weeklyChurnHazard) / WEEK_MS);
  const churnAt =
    acquiredAt + lifetime < calendar.end ? Math.floor(acquiredAt + lifetime) : Number.POSITIVE_INFINITY;
  const willRegister = rng.bernoulli(spec.registerProbability);

  const mainDevice = pickShare(spec.devices, rng);
  const devices: Device[] = [{ anonymousId: uuid(rng), type: mainDevice }];
  if (rng.bernoulli(SECOND_DEVICE_PROBABILITY)) {
    devices.push({ anonymousId: uuid(rng), type: mainDevice === 'desktop' ? 'mobile' : 'desktop' });
  }
  const country = COUNTRIES[rng.categorical(COUNTRY_SHARES)]!;
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const userId = `u${index + 1}`;
  const traits: Record<string, string | boolean> = {
    email: `user${index + 1}@example.com`,
    name: `${first} ${last}`,
    firstName: first,
    lastName: last,
    country: country.code,
    city: rng.pick(country.cities),
    signupChannel: pickShare(spec.signupChannels, rng),
    device: mainDevice,
    newsletter: rng.bernoulli(spec.newsletter),
  };
  return {
    index,
    segment,
    taste,
    priceSensitivity,
    visitsPerWeek,
    acquiredAt,
    churnAt,
    willRegister,
    userId,
    devices,
    traits,
  };
}

/** Rounds to 6 decimals, so the parameters written to the truth are exactly the ones simulated. */
function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function pickShare(shares: Readonly<Record<string, number>>, rng: Rng): string {
  const keys = Object.keys(shares);
  return keys[rng.categorical(keys.map((k) => shares[k]!))]!;
}

const HEX = '0123456789abcdef';
function uuid(rng: Rng): string {
  let s = '';
  for (let k = 0; k < 4; k++) {
    const x = rng.uint32();
    for (let j = 28; j >= 0; j -= 4) s += HEX[(x >>> j) & 15];
  }
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-${HEX[8 + (parseInt(s[16]!, 16) & 3)]}${s.slice(17, 20)}-${s.slice(20, 32)}`;
}
