import { benjaminiHochberg, holm } from '../stats/adjust.js';
import { analyze, type VariantResult } from '../stats/analyze.js';
import { type SrmBreakdown, srmByDimension } from '../stats/srm.js';
import { meanArms, proportionArms, ratioArms } from '../stats/unit-metrics.js';
import type { ExperimentUnit, RecommendationStatsRow } from '../store/store.js';
import type { Experiment, Metric } from './experiments.js';

/**
 * An experiment's results from its exposed units: every metric per variant with effect, interval,
 * p-value or chance to win; the SRM check with the dimension that explains a mismatch; and the
 * warnings a reader must see before trusting a number.
 */

/** One metric for one variant; the control's comparison fields are null. */
export interface MetricVariant {
  key: string;
  units: number;
  /** Mean per unit, rate, or ratio in this variant. */
  value: number | null;
  effect: number | null;
  ci: [number | null, number | null] | null;
  pValue: number | null;
  /** Secondary metrics only, when the analysis adjusts for multiple comparisons. */
  adjustedPValue: number | null;
  chanceToWin: number | null;
  risk: [number, number] | null;
  error: string | null;
}

/** One metric's results. */
export interface MetricResult {
  name: string;
  role: 'goal' | 'secondary' | 'guardrail';
  type: Metric['type'];
  /** What `n` counts: exposed units, or impressions for recommendation metrics. */
  unit: 'units' | 'impressions';
  variants: MetricVariant[];
}

/** A warning code and what it means for this experiment. */
export interface Warning {
  code: 'too-few-units' | 'srm' | 'peeking' | 'guardrail-harm' | 'not-started';
  message: string;
}

/** Everything `GET /v1/experiments/:key/results` answers. */
export interface ExperimentResults {
  experiment: string;
  status: Experiment['status'];
  engine: 'frequentist' | 'bayesian';
  relative: true;
  windowDays: number;
  variants: { key: string; units: number; expectedShare: number }[];
  srm: {
    chiSquare: number;
    pValue: number;
    alarm: boolean;
    suspects: { dimension: string; values: string[] }[];
  };
  metrics: MetricResult[];
  warnings: Warning[];
}

/** The event names whose per-unit counts the experiment's metrics need. */
export function metricEvents(e: Experiment): string[] {
  const names = new Set<string>();
  for (const m of [e.goal, ...e.secondary, ...e.guardrails])
    if (m.type === 'conversion' || m.type === 'count') names.add(m.event);
  return [...names];
}

/** A short browser family from a user agent, for the SRM breakdown. */
export function browserOf(agent: string | null): string {
  if (!agent) return '(unknown)';
  if (/Edg\//.test(agent)) return 'edge';
  if (/Firefox\//.test(agent)) return 'firefox';
  if (/Chrome\//.test(agent)) return 'chrome';
  if (/Safari\//.test(agent) || /^Safari/.test(agent)) return 'safari';
  return 'other';
}

const nameOf = (m: Metric) =>
  m.name ??
  (m.type === 'conversion' || m.type === 'count'
    ? `${m.type}: ${m.event}`
    : m.type === 'retention'
      ? `retention day ${m.days}`
      : m.type);

/**
 * Computes the results. `events` are the names `units[i].counts` follow (see {@link metricEvents});
 * `attribution` holds the recommendation stats per strategy since the start (recommendation
 * metrics only); `now` bounds retention.
 */
export function experimentResults(
  e: Experiment,
  units: readonly ExperimentUnit[],
  events: readonly string[],
  attribution: readonly RecommendationStatsRow[],
  now: number,
): ExperimentResults {
  const k = e.variants.length;
  const kept = units.filter((u) => u.variant >= 0 && u.variant < k);
  const arm = kept.map((u) => u.variant);
  const counts = new Array<number>(k).fill(0);
  for (const a of arm) counts[a]!++;
  const weights = e.weights ?? new Array<number>(k).fill(1);
  const total = weights.reduce((s, w) => s + w, 0);
  const a = e.analysis;

  const analyzed = (
    type: 'mean' | 'proportion' | 'ratio',
    arms: { n: number }[],
    value: (arm: Record<string, unknown>) => number | null,
    cuped = false,
  ): MetricVariant[] => {
    const base = arms.map((x, i) => ({
      key: e.variants[i]!.key,
      units: x.n,
      value: x.n > 0 ? value(x as Record<string, unknown>) : null,
      effect: null,
      ci: null,
      pValue: null,
      adjustedPValue: null,
      chanceToWin: null,
      risk: null,
      error: null,
    })) as MetricVariant[];
    if (arms.some((x) => x.n < 2)) {
      for (const v of base.slice(1)) v.error = 'needs at least 2 units in every variant';
      return base;
    }
    let out: VariantResult[];
    try {
      out = analyze({
        type,
        engine: a.engine,
        relative: true,
        alpha: a.alpha,
        sequential: a.sequential,
        cuped,
        arms,
      }).variants;
    } catch (error) {
      for (const v of base.slice(1)) v.error = (error as Error).message;
      return base;
    }
    out.forEach((r, i) => {
      Object.assign(base[i + 1]!, {
        effect: r.effect,
        ci: r.ci,
        pValue: r.pValue,
        chanceToWin: r.chanceToWin,
        risk: r.risk,
        error: r.error,
      });
    });
    return base;
  };

  const mean = (x: Record<string, unknown>) => (x.sum as number) / (x.n as number);
  const rate = (x: Record<string, unknown>) => (x.sum as number) / (x.n as number);
  const evaluate = (m: Metric, role: MetricResult['role']): MetricResult => {
    const result = (variants: MetricVariant[], unit: MetricResult['unit'] = 'units'): MetricResult => ({
      name: nameOf(m),
      role,
      type: m.type,
      unit,
      variants,
    });
    switch (m.type) {
      case 'conversion':
      case 'count': {
        const at = events.indexOf(m.event);
        const values = kept.map((u) => u.counts[at] ?? 0);
        return m.type === 'conversion'
          ? result(
              analyzed(
                'proportion',
                proportionArms(
                  arm,
                  k,
                  values.map((v) => v > 0),
                ),
                rate,
              ),
            )
          : result(analyzed('mean', meanArms(arm, k, values), mean));
      }
      case 'revenue':
      case 'orders':
      case 'margin': {
        const values = kept.map((u) => u[m.type]);
        const cuped = a.cuped && m.type === 'revenue';
        const arms = meanArms(
          arm,
          k,
          values,
          m.winsorize ?? null,
          cuped ? kept.map((u) => u.preRevenue) : null,
        );
        return result(analyzed('mean', arms, mean, cuped));
      }
      case 'aov': {
        const arms = ratioArms(
          arm,
          k,
          kept.map((u) => u.revenue),
          kept.map((u) => u.orders),
          m.winsorize ?? null,
        );
        const ratio = (x: Record<string, unknown>) => {
          const d = (x.denominator as { sum: number }).sum;
          return d > 0 ? (x.numerator as { sum: number }).sum / d : null;
        };
        return result(analyzed('ratio', arms, ratio));
      }
      case 'retention': {
        // Only units exposed at least `days` ago could have come back by now.
        const ripe = kept.filter((u) => u.exposedAt + m.days * 86_400_000 <= now);
        const arms = proportionArms(
          ripe.map((u) => u.variant),
          k,
          ripe.map((u) => u.lastActive >= u.exposedAt + m.days * 86_400_000),
        );
        return result(analyzed('proportion', arms, rate));
      }
      case 'recommendation-ctr':
      case 'recommendation-conversion': {
        const arms = e.variants.map((v) => {
          const rows = attribution.filter((r) => r.strategy === v.strategy);
          const n = rows.reduce((s, r) => s + r.impressions, 0);
          const hit = rows.reduce(
            (s, r) => s + (m.type === 'recommendation-ctr' ? r.clicked : r.converted),
            0,
          );
          return { n, sum: hit };
        });
        return result(analyzed('proportion', arms, rate), 'impressions');
      }
    }
  };

  const guardrails = e.guardrails.map((m) => ({ metric: m, result: evaluate(m, 'guardrail') }));
  const metrics = [
    evaluate(e.goal, 'goal'),
    ...e.secondary.map((m) => evaluate(m, 'secondary')),
    ...guardrails.map((g) => g.result),
  ];
  if (a.adjust) {
    const cells = metrics
      .filter((m) => m.role === 'secondary')
      .flatMap((m) => m.variants.slice(1))
      .filter((v) => v.pValue !== null);
    const adjusted = (a.adjust === 'holm' ? holm : benjaminiHochberg)(cells.map((v) => v.pValue!));
    cells.forEach((v, i) => {
      v.adjustedPValue = adjusted[i]!;
    });
  }

  const dimensions: [string, (u: ExperimentUnit) => string][] = [
    ['source', (u) => u.source ?? '(none)'],
    ['browser', (u) => browserOf(u.userAgent)],
    ['day', (u) => new Date(u.exposedAt).toISOString().slice(0, 10)],
  ];
  const breakdowns = dimensions.map(([dimension, of]) => {
    const rows = new Map<string, number[]>();
    for (const u of kept) {
      const value = of(u);
      const row = rows.get(value) ?? new Array<number>(k).fill(0);
      row[u.variant]!++;
      rows.set(value, row);
    }
    const breakdown: SrmBreakdown = srmByDimension(
      [...rows].map(([value, c]) => ({ value, counts: c })),
      weights,
    );
    return { dimension, breakdown };
  });
  const overall = breakdowns[0]!.breakdown.overall;
  const suspects = overall.alarm
    ? breakdowns
        .filter((b) => b.breakdown.responsible.length > 0 && b.breakdown.values.length > 1)
        .map((b) => ({ dimension: b.dimension, values: b.breakdown.responsible }))
    : [];

  const warnings: Warning[] = [];
  if (e.status === 'draft') warnings.push({ code: 'not-started', message: 'the experiment has not started' });
  const fewest = Math.min(...counts);
  if (fewest < a.minUnitsPerVariant)
    warnings.push({
      code: 'too-few-units',
      message: `a variant has ${fewest} units; results are unreliable below ${a.minUnitsPerVariant} per variant`,
    });
  if (overall.alarm)
    warnings.push({
      code: 'srm',
      message: `sample ratio mismatch: units per variant ${counts.join(' / ')} do not fit the split ${weights.map((w) => (w / total).toFixed(2)).join(' / ')} (p = ${overall.pValue.toExponential(2)})${suspects.length ? `; look at ${suspects.map((s) => `${s.dimension} = ${s.values.join(', ')}`).join('; ')}` : ''}. Do not trust the metrics until the cause is found.`,
    });
  if (e.status === 'running' && a.engine === 'frequentist' && !a.sequential && e.looks > 1)
    warnings.push({
      code: 'peeking',
      message: `results were read ${e.looks} times while running without sequential testing; p-values are only valid at the planned end (set analysis.sequential to look any time)`,
    });
  for (const { metric, result: m } of guardrails) {
    for (const v of m.variants.slice(1)) {
      const harmed =
        a.engine === 'bayesian'
          ? v.chanceToWin !== null && (metric.lowerIsBetter ? v.chanceToWin > 0.95 : v.chanceToWin < 0.05)
          : v.ci !== null &&
            (metric.lowerIsBetter ? v.ci[0] !== null && v.ci[0] > 0 : v.ci[1] !== null && v.ci[1] < 0);
      if (harmed)
        warnings.push({
          code: 'guardrail-harm',
          message: `guardrail "${m.name}" is significantly ${metric.lowerIsBetter ? 'higher' : 'lower'} in variant "${v.key}" (effect ${((v.effect ?? 0) * 100).toFixed(2)}%)`,
        });
    }
  }

  return {
    experiment: e.key,
    status: e.status,
    engine: a.engine,
    relative: true,
    windowDays: a.windowDays,
    variants: e.variants.map((v, i) => ({
      key: v.key,
      units: counts[i]!,
      expectedShare: weights[i]! / total,
    })),
    srm: { chiSquare: overall.chiSquare, pValue: overall.pValue, alarm: overall.alarm, suspects },
    metrics,
    warnings,
  };
}
