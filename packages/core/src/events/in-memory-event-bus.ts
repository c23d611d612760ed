import type { ProgressEvent } from '../model/operation.js';
import type { EventBus } from './event-bus.js';

type Listener<T> = (value: T) => void;

export class InMemoryEventBus implements EventBus {
  private readonly progress = new Map<string, Set<Listener<readonly ProgressEvent[]>>>();
  private readonly created = new Map<string, Set<Listener<void>>>();

  publish(key: string, events: readonly ProgressEvent[]): void {
    for (const listener of this.progress.get(key) ?? []) listener(events);
  }

  subscribe(key: string, listener: Listener<readonly ProgressEvent[]>): () => void {
    return add(this.progress, key, listener);
  }

  publishOperationCreated(key: string): void {
    for (const listener of this.created.get(key) ?? []) listener();
  }

  onOperationCreated(key: string, listener: () => void): () => void {
    return add(this.created, key, listener);
  }
}

function add<T>(map: Map<string, Set<Listener<T>>>, key: string, listener: Listener<T>): () => void {
  let listeners = map.get(key);
  if (!listeners) {
    listeners = new Set();
    map.set(key, listeners);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) map.delete(key);
  };
}
