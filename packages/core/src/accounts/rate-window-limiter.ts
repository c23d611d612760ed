import { sleep as realSleep } from '../engine/sleep.js';

/**
 * A provider counts calls as they arrive, and the time from our start to its arrival varies (network jitter, a busy
 * event loop: on a loaded machine calls took over 500 ms to reach a simulator in the same process): with starts spaced
 * at exactly the limit, two calls a window apart arrive closer than that, and the provider refuses the later one (12
 * of 112 calls refused at 10 QPS against a rolling second). What is certain is that a call arrived before its answer
 * came back: the limiter counts each call until then, or, for a call slower than this share of its window, until the
 * share has passed.
 */
const SPACED_MARGIN_RATIO = 0.2;

export interface RateWindow {
  /** Calls that may arrive in any window. */
  calls: number;
  /** The provider's window, in ms. */
  windowMs: number;
  /** The latest a call is taken to arrive after its start, unless its answer came sooner. */
  marginMs: number;
}

/**
 * A rate as calls per window: a whole number per second as that many in any second (a provider's quota is a count per
 * window, and the burst a window allows is what lets a batch of calls finish sooner), anything else (10 a minute, one
 * every two seconds) as one call per 1/rate seconds. A call in a one-second window counts until it answered, or for a
 * whole window at most; a call spaced from the next counts a fifth of its period at most (a provider that allows 10 a
 * minute counts a minute, not each period, so spacing alone leaves room).
 */
export function rateWindow(requestsPerSecond: number): RateWindow {
  const whole = Number.isInteger(requestsPerSecond);
  const windowMs = whole ? 1_000 : 1_000 / requestsPerSecond;
  return {
    calls: whole ? requestsPerSecond : 1,
    windowMs,
    marginMs: whole ? windowMs : windowMs * SPACED_MARGIN_RATIO,
  };
}

export interface RateWindowLimiterOptions {
  /**
   * Default Date.now, as the engine's sleep and p-queue read it (so tests on a fake clock move all three together).
   * Spacing is the provider's time, whatever clock the engine decides windows of its own with.
   */
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

interface Call {
  start: number;
  /** When its answer came; undefined while in flight. */
  end: number | undefined;
}

/**
 * At most `calls` arrivals at the provider in any window (see rateWindow), in the order calls asked, at a rate that
 * can change while calls wait (the learned rate, see AdaptiveRate). A call arrives after it starts and before its
 * answer comes back (or `marginMs` after its start, at the latest); so a call may start once the `calls`-th call
 * before it has, by the earlier of those bounds, been a whole window ago. That holds whatever the jitter on the way,
 * and costs a window's worth of calls the latency of one answer: 5% at 50 ms on a one-second window.
 */
export class RateWindowLimiter {
  private window: RateWindow;
  /** Calls whose arrival may still fall within a window of now; oldest first. */
  private readonly calls: Call[] = [];
  private turn: Promise<void> = Promise.resolve();
  /** No call starts before this (a throttle's wait holds the whole account). */
  private pausedUntil = 0;
  /**
   * Wakes the caller waiting for room when a call answers: its place frees a window after its answer, which may be
   * well before the bound the wait was computed with (a window after its margin). Only one caller waits at a time.
   */
  private answered: AbortController | undefined;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(requestsPerSecond: number, options: RateWindowLimiterOptions = {}) {
    this.window = rateWindow(requestsPerSecond);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  setRate(requestsPerSecond: number): void {
    this.window = rateWindow(requestsPerSecond);
  }

  /** Holds every start for `ms`, calls already waiting their turn included. */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  /**
   * Resolves when a call may start (and counts it), one caller at a time, with the function to call when its answer
   * came (or it failed); at once, uncounted, on abort.
   */
  acquire(signal: AbortSignal): Promise<() => void> {
    const mine = this.turn.then(() => this.waitForRoom(signal));
    this.turn = mine.then(
      () => undefined,
      () => undefined,
    );
    return mine;
  }

  private async waitForRoom(signal: AbortSignal): Promise<() => void> {
    for (;;) {
      if (signal.aborted) return () => {};
      const now = this.now();
      if (now < this.pausedUntil) {
        await this.sleep(this.pausedUntil - now, signal);
        continue;
      }
      // Read afresh on every pass: a rate lowered while this call waited holds it longer.
      const { calls, windowMs, marginMs } = this.window;
      const latestArrival = (call: Call): number => Math.min(call.end ?? Infinity, call.start + marginMs);
      // Each past call keeps a place until a whole window has passed since it arrived at the latest.
      const open = this.calls.filter((call) => latestArrival(call) + windowMs > now);
      this.calls.splice(0, this.calls.length, ...open);
      if (open.length < calls) {
        const call: Call = { start: now, end: undefined };
        this.calls.push(call);
        return () => {
          if (call.end !== undefined) return;
          call.end = this.now();
          this.answered?.abort();
        };
      }
      // Room comes when enough places free to bring the count below `calls`. A call still in flight is counted until
      // its margin, but answering sooner frees its place sooner: its answer ends this wait, and the next pass sees it
      // (without that, at one call a second every call waited out its predecessor's whole margin: one call every two).
      const frees = open.map((call) => latestArrival(call) + windowMs).sort((a, b) => a - b);
      const wait = (frees[open.length - calls] as number) - now;
      if (!open.some((call) => call.end === undefined)) {
        await this.sleep(wait, signal);
        continue;
      }
      // Listeners, not AbortSignal.any: the shutdown signal outlives every wait, and must not gather their signals.
      const wake = new AbortController();
      const onAbort = (): void => wake.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.answered = wake;
      try {
        await this.sleep(wait, wake.signal);
      } finally {
        signal.removeEventListener('abort', onAbort);
        this.answered = undefined;
      }
    }
  }
}
