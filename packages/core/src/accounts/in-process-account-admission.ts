import PQueue from 'p-queue';
import type { AccountLimits } from './account.js';
import type { AccountAdmission, AccountAdmissionContext, AdmissionPermit } from './account-admission.js';
import { RateWindowLimiter } from './rate-window-limiter.js';

/**
 * The default admission, for one process: a FIFO queue holds the concurrency (a place stays taken until the permit is
 * released, not just until the call started), and a RateWindowLimiter the rate.
 */
export class InProcessAccountAdmission implements AccountAdmission {
  private readonly queue: PQueue;
  private readonly limiter: RateWindowLimiter | undefined;
  private resumeAt = 0;
  private resumeTimer: NodeJS.Timeout | undefined;

  constructor(context: {
    account: { limits: Pick<AccountLimits, 'concurrency'> };
    requestsPerSecond: AccountAdmissionContext['requestsPerSecond'];
  }) {
    this.queue = new PQueue({ concurrency: context.account.limits.concurrency });
    if (context.requestsPerSecond !== undefined) this.limiter = new RateWindowLimiter(context.requestsPerSecond);
  }

  acquire(signal: AbortSignal): Promise<AdmissionPermit> {
    return new Promise((resolve) => {
      void this.queue.add(async () => {
        // On abort the limiter lets the call go at once, uncounted; it keeps its queue place until it failed.
        const answered = await this.limiter?.acquire(signal);
        // The queue's place is held until the call's answer: that is what bounds the calls in flight.
        await new Promise<void>((released) => {
          let done = false;
          resolve({
            release: () => {
              if (done) return;
              done = true;
              answered?.();
              released();
            },
          });
        });
      });
    });
  }

  setRate(requestsPerSecond: number): void {
    this.limiter?.setRate(requestsPerSecond);
  }

  pause(ms: number): void {
    // Calls that hold a place in the queue already wait in the limiter: it holds them too.
    this.limiter?.pauseFor(ms);
    const until = Date.now() + ms;
    if (until <= this.resumeAt) return;
    this.resumeAt = until;
    this.queue.pause();
    clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => {
      this.resumeAt = 0;
      this.queue.start();
    }, ms);
    this.resumeTimer.unref();
  }

  /** Queued calls still start, see the aborted shutdown signal and fail fast, so every caller settles. */
  close(): void {
    clearTimeout(this.resumeTimer);
    this.queue.start();
  }
}
