import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import type { ExperimentUnit } from '../store/store.js';
import { experimentResults, metricEvents } from './experiment-results.js';
import { type Experiment, ExperimentBook, ExperimentInput } from './experiments.js';

const input = (extra: Record<string, unknown> = {}) =>
  ExperimentInput.parse({
    key: 'checkout-button',
    variants: [{ key: 'control' }, { key: 'green' }],
    goal: { type: 'conversion' },
    ...extra,
  });

const unit = (shopper: string) => ({ shopper, hashId: shopper, attributes: {} });

describe('ExperimentBook', () => {
  it('assigns only while running, keeps a unit in its first variant, and follows GrowthBook hashing', () => {
    const book = new ExperimentBook();
    book.put(input());
    expect(book.assign('checkout-button', unit('u1'))).toMatchObject({ inExperiment: false, variant: -1 });
    book.start('checkout-button', 1000);
    const a = book.assign('checkout-button', unit('u1'));
    expect(a).toMatchObject({ inExperiment: true, sticky: false, experiment: 'checkout-button' });
    expect(a.variantKey).toBe(['control', 'green'][a.variant]);
    expect(book.assign('checkout-button', unit('u1'))).toMatchObject({ variant: a.variant, sticky: true });
    // A remembered first exposure wins over the hash (a logged-in shopper keeps their variant).
    book.remember('checkout-button', 'u2', 1 - book.assign('checkout-button', unit('u3')).variant);
    const split = [0, 0];
    for (let i = 0; i < 4000; i++) split[book.assign('checkout-button', unit(`s${i}`)).variant]!++;
    expect(split[0]! / 4000).toBeGreaterThan(0.47);
    expect(split[0]! / 4000).toBeLessThan(0.53);
    book.stop('checkout-button', 2000);
    expect(book.assign('checkout-button', unit('new-after-stop')).inExperiment).toBe(false);
    expect(book.assign('checkout-button', unit('u1')).variant).toBe(a.variant);
  });

  it('applies coverage, namespaces and targeting, and freezes running definitions', () => {
    const book = new ExperimentBook();
    book.put(
      input({
        key: 'ns-a',
        namespace: { id: 'checkout', range: [0, 0.5] },
        targeting: { country: 'DE' },
        coverage: 0.5,
      }),
    );
    book.start('ns-a', 0);
    expect(
      book.assign('ns-a', { shopper: 'x', hashId: 'x', attributes: { country: 'FR' } }).inExperiment,
    ).toBe(false);
    let inside = 0;
    for (let i = 0; i < 4000; i++)
      if (
        book.assign('ns-a', { shopper: `s${i}`, hashId: `s${i}`, attributes: { country: 'DE' } }).inExperiment
      )
        inside++;
    expect(inside / 4000).toBeGreaterThan(0.2); // half the namespace x half coverage
    expect(inside / 4000).toBeLessThan(0.3);
    expect(() => book.put(input({ key: 'ns-a' }))).toThrow(/running; its definition is frozen/);
    expect(() => book.start('ns-a', 1)).toThrow(/already running/);
    expect(() => book.get('nope')).toThrow('experiment "nope" does not exist');
  });

  it('names the field of a bad definition', () => {
    const bad = (extra: Record<string, unknown>) => {
      const r = ExperimentInput.safeParse({
        key: 'k',
        variants: [{ key: 'a' }, { key: 'b' }],
        goal: { type: 'revenue' },
        ...extra,
      });
      return r.success ? null : `${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`;
    };
    expect(bad({ weights: [1] })).toBe('weights: needs one weight per variant (2)');
    expect(bad({ key: 'Bad Key' })).toMatch(/^key: use a-z/);
    expect(bad({ variants: [{ key: 'a' }] })).toMatch(/^variants: needs at least two variants/);
    expect(bad({ surface: 'recommendations' })).toMatch(/^variants: every variant needs a strategy/);
    expect(bad({ goal: { type: 'ctr' } })).toMatch(/^goal/);
  });
});

/** Units with a planted effect on conversion and revenue in variant 1. */
function plantedUnits(
  n: number,
  seed: number,
  options: { lift?: number; skewSafari?: boolean } = {},
): ExperimentUnit[] {
  const rng = new Rng(seed);
  const t0 = Date.UTC(2026, 0, 1);
  const out: ExperimentUnit[] = [];
  for (let i = 0; i < n; i++) {
    let variant = rng.float() < 0.5 ? 0 : 1;
    const safari = rng.float() < 0.3;
    // A broken redirect loses a third of Safari users in variant 1.
    if (options.skewSafari && safari && variant === 1 && rng.float() < 0.33) continue;
    if (options.skewSafari && safari && variant === 1) variant = 1;
    const p = 0.1 * (variant === 1 ? 1 + (options.lift ?? 0) : 1);
    const converted = rng.float() < p;
    const revenue = converted ? 20 + 40 * rng.float() : 0;
    out.push({
      unit: `u${i}`,
      variant,
      exposedAt: t0 + (i % 7) * 86_400_000,
      source: i % 2 ? 'ads' : 'newsletter',
      userAgent: safari ? 'Mozilla/5.0 Version/17 Safari/605' : 'Mozilla/5.0 Chrome/126 Safari/537',
      orders: converted ? 1 : 0,
      revenue,
      margin: revenue * 0.3,
      preRevenue: 0,
      counts: [converted ? 1 : 0],
      lastActive: t0 + (i % 7) * 86_400_000 + (converted ? 9 : 0) * 86_400_000,
    });
  }
  return out;
}

function running(extra: Record<string, unknown> = {}): Experiment {
  const book = new ExperimentBook();
  book.put(input(extra));
  return book.start('checkout-button', 0);
}

describe('experimentResults', () => {
  it('finds a planted lift with interval, p-value and per-variant values, and keeps quiet when all is well', () => {
    const e = running({
      secondary: [
        { type: 'revenue', winsorize: { upper: 0.99 } },
        { type: 'aov' },
        { type: 'retention', days: 7 },
      ],
    });
    const units = plantedUnits(20_000, 1, { lift: 0.3 });
    const r = experimentResults(e, units, metricEvents(e), [], Date.UTC(2026, 2, 1));
    const goal = r.metrics[0]!;
    expect(goal).toMatchObject({ name: 'conversion: Order Completed', role: 'goal', unit: 'units' });
    const treated = goal.variants[1]!;
    expect(treated.effect).toBeGreaterThan(0.15);
    expect(treated.ci![0]).toBeGreaterThan(0);
    expect(treated.pValue).toBeLessThan(0.001);
    expect(goal.variants[0]!.value).toBeCloseTo(0.1, 1);
    expect(r.metrics.map((m) => m.name)).toEqual([
      'conversion: Order Completed',
      'revenue',
      'aov',
      'retention day 7',
    ]);
    expect(r.metrics[2]!.variants[1]!.effect).toBeCloseTo(0, 0); // order value is not planted
    expect(r.srm.alarm).toBe(false);
    expect(r.warnings).toEqual([]);
  });

  it('warns about SRM and names the browser that lost units, about peeking, few units and guardrail harm', () => {
    const e = { ...running({ guardrails: [{ type: 'conversion', name: 'orders guardrail' }] }), looks: 3 };
    const units = plantedUnits(20_000, 2, { skewSafari: true, lift: -0.3 });
    const r = experimentResults(e, units, metricEvents(e), [], Date.UTC(2026, 2, 1));
    expect(r.srm.alarm).toBe(true);
    expect(r.srm.suspects).toContainEqual({ dimension: 'browser', values: ['safari'] });
    const codes = r.warnings.map((w) => w.code);
    expect(codes).toEqual(expect.arrayContaining(['srm', 'peeking', 'guardrail-harm']));
    expect(r.warnings.find((w) => w.code === 'srm')!.message).toMatch(/browser = safari/);

    const few = experimentResults(running(), plantedUnits(60, 3), ['Order Completed'], [], 0);
    expect(few.warnings.map((w) => w.code)).toContain('too-few-units');
    const none = experimentResults(running(), [], ['Order Completed'], [], 0);
    expect(none.metrics[0]!.variants[1]!.error).toBe('needs at least 2 units in every variant');
  });

  it('judges recommendation strategies on attributed impressions', () => {
    const book = new ExperimentBook();
    book.put(
      input({
        key: 'recs',
        surface: 'recommendations',
        variants: [
          { key: 'control', strategy: 'default' },
          { key: 'popular', strategy: 'bestsellers' },
        ],
        goal: { type: 'recommendation-ctr' },
      }),
    );
    const e = book.start('recs', 0);
    const row = (strategy: string, impressions: number, clicked: number) => ({
      strategy,
      model: 'm',
      version: 'v1',
      impressions,
      clicked,
      converted: 0,
      orders: 0,
      revenue: 0,
    });
    const r = experimentResults(
      e,
      [],
      [],
      [row('default', 5000, 500), row('bestsellers', 5000, 400), row('other', 9, 9)],
      0,
    );
    expect(r.metrics[0]!.unit).toBe('impressions');
    expect(r.metrics[0]!.variants.map((v) => v.value)).toEqual([0.1, 0.08]);
    expect(r.metrics[0]!.variants[1]!.effect).toBeCloseTo(-0.2, 6);
  });
});
