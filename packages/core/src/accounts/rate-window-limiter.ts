import { sleep as realSleep } from '../engine/sleep.js';

/**
 * The share of a window added as room for jitter, at most MAX_MARGIN_MS. A provider counts calls as they arrive, and
 * the time from our start to its arrival varies by a few milliseconds (more on a busy machine): with starts spaced at
 * exactly the limit, two calls a window apart arrive closer than that, and the provider refuses the later one (12 of
 * 112 calls refused at 10 QPS against a rolling second). With the window 10% longer, arrivals may jitter by up to the
 * margin and still never put one call more into any provider window, for 9% of the throughput.
 */
const MARGIN_RATIO = 0.1;
const MAX_MARGIN_MS = 100;

export interface RateWindow {
  /** Calls that may start in any window. */
  calls: number;
  /** The provider's window, in ms, before the margin is added. */
  windowMs: number;
  /** The window the limiter keeps, margin included. */
  spanMs: number;
}

/**
 * A rate as calls per window: a whole number per second as that many in any second (a provider's quota is a count per
 * window, and the burst a window allows is what lets a batch of calls finish sooner), anything else (10 a minute, one
 * every two seconds) as one call per 1/rate seconds. Then the margin.
 */
export function rateWindow(requestsPerSecond: number): RateWindow {
  const whole = Number.isInteger(requestsPerSecond);
  const calls = whole ? requestsPerSecond : 1;
  const windowMs = whole ? 1_000 : 1_000 / requestsPerSecond;
  return { calls, windowMs, spanMs: windowMs + Math.min(windowMs * MARGIN_RATIO, MAX_MARGIN_MS) };
}

export interface RateWindowLimiterOptions {
  /**
   * Default Date.now, as the engine's sleep and p-queue read it (so tests on a fake clock move all three together).
   * Spacing is the provider's time, whatever clock the engine decides windows of its own with.
   */
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * At most `calls` starts in any rolling `spanMs` (see rateWindow), in the order calls asked, at a rate that can change
 * while calls wait (the learned rate, see AdaptiveRate). p-queue's strict interval did this before, but takes its
 * interval once, at construction.
 */
export class RateWindowLimiter {
  private window: RateWindow;
  /** Start times within the last span, oldest first; never more than the largest `calls` seen. */
  private readonly starts: number[] = [];
  private turn: Promise<void> = Promise.resolve();
  /** No call starts before this (a throttle's wait holds the whole account). */
  private pausedUntil = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(requestsPerSecond: number, options: RateWindowLimiterOptions = {}) {
    this.window = rateWindow(requestsPerSecond);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  get current(): RateWindow {
    return this.window;
  }

  setRate(requestsPerSecond: number): void {
    this.window = rateWindow(requestsPerSecond);
  }

  /** Holds every start for `ms`, calls already waiting their turn included. */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  /** Resolves when a call may start (and counts it), one caller at a time; at once, without counting, on abort. */
  acquire(signal: AbortSignal): Promise<void> {
    const mine = this.turn.then(() => this.waitForRoom(signal));
    this.turn = mine;
    return mine;
  }

  private async waitForRoom(signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) return;
      // Read afresh on every pass: a rate lowered while this call waited holds it longer.
      const { calls, spanMs } = this.window;
      const now = this.now();
      if (now < this.pausedUntil) {
        await this.sleep(this.pausedUntil - now, signal);
        continue;
      }
      while (this.starts.length > 0 && (this.starts[0] as number) <= now - spanMs) this.starts.shift();
      if (this.starts.length < calls) {
        this.starts.push(now);
        return;
      }
      // Room comes when enough of the oldest starts have left the span to bring the count below `calls`.
      const leaving = this.starts[this.starts.length - calls] as number;
      await this.sleep(leaving + spanMs - now, signal);
    }
  }
}
