/**
 * How a selection's discovery wakes its account runner: each journaled page (and the end of discovery) is a change;
 * a runner that found nothing open waits for the next one. Marks make the hand-over race-free: a change after the mark
 * a runner took before reading the journal wakes it at once.
 */
export class DiscoveryWatch {
  private generation = 0;
  private controller = new AbortController();
  private active = true;

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
    this.controller.abort();
    this.controller = new AbortController();
  }

  end(): void {
    this.active = false;
    this.changed();
  }
}
