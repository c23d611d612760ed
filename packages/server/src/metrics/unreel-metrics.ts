import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AccountRate, DeletionEngine, EngineObserver } from '@unreel/core';

/**
 * The Prometheus figures an operator watches: what happened to items, how providers answer and how fast, how often
 * they throttle and we retry, and what is open right now. One registry per server, so servers in one process (tests)
 * never share counters. Labels are bounded by the config (accounts, tenants), never by request input.
 */
export class UnreelMetrics {
  readonly registry = new Registry();
  readonly observer: EngineObserver;
  private readonly subscriptions: Gauge;
  private readonly sockets: Gauge;
  private readonly authFailures: Counter<'transport'>;
  private readonly socketLimitRefusals: Counter<'tenant'>;
  private readonly slowSocketCloses: Counter;
  private readonly webhooks: Counter<'account' | 'result'>;
  private readonly doorbellLags: Histogram;
  private readonly admissionWaits: Counter<'reason'>;
  private readonly redisFailures: Counter<'part'>;
  private engine: DeletionEngine | undefined;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'unreel_' });
    const items = new Counter({
      name: 'unreel_items_total',
      help: 'Video deletion items journaled with a final status, by account, provider and outcome (DELETED, NOT_FOUND, FAILED, RESTORED, CANCELLED).',
      labelNames: ['account', 'provider', 'outcome'] as const,
      registers,
    });
    const calls = new Histogram({
      name: 'unreel_provider_call_duration_seconds',
      help: 'Provider call latency (time in our queue excluded), by account, provider, method and outcome (ok or the error code).',
      labelNames: ['account', 'provider', 'method', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const throttled = new Counter({
      name: 'unreel_provider_throttled_total',
      help: 'Provider calls answered with a rate limit (RATE_LIMITED), by account, provider and method.',
      labelNames: ['account', 'provider', 'method'] as const,
      registers,
    });
    const retries = new Counter({
      name: 'unreel_provider_retries_total',
      help: 'Provider calls repeated after a retryable failure, by account, provider, method and the failure code.',
      labelNames: ['account', 'provider', 'method', 'code'] as const,
      registers,
    });
    this.subscriptions = new Gauge({
      name: 'unreel_subscriptions_open',
      help: 'GraphQL subscriptions open over WebSocket.',
      registers,
    });
    this.sockets = new Gauge({ name: 'unreel_websockets_open', help: 'WebSocket connections open.', registers });
    this.authFailures = new Counter({
      name: 'unreel_auth_failures_total',
      help: 'Requests and sockets refused for a missing or unknown API key, by transport.',
      labelNames: ['transport'] as const,
      registers,
    });
    this.socketLimitRefusals = new Counter({
      name: 'unreel_websocket_limit_refusals_total',
      help: 'WebSockets refused at connection_init for maxSocketsPerTenant, by tenant ("default" without tenants, where the limit is per client address).',
      labelNames: ['tenant'] as const,
      registers,
    });
    this.slowSocketCloses = new Counter({
      name: 'unreel_websocket_slow_closes_total',
      help: 'WebSockets closed with 4431 for not reading what they were sent (their buffer stayed full for slowSocketCloseMs).',
      registers,
    });
    this.webhooks = new Counter({
      name: 'unreel_webhooks_total',
      help: 'Provider webhook deliveries, by account and result (recorded, unchanged, unknown-video, duplicate, ignored, refused, invalid).',
      labelNames: ['account', 'result'] as const,
      registers,
    });
    this.doorbellLags = new Histogram({
      name: 'unreel_doorbell_lag_seconds',
      help: "Cluster mode: from another replica ringing an operation's doorbell to this replica hearing it (includes the hosts' clock skew).",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.admissionWaits = new Counter({
      name: 'unreel_admission_waits_total',
      help: "Cluster mode: provider calls that waited for an account's limits shared in Redis, by reason (paused: a throttle's pause; concurrency; rate).",
      labelNames: ['reason'] as const,
      registers,
    });
    this.redisFailures = new Counter({
      name: 'unreel_redis_unavailable_total',
      help: 'Cluster mode: Redis could not be used, by part (admission: no provider call until it is back; doorbells: other replicas find events by polling).',
      labelNames: ['part'] as const,
      registers,
    });
    // Read when scraped (prom-client calls collect with the gauge as `this`), so it needs no bookkeeping of its own.
    const runningOperations = (): Iterable<[string, number]> => this.engine?.runningOperations() ?? [];
    this.registry.registerMetric(
      new Gauge({
        name: 'unreel_operations_running',
        help: 'Deletion operations running, by tenant.',
        labelNames: ['tenant'] as const,
        registers: [],
        collect() {
          this.reset();
          for (const [tenant, count] of runningOperations()) this.set({ tenant }, count);
        },
      }),
    );
    const accountRates = () => this.engine?.accountRates() ?? new Map<string, AccountRate>();
    this.registry.registerMetric(
      new Gauge({
        name: 'unreel_account_requests_per_second',
        help: 'The request rate unreel keeps to per account: learned from throttles (limit="effective") and configured (limit="configured"); accounts without a rate are left out.',
        labelNames: ['account', 'provider', 'limit'] as const,
        registers: [],
        collect() {
          this.reset();
          for (const [account, { provider, ...rate }] of accountRates()) {
            if (rate.requestsPerSecond !== undefined)
              this.set({ account, provider, limit: 'effective' }, rate.requestsPerSecond);
            if (rate.configuredRequestsPerSecond !== undefined)
              this.set({ account, provider, limit: 'configured' }, rate.configuredRequestsPerSecond);
          }
        },
      }),
    );
    const rateChanges = new Counter({
      name: 'unreel_account_rate_changes_total',
      help: "Changes of an account's learned rate, by account, provider and reason (throttled: lowered; measured: that decrease corrected once calls in flight answered; recovered: raised after a quiet period).",
      labelNames: ['account', 'provider', 'reason'] as const,
      registers,
    });
    const leases = new Counter({
      name: 'unreel_leases_total',
      help: 'Cluster mode: chunk leases by account and event (claimed: any claim; expired: a claim of a lease whose holder died or stalled; lost: a write refused by its fence, which changed nothing).',
      labelNames: ['account', 'event'] as const,
      registers,
    });
    this.observer = {
      leaseClaimed: ({ account, expired }) => {
        leases.inc({ account, event: 'claimed' });
        if (expired) leases.inc({ account, event: 'expired' });
      },
      leaseLost: ({ account }) => leases.inc({ account, event: 'lost' }),
      providerCall: ({ account, provider, method, durationMs, outcome }) => {
        calls.observe({ account, provider, method, outcome }, durationMs / 1_000);
        if (outcome === 'RATE_LIMITED') throttled.inc({ account, provider, method });
      },
      retry: ({ account, provider, method, code }) => retries.inc({ account, provider, method, code }),
      items: ({ account, provider, status, count }) => {
        if (status !== 'PENDING' && status !== 'SCHEDULED') items.inc({ account, provider, outcome: status }, count);
      },
      rateChanged: ({ account, provider, reason }) => rateChanges.inc({ account, provider, reason }),
    };
  }

  /** The engine is built with `observer`, so it is known only afterwards. */
  watch(engine: DeletionEngine): void {
    this.engine = engine;
  }

  subscriptionOpened(): void {
    this.subscriptions.inc();
  }

  subscriptionClosed(): void {
    this.subscriptions.dec();
  }

  socketOpened(): void {
    this.sockets.inc();
  }

  socketClosed(): void {
    this.sockets.dec();
  }

  authFailed(transport: 'http' | 'websocket'): void {
    this.authFailures.inc({ transport });
  }

  socketLimitReached(tenant: string): void {
    this.socketLimitRefusals.inc({ tenant });
  }

  socketTooSlow(): void {
    this.slowSocketCloses.inc();
  }

  webhook(account: string, result: string): void {
    this.webhooks.inc({ account, result });
  }

  doorbellLag(lagMs: number): void {
    // Clock skew between hosts can make it negative; it is still a doorbell heard.
    this.doorbellLags.observe(Math.max(0, lagMs) / 1_000);
  }

  admissionWait(reason: 'paused' | 'concurrency' | 'rate'): void {
    this.admissionWaits.inc({ reason });
  }

  redisUnavailable(part: 'admission' | 'doorbells'): void {
    this.redisFailures.inc({ part });
  }
}
