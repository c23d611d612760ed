import type { ProgressEvent } from '../model/operation.js';

/**
 * Wakes live subscribers when an operation's journal grows or an operation is created. Subscribers read the events
 * themselves from the journal, which keeps every stream gapless whatever is delivered or dropped here: in-process
 * (`InMemoryEventBus`), or Redis doorbells between replicas (`RedisDoorbellBus` in `@unreel/cluster`).
 *
 * A listener may get the events that were published (in the process that published them) or an empty list (a
 * doorbell from another process carries no payload): whoever needs to know more reads the journal.
 */
export interface EventBus {
  /**
   * Set by a bus whose signals can be lost (another process's doorbell over a network): readers waiting for live events
   * look at the journal this often besides. Absent: every publish reaches every subscriber, and nobody polls.
   */
  readonly pollIntervalMs?: number | undefined;
  publish(key: string, events: readonly ProgressEvent[]): void;
  /** Returns the unsubscribe function. */
  subscribe(key: string, listener: (events: readonly ProgressEvent[]) => void): () => void;
  publishOperationCreated(key: string): void;
  onOperationCreated(key: string, listener: () => void): () => void;
}
