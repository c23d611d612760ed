/**
 * What the proxy does to one answer. Every fault but `pass` (and a delay `on: 'request'`) comes after the upstream has
 * answered in full, so the provider has acted: the client cannot know it, which is the ambiguity these faults exist to
 * test.
 */
export type FaultAction =
  /** Forward the answer untouched: a rule that exempts some requests from a broader one after it. */
  | { kind: 'pass' }
  /** The answer's head at once, then its body `bytes` bytes at a time, one write every `everyMs` milliseconds. */
  | { kind: 'trickle'; bytes: number; everyMs: number }
  /**
   * Hold the whole answer back for `ms` milliseconds (plus up to `jitterMs` more, drawn from the proxy's seeded
   * generator), then send it. With `on: 'request'` the request is held instead, before it is forwarded: network
   * latency on the way in, which reorders and bunches arrivals at the upstream (the upstream acts later, nothing is
   * ambiguous).
   */
  | { kind: 'delay'; ms: number; jitterMs?: number; on?: 'answer' | 'request' }
  /** Hold the whole answer back until the test calls `release()`: as long as it needs, with no timer to race. */
  | { kind: 'hold' }
  /**
   * Reset the connection (TCP RST). Without `afterBytes` nothing of the answer is sent; with it, the head (with the
   * full Content-Length) and that many bytes of the body go first, so the client sees a body cut off mid-way.
   */
  | { kind: 'reset'; afterBytes?: number }
  /** Replace the body with bytes no parser expects; `status` replaces the upstream's status too. */
  | { kind: 'garbage'; body?: string | Uint8Array; status?: number };

export type FaultKind = FaultAction['kind'];

/** A request as the proxy received it, for a rule's own predicate. */
export interface FaultRequest {
  method: string;
  /** Path as sent upstream, base path included, without the query string. */
  path: string;
  query: URLSearchParams;
  body: Buffer;
}

export interface FaultRule {
  /** Matches these methods (any case); absent: every method. */
  method?: string | readonly string[];
  /** Matches the whole path (a string), a pattern in it, or a predicate; absent: every path. */
  path?: string | RegExp | ((path: string) => boolean);
  /** Any further condition (a body field, a query parameter). */
  when?: (request: FaultRequest) => boolean;
  fault: FaultAction;
  /** Faults this many matching requests, then no more. Absent: every matching request. */
  times?: number;
  /** Faults each matching request with this probability, drawn from the proxy's seeded generator. Default 1. */
  probability?: number;
}

/** A rule the proxy holds, with how often it struck. */
export interface ActiveFaultRule {
  readonly rule: FaultRule;
  /** Requests this rule faulted so far. */
  readonly applied: number;
}

export class PlannedRule implements ActiveFaultRule {
  readonly rule: FaultRule;
  applied = 0;

  constructor(rule: FaultRule) {
    validateRule(rule);
    this.rule = rule;
  }

  /** Whether this rule takes the request; a draw from `random` is spent only on a request it otherwise matches. */
  takes(request: FaultRequest, random: () => number): boolean {
    const { rule } = this;
    if (rule.times !== undefined && this.applied >= rule.times) return false;
    if (!methodMatches(rule.method, request.method) || !pathMatches(rule.path, request.path)) return false;
    if (rule.when && !rule.when(request)) return false;
    if (rule.probability !== undefined && rule.probability < 1 && random() >= rule.probability) return false;
    this.applied += 1;
    return true;
  }
}

function methodMatches(expected: FaultRule['method'], method: string): boolean {
  if (expected === undefined) return true;
  const methods = typeof expected === 'string' ? [expected] : expected;
  return methods.some((candidate) => candidate.toUpperCase() === method.toUpperCase());
}

function pathMatches(expected: FaultRule['path'], path: string): boolean {
  if (expected === undefined) return true;
  if (typeof expected === 'string') return expected === path;
  if (expected instanceof RegExp) return expected.test(path);
  return expected(path);
}

/** A plan that could never do what it says is refused when added, not discovered mid-test. */
function validateRule(rule: FaultRule): void {
  const { fault } = rule;
  const positiveInteger = (value: number): boolean => Number.isInteger(value) && value > 0;
  if (fault.kind === 'trickle' && !(positiveInteger(fault.bytes) && fault.everyMs >= 0)) {
    throw new RangeError(`fault proxy: trickle needs bytes >= 1 and everyMs >= 0, got ${fault.bytes}/${fault.everyMs}`);
  }
  if (fault.kind === 'delay' && !(fault.ms >= 0)) {
    throw new RangeError(`fault proxy: delay needs ms >= 0, got ${fault.ms}`);
  }
  if (fault.kind === 'delay' && fault.jitterMs !== undefined && !(fault.jitterMs >= 0)) {
    throw new RangeError(`fault proxy: delay needs jitterMs >= 0, got ${fault.jitterMs}`);
  }
  if (
    fault.kind === 'reset' &&
    fault.afterBytes !== undefined &&
    !(Number.isInteger(fault.afterBytes) && fault.afterBytes >= 0)
  ) {
    throw new RangeError(`fault proxy: reset afterBytes must be a whole number >= 0, got ${fault.afterBytes}`);
  }
  if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times >= 0)) {
    throw new RangeError(`fault proxy: times must be a whole number >= 0, got ${rule.times}`);
  }
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) {
    throw new RangeError(`fault proxy: probability must be between 0 and 1, got ${rule.probability}`);
  }
}
