/** On a throttle with nothing accepted to measure: halve. */
const BLIND_DECREASE = 0.5;
/** On a throttle, at least this decrease, whatever was measured: the rate that was refused must not come back. */
const DECREASE = 0.9;
/** The lowest a learned rate goes: one call a minute. */
const MIN_RATE = 1 / 60;
/** What the provider let through is counted per window, a second for every quota documented in seconds... */
const WINDOW_MS = 1_000;
/**
 * ...the most it let through in any one second of the last two: our limiter sends a window's calls together, so the
 * one second before a throttle may hold only part of a window's calls, and the provider demonstrably accepts the most.
 */
const LOOKBACK_MS = 2_000;

export interface AdaptiveRateOptions {
  /** The configured or documented rate: the rate starts there and never goes above it. */
  ceiling: number;
  /** A rate learned before (read from the journal at start), and when it was learned. */
  learned?: { requestsPerSecond: number; at: number } | undefined;
  /** The engine's clock, in ms: decides quiet periods and what was accepted in the last second. */
  now: () => number;
  /** Throttle-free time after which the rate goes up one step. Default 10 s. */
  quietMs?: number;
  /**
   * And at least this many calls' worth of time at the current rate (30 s at one call a second): each step up that
   * finds the quota costs a throttled call, so a slow account must not probe as often as a fast one. Default 30.
   */
  quietCalls?: number;
  /**
   * A step up that was throttled doubles the quiet period before the next (calls' worth included), up to this.
   * Default 10 min.
   */
  maxQuietMs?: number;
}

export interface RateChange {
  from: number;
  to: number;
  /**
   * `throttled`: lowered after a throttle; `measured`: that decrease corrected by calls in flight at the throttle that
   * were accepted afterwards; `recovered`: raised after a quiet period.
   */
  reason: 'throttled' | 'measured' | 'recovered';
  at: number;
}

/** What a call takes with it when it starts, and hands back with its outcome. */
export interface RateTicket {
  generation: number;
  startedAt: number;
}

/**
 * The rate one account's provider really accepts, learned from its throttles (AIMD): a throttle lowers the rate to the
 * most the provider accepted in any second of the two before it (counted again as calls then in flight answer), and at least by 10% (half when nothing was accepted to measure); each
 * quiet period without a throttle (10 s, and at least 30 calls' worth) raises it one step (one call per second more, or from one call every k seconds to
 * one every k - 1), never above the ceiling. A throttle counts once per change: calls already in flight at the old
 * rate (started in an earlier generation) are answered with the same throttle, and say nothing new. A step up that is
 * throttled is undone and doubles the quiet period before the next, so probing a quota that does not grow costs ever
 * fewer throttles, and the rate does not saw down a tenth below the quota each time; a step up that held resets it. A
 * decrease to what was measured doubles it too: the step up from there is the rate just refused.
 */
export class AdaptiveRate {
  readonly ceiling: number;
  private rate: number;
  private generation = 0;
  private changedAt: number;
  private readonly baseQuietMs: number;
  private readonly quietCalls: number;
  private readonly maxQuietMs: number;
  /** The quiet period's multiple: doubled by each refused step up, back to 1 once a step held. */
  private backoff = 1;
  /** The last change was a step up not yet held for a quiet period. */
  private probing = false;
  /** While probing: the rate before the step up, the one a throttle takes the rate back to. */
  private heldRate: number;
  /**
   * After a throttle: the time measured (the two seconds before the throttle answered), and the decrease's bound. Calls started in it and still in
   * flight were not counted; as each is accepted afterwards, the rate is measured again (see acceptedCall).
   */
  private remeasure: { generation: number; since: number; until: number; cap: number; blind: boolean } | undefined;
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
    this.quietCalls = options.quietCalls ?? 30;
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
    if (this.rate < this.ceiling && now - this.changedAt >= this.quietPeriod()) {
      if (this.probing) this.backoff = 1;
      this.heldRate = this.rate;
      change = this.change(Math.min(this.ceiling, stepUp(this.rate)), 'recovered', now);
      this.probing = true;
    }
    return { ticket: { generation: this.generation, startedAt: now }, change };
  }

  /**
   * The provider accepted the call (it answered, whatever it said about the videos). A call that was in flight when
   * the last throttle lowered the rate, and started in the time measured then, may make that measure larger: the rate
   * goes up to it (reason `measured`), still bounded by the decrease; after a blind halving, to it either way.
   */
  acceptedCall(ticket: RateTicket): RateChange | undefined {
    this.accepted.push(ticket.startedAt);
    // Enough to count a second's worth at the ceiling; older ones are of no use.
    if (this.accepted.length > Math.ceil(this.ceiling) * 2 + 8) this.accepted.shift();
    const pending = this.remeasure;
    if (
      !pending ||
      pending.generation !== this.generation ||
      ticket.generation !== pending.generation - 1 ||
      ticket.startedAt < pending.since ||
      ticket.startedAt > pending.until
    ) {
      return undefined;
    }
    const measured = Math.max(
      MIN_RATE,
      normalize(Math.min(pending.cap, this.mostAcceptedInAWindow(pending.since, pending.until))),
    );
    if (measured === this.rate || (!pending.blind && measured < this.rate)) return undefined;
    pending.blind = false;
    const from = this.rate;
    this.rate = measured;
    // Not a new generation: this corrects the same decrease, and throttles of calls started before it stay ignored.
    return { from, to: measured, reason: 'measured', at: this.now() };
  }

  /** The provider throttled the call. Returns the change, or undefined when this throttle was already acted on. */
  throttled(ticket: RateTicket): RateChange | undefined {
    if (ticket.generation !== this.generation) return undefined;
    const now = this.now();
    let target: number;
    if (this.probing) {
      // The step up found the quota: undo it, back to the rate that held a whole quiet period, and probe less often.
      // (What was accepted the second before says less here: it depends on where in our window the throttle fell.)
      target = this.heldRate;
      this.refusedStepUp();
      this.probing = false;
      this.remeasure = undefined;
    } else {
      // Up to the throttle's answer, not the throttled call's start: calls overtake one another on the way, so some
      // that started after the throttled one arrived before it, and the provider counted them in the second that
      // refused it.
      const since = now - LOOKBACK_MS;
      const acceptedBefore = this.mostAcceptedInAWindow(since, now);
      const cap = this.rate * DECREASE;
      target = acceptedBefore > 0 ? Math.min(cap, acceptedBefore) : this.rate * BLIND_DECREASE;
      // Refused with that many accepted in a second: the step up from the new rate is a rate the provider just
      // refused, as a throttled probe would have shown, so the first probe waits as long as after one. (Probing it
      // after the plain quiet period, 30 s at one call a second, cost a run of 40 calls a fifth throttle: 11%.)
      if (acceptedBefore > 0 && stepUp(normalize(target)) > acceptedBefore) this.refusedStepUp();
      this.remeasure = {
        generation: this.generation + 1,
        since,
        until: now,
        cap,
        blind: acceptedBefore === 0,
      };
    }
    return this.change(Math.max(MIN_RATE, normalize(target)), 'throttled', now);
  }

  /** The most accepted calls that started within one window, among those that started between `since` and `until`. */
  private mostAcceptedInAWindow(since: number, until: number): number {
    const starts = this.accepted.filter((at) => at >= since && at <= until).sort((a, b) => a - b);
    let most = 0;
    let first = 0;
    for (let last = 0; last < starts.length; last += 1) {
      while ((starts[last] as number) - (starts[first] as number) >= WINDOW_MS) first += 1;
      most = Math.max(most, last - first + 1);
    }
    return most;
  }

  /**
   * The quiet period's both bounds double: a slow account's is its calls' worth (30 s at one call a second), which a
   * doubled 10 s does not reach, so at one call a second every refused step up came again 30 s later.
   */
  private quietPeriod(): number {
    const base = Math.max(this.baseQuietMs, (this.quietCalls * 1_000) / this.rate);
    return Math.min(this.maxQuietMs, base * this.backoff);
  }

  private refusedStepUp(): void {
    // Bounded by the cap: past it the quiet period is maxQuietMs whatever the multiple.
    this.backoff = Math.min(this.backoff * 2, Math.ceil(this.maxQuietMs / Math.max(1, this.baseQuietMs)));
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
