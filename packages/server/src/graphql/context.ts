import type { DependencyContainer } from 'tsyringe';

/** What every resolver gets: its request's (or WebSocket operation's) child container, and a signal for when it ends. */
export interface UnreelContext {
  container: DependencyContainer;
  signal: AbortSignal;
}
