import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Paces one page's execution by time, not by count: asked before each event, it lets the event loop take a turn once
 * `sliceMs` have passed since the last one. 50 events a turn were about 2.5 ms of work on a quiet machine but 5-9 ms
 * at load 5-9, every query waiting that long per step; a budget shared by all groups instead starved delivery
 * behind deletion work (200 operations watched at once: p99 lag 75 ms became 700 ms), so each page keeps its own.
 */
export class ExecutionPacer {
  private since: number;

  constructor(
    private readonly sliceMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.since = now();
  }

  async pace(): Promise<void> {
    if (this.now() - this.since < this.sliceMs) return;
    await nextTurn();
    this.since = this.now();
  }
}
