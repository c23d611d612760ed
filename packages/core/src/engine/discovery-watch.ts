/**
 * How a selection's discovery and its account runner hand over. Each journaled page (and the end of discovery) is a
 * change; a runner that found nothing open waits for the next one. Marks make that race-free: a change after the mark
 * a runner took before reading the journal wakes it at once. The other way, the runner says when it is idle (it has
 * sent everything journaled that is due): discovery starts each pass after the first only then, so that a pass lists
 * the account once its deletions have settled, instead of listing again every video still waiting its turn; and such
 * a pass is `quiet`.
 */
export class DiscoveryWatch {
  private generation = 0;
  private controller = new AbortController();
  private active = true;
  private runnerIdle = false;
  private idleWaiters = new Set<() => void>();
  /**
   * Set by discovery for a pass after the first, which starts once the runner is idle: the runner then sends nothing
   * until the pass ends, so the listing holds still and the pass sees every video it has left (see runDiscovery).
   */
  quiet = false;

  /** Whether discovery may still journal items. */
  get discovering(): boolean {
    return this.active;
  }

  mark(): number {
    return this.generation;
  }

  /** Aborts at the first change after `mark` (already aborted when one came since). */
  changedSince(mark: number): AbortSignal {
    return mark === this.generation ? this.controller.signal : AbortSignal.abort();
  }

  changed(): void {
    this.generation += 1;
    this.runnerIdle = false;
    this.controller.abort();
    this.controller = new AbortController();
  }

  /** The runner has sent everything journaled up to `mark` that is due (what it read after taking that mark). */
  idle(mark: number): void {
    if (mark !== this.generation) return;
    this.runnerIdle = true;
    for (const wake of this.idleWaiters) wake();
    this.idleWaiters.clear();
  }

  /** Resolves once the runner is idle with everything journaled so far, or when `signal` aborts. */
  untilIdle(signal: AbortSignal): Promise<void> {
    if (this.runnerIdle || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.idleWaiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.idleWaiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  end(): void {
    this.active = false;
    this.quiet = false;
    this.changed();
  }
}
