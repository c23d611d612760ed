import type { Redis } from 'ioredis';

/**
 * Rings the waiters of an account in every process when a permit of it is released anywhere (the admission script
 * publishes on release): without it a place freed by another replica is only seen at the next poll. One subscribing
 * connection serves every account of a process; a lost message costs a poll interval, nothing more.
 */
export class ReleaseDoorbell {
  private readonly listeners = new Map<string, Set<() => void>>();

  constructor(private readonly subscriber: Redis) {
    subscriber.on('message', (channel: string) => {
      for (const listener of this.listeners.get(channel) ?? []) listener();
    });
  }

  /** Calls `listener` on each release of the channel's account; returns what stops it. */
  listen(channel: string, listener: () => void): () => void {
    let listeners = this.listeners.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.listeners.set(channel, listeners);
      // A subscription that fails (Redis away) is renewed by ioredis on reconnect once made; until then, polls.
      this.subscriber.subscribe(channel).catch(() => {});
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size > 0) return;
      this.listeners.delete(channel);
      this.subscriber.unsubscribe(channel).catch(() => {});
    };
  }
}
