import { performance } from 'node:perf_hooks';

/**
 * Shares the event loop between progress delivery and everything else: writes of progress frames run as jobs, a few
 * milliseconds of them per turn of the event loop, then the turn ends and I/O (other requests, other sockets) gets its
 * go before the next slice. Without it, every subscriber's page would be written in the same turn, and fifty replays
 * would keep a query waiting for fifty pages of writes at every step of its way through the server.
 */
export class DeliveryTurns {
  private readonly queue: (() => void)[] = [];
  private scheduled = false;

  constructor(private readonly sliceMs: number) {}

  /** Runs `job` (synchronous) in a coming slice. */
  run(job: () => void): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push(() => {
        try {
          job();
        } finally {
          resolve();
        }
      });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const started = performance.now();
      while (this.queue.length > 0 && performance.now() - started < this.sliceMs) this.queue.shift()?.();
      if (this.queue.length > 0) this.schedule();
    });
  }
}
