/**
 * Items per second over the last `windowMs`, and the time left at that rate. A window rather than the average since
 * the start: a deletion slows down when a provider starts throttling, and the ETA should say so within seconds.
 * The clock is injected so tests drive time themselves.
 */
export class RateMeter {
  private readonly samples: { at: number; completed: number }[] = [];

  constructor(
    private readonly now: () => number = Date.now,
    private readonly windowMs = 10_000,
  ) {}

  /** Notes that `completed` items are done now. */
  record(completed: number): void {
    const at = this.now();
    this.samples.push({ at, completed });
    // Keep one sample older than the window, so the window is always spanned.
    while (this.samples.length > 2 && (this.samples[1]?.at ?? at) <= at - this.windowMs) this.samples.shift();
  }

  /** Items per second, or undefined until two samples a moment apart exist. */
  rate(): number | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at <= first.at) return undefined;
    return ((last.completed - first.completed) * 1000) / (last.at - first.at);
  }

  /** Milliseconds until `total` at the current rate, or undefined while the rate is unknown or zero. */
  etaMs(total: number): number | undefined {
    const rate = this.rate();
    const last = this.samples.at(-1);
    if (rate === undefined || rate <= 0 || !last) return undefined;
    return (Math.max(0, total - last.completed) / rate) * 1000;
  }
}

/** `1h02m`, `3m05s`, `12s`: short enough for a progress bar. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '--';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export function formatRate(rate: number | undefined): string {
  if (rate === undefined) return '--/s';
  return `${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}/s`;
}
