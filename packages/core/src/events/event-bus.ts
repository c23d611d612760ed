import type { ProgressEvent } from '../model/operation.js';

/**
 * Wakes live subscribers when an operation's journal grows or an operation is created. Subscribers read the events
 * themselves from the journal, which keeps every stream gapless whatever is delivered or dropped here: in-process now,
 * Redis or PostgreSQL LISTEN when scaled out.
 */
export interface EventBus {
  publish(key: string, events: readonly ProgressEvent[]): void;
  /** Returns the unsubscribe function. */
  subscribe(key: string, listener: (events: readonly ProgressEvent[]) => void): () => void;
  publishOperationCreated(key: string): void;
  onOperationCreated(key: string, listener: () => void): () => void;
}
