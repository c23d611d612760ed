import { randomUUID } from 'node:crypto';
import type { EventBus, ProgressEvent } from '@unreel/core';
import { Redis, type RedisOptions } from 'ioredis';
import { decodeDoorbell, encodeDoorbell } from './doorbell-message.js';

/** What the bus reports for metrics; every hook is optional and must not throw. */
export interface DoorbellObserver {
  /** A doorbell from another process arrived `lagMs` after it was rung (hosts' clocks differ by their skew). */
  doorbellReceived?(lagMs: number): void;
  /** The subscriber connection is subscribed again after losing Redis: every local listener was rung once. */
  resubscribed?(): void;
  /** A doorbell could not be sent (Redis unreachable): subscribers elsewhere find the events by polling. */
  publishFailed?(error: Error): void;
  /** A connection to Redis failed or dropped; ioredis reconnects by itself. */
  connectionError?(error: Error): void;
}

export interface RedisDoorbellBusOptions {
  /** `redis://[user:password@]host:port[/db]` */
  url: string;
  /** Every channel's name starts with it (`unreel:` gives `unreel:doorbell:grew:<operation>`). */
  keyPrefix: string;
  /** How often a feed with live readers reads the journal besides, in case a doorbell was lost. Default 1,000. */
  pollIntervalMs?: number;
  observer?: DoorbellObserver;
  /** Milliseconds since the epoch, for the lag of doorbells. */
  now?: () => number;
  /** More ioredis options for both connections (a test's `retryStrategy`, a `connectionName`). */
  redis?: RedisOptions;
}

type Listener = (events: readonly ProgressEvent[]) => void;

const NO_EVENTS: readonly ProgressEvent[] = [];

/**
 * Core's EventBus between processes: Redis pub/sub carries doorbells ("operation X grew to sequence N", "operation X
 * was created"), never events, and each process's feeds read the journal when one rings. Listeners in the publishing
 * process are called at once with the events themselves, as with the in-process bus; other processes' listeners get
 * an empty list. Pub/sub is fire-and-forget, so a doorbell can be lost: `pollIntervalMs` makes every feed with live
 * readers look at the journal that often, and a resubscription after a lost connection rings every local listener.
 *
 * One connection publishes, one subscribes (a subscribed Redis connection can do nothing else), per process; one
 * channel per operation that has local listeners, so a replica hears only about operations someone there follows.
 * Doorbells rung for one operation within a turn of the event loop leave as one, with the latest sequence.
 */
export class RedisDoorbellBus implements EventBus {
  readonly pollIntervalMs: number;
  private readonly origin = randomUUID();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly grew = new Map<string, Set<Listener>>();
  private readonly created = new Map<string, Set<() => void>>();
  /** Doorbells waiting for the end of this turn: channel to the highest sequence and when it was first rung. */
  private readonly pending = new Map<string, { sequence: number | undefined; publishedAt: number }>();
  private flushScheduled = false;
  private readyOnce = false;
  private readonly now: () => number;
  private readonly observer: DoorbellObserver;
  private readonly prefix: { grew: string; created: string };

  private constructor(options: RedisDoorbellBusOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.now = options.now ?? Date.now;
    this.observer = options.observer ?? {};
    this.prefix = { grew: `${options.keyPrefix}doorbell:grew:`, created: `${options.keyPrefix}doorbell:created:` };
    const common: RedisOptions = { lazyConnect: true, ...options.redis };
    // A doorbell that cannot leave now is worth nothing later (the poll finds its events): no offline queue.
    this.publisher = new Redis(options.url, { ...common, enableOfflineQueue: false, enableAutoPipelining: true });
    // Subscriptions made while Redis is away wait for it, and ioredis subscribes to every channel again on reconnect.
    this.subscriber = new Redis(options.url, { ...common, autoResubscribe: true });
    for (const connection of [this.publisher, this.subscriber])
      connection.on('error', (error: Error) => this.observer.connectionError?.(error));
    this.subscriber.on('message', (channel: string, message: string) => this.received(channel, message));
    this.subscriber.on('ready', () => {
      // The first ready is the start; any later one follows a lost connection, during which doorbells were lost.
      if (this.readyOnce) void this.resubscribe();
      this.readyOnce = true;
    });
  }

  /**
   * Connects both connections; when Redis cannot be reached, closes them and rejects with an error that names Redis as
   * `redis://host:port/db` (never the URL's user or password) and says why.
   */
  static async open(options: RedisDoorbellBusOptions): Promise<RedisDoorbellBus> {
    const bus = new RedisDoorbellBus(options);
    // ioredis rejects connect() with "Connection is closed."; the reason came before it, as an 'error' event.
    let reason: Error | undefined;
    const noteReason = (error: Error): void => void (reason ??= error);
    for (const connection of [bus.publisher, bus.subscriber]) connection.on('error', noteReason);
    try {
      await Promise.all([bus.publisher.connect(), bus.subscriber.connect()]);
    } catch (error) {
      bus.close();
      const why = (reason ?? asError(error)).message;
      throw new Error(`Redis ${describeRedis(options.url)} cannot be reached: ${why}`, { cause: error });
    } finally {
      for (const connection of [bus.publisher, bus.subscriber]) connection.off('error', noteReason);
    }
    return bus;
  }

  publish(key: string, events: readonly ProgressEvent[]): void {
    for (const listener of this.grew.get(key) ?? []) listener(events);
    const last = events.at(-1)?.sequence;
    if (last !== undefined) this.enqueue('grew', key, last);
  }

  subscribe(key: string, listener: Listener): () => void {
    return this.add(this.grew, this.prefix.grew, key, listener);
  }

  publishOperationCreated(key: string): void {
    for (const listener of this.created.get(key) ?? []) listener();
    this.enqueue('created', key, undefined);
  }

  onOperationCreated(key: string, listener: () => void): () => void {
    return this.add(this.created, this.prefix.created, key, listener);
  }

  close(): void {
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  private add<L>(map: Map<string, Set<L>>, prefix: string, key: string, listener: L): () => void {
    let listeners = map.get(key);
    if (!listeners) {
      listeners = new Set();
      map.set(key, listeners);
      this.subscriber
        .subscribe(prefix + key)
        .catch((error: unknown) => this.observer.connectionError?.(asError(error)));
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size > 0 || map.get(key) !== listeners) return;
      map.delete(key);
      this.subscriber
        .unsubscribe(prefix + key)
        .catch((error: unknown) => this.observer.connectionError?.(asError(error)));
    };
  }

  private enqueue(kind: Kind, key: string, sequence: number | undefined): void {
    const channel = (kind === 'grew' ? this.prefix.grew : this.prefix.created) + key;
    const waiting = this.pending.get(channel);
    if (waiting) waiting.sequence = sequence === undefined ? undefined : Math.max(sequence, waiting.sequence ?? 0);
    else this.pending.set(channel, { sequence, publishedAt: this.now() });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // After the writes of this turn: a batch of outcomes recorded together rings once.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const [channel, { sequence, publishedAt }] of this.pending) {
      this.publisher
        .publish(channel, encodeDoorbell({ origin: this.origin, sequence, publishedAt }))
        .catch((error: unknown) => this.observer.publishFailed?.(asError(error)));
    }
    this.pending.clear();
  }

  private received(channel: string, message: string): void {
    const doorbell = decodeDoorbell(message);
    if (!doorbell || doorbell.origin === this.origin) return;
    this.observer.doorbellReceived?.(this.now() - doorbell.publishedAt);
    if (channel.startsWith(this.prefix.grew)) {
      for (const listener of this.grew.get(channel.slice(this.prefix.grew.length)) ?? []) listener(NO_EVENTS);
    } else if (channel.startsWith(this.prefix.created)) {
      for (const listener of this.created.get(channel.slice(this.prefix.created.length)) ?? []) listener();
    }
  }

  /**
   * ioredis has sent its SUBSCRIBE again by the time it says ready, but not had the answer: this one's answer says every
   * channel is heard again, so a ring after it leaves no window in which a doorbell could fall between.
   */
  private async resubscribe(): Promise<void> {
    const channels = [
      ...[...this.grew.keys()].map((key) => this.prefix.grew + key),
      ...[...this.created.keys()].map((key) => this.prefix.created + key),
    ];
    try {
      if (channels.length > 0) await this.subscriber.subscribe(...channels);
    } catch (error) {
      // Lost again before the answer: the next ready comes back here.
      this.observer.connectionError?.(asError(error));
      return;
    }
    this.ringAll();
  }

  /**
   * Every local "grew" listener once, as if each operation had rung: feeds read the journal and find what was missed,
   * a feed still waiting for its operation to exist included (it reads again on every ring). "Created" listeners are not
   * rung: theirs is a claim that the operation exists, which a ring cannot make.
   */
  private ringAll(): void {
    for (const listeners of this.grew.values()) for (const listener of listeners) listener(NO_EVENTS);
    this.observer.resubscribed?.();
  }
}

type Kind = 'grew' | 'created';

/** `redis://host:port/db`: where Redis is, for errors and logs, without the URL's user and password. */
function describeRedis(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}${parsed.pathname.length > 1 ? parsed.pathname : ''}`;
  } catch {
    return 'redis (an unreadable URL)';
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
