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
export const RATE_LOOKBACK_MS = 2_000;

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
 * Everything AdaptiveRate knows between two events, as a plain object: in one process the class holds it, in a cluster
 * the admission keeps it where every replica reads it (see RateLearning), its times then on the shared clock.
 */
export interface AdaptiveRateState {
  /** The rate calls keep to now. */
  rate: number;
  /** Bumped by every change but `measured`: a call's ticket says which rate it started under. */
  generation: number;
  changedAt: number;
  /**
   * The quiet period's multiple: doubled by each refused step up (and by a decrease whose step up is a rate just
   * refused), back to 1 once a step up held.
   */
  backoff: number;
  /** The last change was a step up not yet held for a quiet period. */
  probing: boolean;
  /** While probing: the rate before the step up, the one a throttle takes the rate back to. */
  heldRate: number;
  /**
   * After a throttle: the time measured (the two seconds before the throttle answered), and the decrease's bound. Calls
   * started in it and still in flight were not counted; as each is accepted afterwards, the rate is measured again.
   */
  remeasure?: { generation: number; since: number; until: number; cap: number; blind: boolean } | undefined;
}

/** What does not change while an account's rate is learned. */
export interface AdaptiveRateSettings {
  ceiling: number;
  baseQuietMs: number;
  quietCalls: number;
  maxQuietMs: number;
}

/** One event's outcome: the state after it, and the change to report (undefined: the rate stayed). */
export interface RateTransition {
  state: AdaptiveRateState;
  change: RateChange | undefined;
}

/** The settings AdaptiveRateOptions describe; throws on a ceiling no limiter can keep. */
export function adaptiveRateSettings(options: Omit<AdaptiveRateOptions, 'now' | 'learned'>): AdaptiveRateSettings {
  if (!(options.ceiling > 0) || !Number.isFinite(options.ceiling)) {
    throw new RangeError(`AdaptiveRate needs a positive, finite ceiling, got ${options.ceiling}`);
  }
  const baseQuietMs = options.quietMs ?? 10_000;
  return {
    ceiling: options.ceiling,
    baseQuietMs,
    maxQuietMs: Math.max(baseQuietMs, options.maxQuietMs ?? 600_000),
    quietCalls: options.quietCalls ?? 30,
  };
}

/** Where learning starts: the ceiling, or a rate learned before (within the ceiling), its quiet period from then. */
export function initialRateState(
  settings: AdaptiveRateSettings,
  learned: AdaptiveRateOptions['learned'],
  now: number,
): AdaptiveRateState {
  const rate =
    learned && learned.requestsPerSecond > 0
      ? Math.min(settings.ceiling, normalize(learned.requestsPerSecond))
      : settings.ceiling;
  return {
    rate,
    generation: 0,
    changedAt: learned ? learned.at : now,
    backoff: 1,
    probing: false,
    heldRate: rate,
  };
}

/** A call starts: a quiet period that has passed raises the rate a step. */
export function startTransition(settings: AdaptiveRateSettings, state: AdaptiveRateState, now: number): RateTransition {
  if (state.rate >= settings.ceiling || now - state.changedAt < quietPeriod(settings, state)) {
    return { state, change: undefined };
  }
  const backoff = state.probing ? 1 : state.backoff;
  const next = { ...state, backoff, heldRate: state.rate };
  const moved = moveTo(next, Math.min(settings.ceiling, stepUp(state.rate)), 'recovered', now);
  moved.state.probing = true;
  return moved;
}

/**
 * The provider accepted the call whose ticket this is; `accepted` holds the start times of the calls accepted lately,
 * this one included. A call that was in flight when the last throttle lowered the rate, and started in the time
 * measured then, may make that measure larger: the rate goes up to it (reason `measured`), still bounded by the
 * decrease; after a blind halving, to it either way.
 */
export function acceptedTransition(
  state: AdaptiveRateState,
  ticket: RateTicket,
  now: number,
  accepted: readonly number[],
): RateTransition {
  const pending = state.remeasure;
  if (!remeasures(state, ticket)) return { state, change: undefined };
  const { since, until, cap, blind } = pending as NonNullable<AdaptiveRateState['remeasure']>;
  const measured = Math.max(MIN_RATE, normalize(Math.min(cap, mostAcceptedInAWindow(accepted, since, until))));
  if (measured === state.rate || (!blind && measured < state.rate)) return { state, change: undefined };
  // Not a new generation: this corrects the same decrease, and throttles of calls started before it stay ignored.
  return {
    state: { ...state, rate: measured, remeasure: { ...(pending as NonNullable<typeof pending>), blind: false } },
    change: { from: state.rate, to: measured, reason: 'measured', at: now },
  };
}

/** Whether an accepted call with this ticket can measure the last decrease again (else acceptedTransition is a no-op). */
export function remeasures(state: AdaptiveRateState, ticket: RateTicket): boolean {
  const pending = state.remeasure;
  return (
    pending !== undefined &&
    pending.generation === state.generation &&
    ticket.generation === pending.generation - 1 &&
    ticket.startedAt >= pending.since &&
    ticket.startedAt <= pending.until
  );
}

/**
 * The provider throttled the call whose ticket this is; `accepted` as for acceptedTransition. No change when this
 * throttle was already acted on (the ticket is of an earlier generation).
 */
export function throttledTransition(
  state: AdaptiveRateState,
  ticket: RateTicket,
  now: number,
  accepted: readonly number[],
  settings: AdaptiveRateSettings,
): RateTransition {
  if (ticket.generation !== state.generation) return { state, change: undefined };
  let target: number;
  let next: AdaptiveRateState;
  if (state.probing) {
    // The step up found the quota: undo it, back to the rate that held a whole quiet period, and probe less often.
    // (What was accepted the second before says less here: it depends on where in our window the throttle fell.)
    target = state.heldRate;
    next = { ...state, backoff: refusedStepUp(settings, state), probing: false, remeasure: undefined };
  } else {
    // Up to the throttle's answer, not the throttled call's start: calls overtake one another on the way, so some
    // that started after the throttled one arrived before it, and the provider counted them in the second that
    // refused it.
    const since = now - RATE_LOOKBACK_MS;
    const acceptedBefore = mostAcceptedInAWindow(accepted, since, now);
    const cap = state.rate * DECREASE;
    target = acceptedBefore > 0 ? Math.min(cap, acceptedBefore) : state.rate * BLIND_DECREASE;
    // Refused with that many accepted in a second: the step up from the new rate is a rate the provider just
    // refused, as a throttled probe would have shown, so the first probe waits as long as after one. (Probing it
    // after the plain quiet period, 30 s at one call a second, cost a run of 40 calls a fifth throttle: 11%.)
    const refused = acceptedBefore > 0 && stepUp(normalize(target)) > acceptedBefore;
    next = {
      ...state,
      backoff: refused ? refusedStepUp(settings, state) : state.backoff,
      remeasure: { generation: state.generation + 1, since, until: now, cap, blind: acceptedBefore === 0 },
    };
  }
  return moveTo(next, Math.max(MIN_RATE, normalize(target)), 'throttled', now);
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
 * The transitions are the functions above; this class holds their state and the accepted calls in one process.
 */
export class AdaptiveRate {
  readonly ceiling: number;
  private readonly settings: AdaptiveRateSettings;
  private state: AdaptiveRateState;
  /** Start times of calls the provider accepted recently, in the order they answered; bounded. */
  private readonly accepted: number[] = [];
  private readonly now: () => number;

  constructor(options: AdaptiveRateOptions) {
    this.settings = adaptiveRateSettings(options);
    this.ceiling = this.settings.ceiling;
    this.now = options.now;
    this.state = initialRateState(this.settings, options.learned, this.now());
  }

  /** The rate calls keep to now. */
  get requestsPerSecond(): number {
    return this.state.rate;
  }

  /** A call starts: first, a quiet period that has passed raises the rate a step (reported as the change). */
  start(): { ticket: RateTicket; change: RateChange | undefined } {
    const now = this.now();
    const change = this.apply(startTransition(this.settings, this.state, now));
    return { ticket: { generation: this.state.generation, startedAt: now }, change };
  }

  /** The provider accepted the call (it answered, whatever it said about the videos); see acceptedTransition. */
  acceptedCall(ticket: RateTicket): RateChange | undefined {
    this.accepted.push(ticket.startedAt);
    // Enough to count a second's worth at the ceiling; older ones are of no use.
    if (this.accepted.length > Math.ceil(this.ceiling) * 2 + 8) this.accepted.shift();
    return this.apply(acceptedTransition(this.state, ticket, this.now(), this.accepted));
  }

  /** The provider throttled the call. Returns the change, or undefined when this throttle was already acted on. */
  throttled(ticket: RateTicket): RateChange | undefined {
    return this.apply(throttledTransition(this.state, ticket, this.now(), this.accepted, this.settings));
  }

  private apply(transition: RateTransition): RateChange | undefined {
    this.state = transition.state;
    return transition.change;
  }
}

/** The most accepted calls that started within one window, among those that started between `since` and `until`. */
function mostAcceptedInAWindow(accepted: readonly number[], since: number, until: number): number {
  const starts = accepted.filter((at) => at >= since && at <= until).sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < starts.length; last += 1) {
    while ((starts[last] as number) - (starts[first] as number) >= WINDOW_MS) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/**
 * Both bounds of the quiet period double with the backoff: a slow account's is its calls' worth (30 s at one call a
 * second), which a doubled 10 s does not reach, so at one call a second every refused step up came again 30 s later.
 */
function quietPeriod(settings: AdaptiveRateSettings, state: AdaptiveRateState): number {
  const base = Math.max(settings.baseQuietMs, (settings.quietCalls * 1_000) / state.rate);
  // A state kept by an older version has no backoff: treat it as none.
  return Math.min(settings.maxQuietMs, base * (state.backoff ?? 1));
}

/** The backoff after a refused step up; bounded, since past maxQuietMs the multiple changes nothing. */
function refusedStepUp(settings: AdaptiveRateSettings, state: AdaptiveRateState): number {
  return Math.min((state.backoff ?? 1) * 2, Math.ceil(settings.maxQuietMs / Math.max(1, settings.baseQuietMs)));
}

/** `state` moved to the rate `to`: a new generation, its quiet period counted from `at`. */
function moveTo(state: AdaptiveRateState, to: number, reason: RateChange['reason'], at: number): RateTransition {
  return {
    state: { ...state, rate: to, generation: state.generation + 1, changedAt: at },
    change: { from: state.rate, to, reason, at },
  };
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
