/**
 * Counters and histograms rendered in the Prometheus text exposition format (version 0.0.4).
 * Small on purpose: the server exports a dozen series and needs no client library for that.
 */

type Labels = Record<string, string>;

const escaped = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Rendered label sets by their raw names and values: a request's labels repeat, so they are rendered once. */
const rendered = new Map<string, string>();

const labelKey = (labels: Labels) => {
  let raw = '';
  for (const k in labels) raw += `${k}\u0000${labels[k]}\u0001`;
  let key = rendered.get(raw);
  if (key === undefined) {
    key = Object.keys(labels)
      .sort()
      .map((k) => `${k}="${escaped(String(labels[k]))}"`)
      .join(',');
    if (rendered.size >= 10_000) rendered.clear();
    rendered.set(raw, key);
  }
  return key;
};

/** A monotonically increasing count, per label set. */
export class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** Adds `by` (default 1) to the series with these labels. */
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  /** Current value of one series (for tests and /healthz). */
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, v] of this.values) lines.push(`${this.name}${key ? `{${key}}` : ''} ${v}`);
    return lines.join('\n');
  }
}

/** Observations counted into cumulative buckets, per label set. */
export class Histogram {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  /** Records one observation. */
  observe(value: number, labels: Labels = {}): void {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]++;
    s.sum += value;
    s.count++;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, s] of this.series) {
      const sep = key ? `${key},` : '';
      for (let i = 0; i < this.buckets.length; i++)
        lines.push(`${this.name}_bucket{${sep}le="${this.buckets[i]}"} ${s.counts[i]}`);
      lines.push(`${this.name}_bucket{${sep}le="+Inf"} ${s.count}`);
      lines.push(`${this.name}_sum${key ? `{${key}}` : ''} ${s.sum}`);
      lines.push(`${this.name}_count${key ? `{${key}}` : ''} ${s.count}`);
    }
    return lines.join('\n');
  }
}

/** A set of metrics rendered together at /metrics. */
export class Registry {
  private readonly metrics: (Counter | Histogram)[] = [];

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }

  /** The exposition text. */
  render(): string {
    return `${this.metrics.map((m) => m.render()).join('\n')}\n`;
  }

  private add<M extends Counter | Histogram>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }
}

/** Latency buckets in seconds, 0.5 ms to 10 s. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
