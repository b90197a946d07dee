/**
 * A one-line progress bar on stderr, redrawn at most ten times a second. Silent when stderr is not a
 * terminal (CI logs, pipes), so machine output on stdout is never mixed with it.
 */
export class ProgressBar {
  private last = 0;
  private readonly started = Date.now();
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    stream: NodeJS.WriteStream = process.stderr,
    private readonly out = stream,
  ) {
    this.enabled = Boolean(stream.isTTY) && !process.env.CI;
  }

  /** Redraws with `done` of `total` (units are the caller's) and a short suffix such as a count. */
  update(done: number, total: number, suffix = ''): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const width = 28;
    const filled = Math.round(fraction * width);
    const elapsed = (now - this.started) / 1000;
    const eta = fraction > 0.01 ? Math.max(0, elapsed / fraction - elapsed) : Number.NaN;
    const line = `${this.label} [${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}] ${(fraction * 100).toFixed(0).padStart(3)}% ${suffix}${Number.isFinite(eta) ? ` ETA ${formatSeconds(eta)}` : ''}`;
    this.out.write(`\r${line.slice(0, (this.out.columns ?? 120) - 1)}\u001b[K`);
  }

  /** Clears the bar. */
  done(): void {
    if (this.enabled) this.out.write('\r\u001b[K');
  }
}

/** "1m 05s", "12s". */
export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** 1234567 -> "1,234,567". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Bytes as "12.3 MB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
