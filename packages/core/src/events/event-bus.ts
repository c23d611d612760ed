import type { ProgressEvent } from '../model/operation.js';

export type ProgressListener = (event: ProgressEvent) => void;

/** Fan-out of journaled events to live subscribers. In-process now; Redis when scaled out. */
export interface EventBus {
  publish(events: readonly ProgressEvent[]): void;
  /** Returns the unsubscribe function. */
  subscribe(operationId: string, listener: ProgressListener): () => void;
  /** Signalled when an operation is created, so a subscriber that came first can start. */
  onOperationCreated(listener: (operationId: string) => void): () => void;
  publishOperationCreated(operationId: string): void;
}
