/** On a throttle with nothing accepted to measure: halve. */
const BLIND_DECREASE = 0.5;
/** On a throttle, at least this decrease, whatever was measured: the rate that was refused must not come back. */
const DECREASE = 0.9;
/** The lowest a learned rate goes: one call a minute. */
const MIN_RATE = 1 / 60;
/** What the provider let through is counted over its window, a second for every quota documented in seconds. */
const MEASURE_MS = 1_000;

export interface AdaptiveRateOptions {
  /** The configured or documented rate: the rate starts there and never goes above it. */
  ceiling: number;
  /** A rate learned before (read from the journal at start), and when it was learned. */
  learned?: { requestsPerSecond: number; at: number } | undefined;
  /** The engine's clock, in ms: decides quiet periods and what was accepted in the last second. */
  now: () => number;
  /** Throttle-free time after which the rate goes up one step. Default 10 s. */
  quietMs?: number;
  /** A step up that was throttled doubles the quiet period before the next, up to this. Default 10 min. */
  maxQuietMs?: number;
}

export interface RateChange {
  from: number;
  to: number;
  /** `throttled`: lowered after a throttle; `recovered`: raised after a quiet period. */
  reason: 'throttled' | 'recovered';
  at: number;
}

/** What a call takes with it when it starts, and hands back with its outcome. */
export interface RateTicket {
  generation: number;
  startedAt: number;
}

/**
 * The rate one account's provider really accepts, learned from its throttles (AIMD): a throttle lowers the rate to what
 * the provider accepted in the second before it, and at least by 10% (half when nothing was accepted to measure); each
 * quiet period without a throttle raises it one step (one call per second more, or from one call every k seconds to
 * one every k - 1), never above the ceiling. A throttle counts once per change: calls already in flight at the old
 * rate (started in an earlier generation) are answered with the same throttle, and say nothing new. A step up that is
 * throttled is undone and doubles the quiet period before the next, so probing a quota that does not grow costs ever
 * fewer throttles, and the rate does not saw down a tenth below the quota each time; a step up that held resets it.
 */
export class AdaptiveRate {
  readonly ceiling: number;
  private rate: number;
  private generation = 0;
  private changedAt: number;
  private readonly baseQuietMs: number;
  private readonly maxQuietMs: number;
  private quietMs: number;
  /** The last change was a step up not yet held for a quiet period. */
  private probing = false;
  /** While probing: the rate before the step up, the one a throttle takes the rate back to. */
  private heldRate: number;
  /** Start times of calls the provider accepted recently, in the order they answered; bounded. */
  private readonly accepted: number[] = [];
  private readonly now: () => number;

  constructor(options: AdaptiveRateOptions) {
    if (!(options.ceiling > 0) || !Number.isFinite(options.ceiling)) {
      throw new RangeError(`AdaptiveRate needs a positive, finite ceiling, got ${options.ceiling}`);
    }
    this.ceiling = options.ceiling;
    this.now = options.now;
    this.baseQuietMs = options.quietMs ?? 10_000;
    this.maxQuietMs = Math.max(this.baseQuietMs, options.maxQuietMs ?? 600_000);
    this.quietMs = this.baseQuietMs;
    const learned = options.learned;
    this.rate =
      learned && learned.requestsPerSecond > 0
        ? Math.min(this.ceiling, normalize(learned.requestsPerSecond))
        : this.ceiling;
    this.changedAt = learned ? learned.at : this.now();
    this.heldRate = this.rate;
  }

  /** The rate calls keep to now. */
  get requestsPerSecond(): number {
    return this.rate;
  }

  /** A call starts: first, a quiet period that has passed raises the rate a step (reported as the change). */
  start(): { ticket: RateTicket; change: RateChange | undefined } {
    const now = this.now();
    let change: RateChange | undefined;
    if (this.rate < this.ceiling && now - this.changedAt >= this.quietMs) {
      if (this.probing) this.quietMs = this.baseQuietMs;
      this.heldRate = this.rate;
      change = this.change(Math.min(this.ceiling, stepUp(this.rate)), 'recovered', now);
      this.probing = true;
    }
    return { ticket: { generation: this.generation, startedAt: now }, change };
  }

  /** The provider accepted the call (it answered, whatever it said about the videos). */
  acceptedCall(ticket: RateTicket): void {
    this.accepted.push(ticket.startedAt);
    // Enough to count a second's worth at the ceiling; older ones are of no use.
    if (this.accepted.length > Math.ceil(this.ceiling) * 2 + 8) this.accepted.shift();
  }

  /** The provider throttled the call. Returns the change, or undefined when this throttle was already acted on. */
  throttled(ticket: RateTicket): RateChange | undefined {
    if (ticket.generation !== this.generation) return undefined;
    const now = this.now();
    const since = ticket.startedAt - MEASURE_MS;
    const acceptedBefore = this.accepted.filter((at) => at >= since && at <= ticket.startedAt).length;
    let target: number;
    if (this.probing) {
      // The step up found the quota: undo it (lower still if less was accepted), and probe less often.
      target = acceptedBefore > 0 ? Math.min(this.heldRate, acceptedBefore) : this.heldRate;
      this.quietMs = Math.min(this.maxQuietMs, this.quietMs * 2);
      this.probing = false;
    } else {
      target = acceptedBefore > 0 ? Math.min(this.rate * DECREASE, acceptedBefore) : this.rate * BLIND_DECREASE;
    }
    return this.change(Math.max(MIN_RATE, normalize(target)), 'throttled', now);
  }

  private change(to: number, reason: RateChange['reason'], at: number): RateChange {
    const from = this.rate;
    this.rate = to;
    this.generation += 1;
    this.changedAt = at;
    return { from, to, reason, at };
  }
}

/**
 * Learned rates are whole calls per second (a quota is a count), or one call every whole number of seconds below one
 * a second, so the limiter's window (see rateWindow) stays a provider's second, or one call per period.
 */
function normalize(rate: number): number {
  if (rate >= 1) return Math.floor(rate);
  return 1 / Math.ceil(1 / rate - 1e-9);
}

function stepUp(rate: number): number {
  if (rate >= 1) return Math.floor(rate) + 1;
  const every = Math.round(1 / rate);
  return every <= 2 ? 1 : 1 / (every - 1);
}
