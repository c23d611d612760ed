import { performance } from 'node:perf_hooks';

interface Job {
  run: () => void;
  /** A page's execution waiting to go on: the slice ends after it, leaving what is left of it to the execution. */
  resumesExecution: boolean;
}

/**
 * Shares the event loop between progress delivery and everything else: all progress work, frame writes and the
 * execution of pages alike, gets one budget of a few milliseconds per turn of the event loop, then the turn ends and
 * I/O (other requests, other sockets) gets its go before the next. Without it, every subscriber's page would be
 * written in the same turn, and fifty replays would keep a query waiting for fifty pages of writes at every step of its
 * way through the server. The budget is time, not a count: on a loaded machine 50 executions took 10 ms and more, and
 * each group of subscribers executing its own page in the same turn added that much again.
 */
export class DeliveryTurns {
  private readonly queue: Job[] = [];
  private scheduled = false;
  /** When this turn's progress work started; undefined once the turn is over. */
  private turnStarted: number | undefined;

  constructor(
    private readonly sliceMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Runs `job` (synchronous) in a coming slice. */
  run(job: () => void): Promise<void> {
    return this.enqueue(job, false);
  }

  /**
   * Called by asynchronous progress work (a page's execution) before each step: resolves at once while this turn's
   * budget lasts, otherwise in a coming slice, after the writes that were waiting before it.
   */
  async pace(): Promise<void> {
    if (this.turnStarted === undefined) {
      this.startTurn(this.now());
      return;
    }
    if (this.now() - this.turnStarted < this.sliceMs) return;
    await this.enqueue(() => {}, true);
  }

  private enqueue(job: () => void, resumesExecution: boolean): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push({
        run: () => {
          try {
            job();
          } finally {
            resolve();
          }
        },
        resumesExecution,
      });
      this.schedule();
    });
  }

  /** Work outside a slice (a feed read woken by the bus) counts from its start until the turn's immediates run. */
  private startTurn(at: number): void {
    this.turnStarted = at;
    setImmediate(() => {
      if (this.turnStarted === at) this.turnStarted = undefined;
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const started = this.now();
      // An execution resumed by this slice runs in the microtasks after it, and must see the budget the slice spent.
      this.startTurn(started);
      while (this.queue.length > 0 && this.now() - started < this.sliceMs) {
        const job = this.queue.shift()!;
        job.run();
        if (job.resumesExecution) break;
      }
      if (this.queue.length > 0) this.schedule();
    });
  }
}
