import type { OperationRecord } from '../model/operation.js';
import type { ChunkPlans } from '../store/chunk-plans.js';
import { LeaseLostError, type DiscoveryLease } from '../store/work-leases.js';
import type { NewOperation } from '../store/operation-store.js';
import { runDiscovery } from './discovery-runner.js';
import { DiscoveryWatch } from './discovery-watch.js';
import type { LeaseWorkOptions, LeaseWorkerContext } from './lease-worker.js';
import { sleep } from './sleep.js';

/** Discoveries one replica lists at once. */
const MAX_DISCOVERIES = 4;

/**
 * The cluster mode's discoveries: a selection operation's listing is leased to one replica at a time (only one lists),
 * and its pages are journaled through a write fenced by that lease, each with its chunks, which every replica's worker
 * claims. A pass after the first starts once the operation's chunks have all been sent (none claimable now or
 * leased), and its chunks are held back until it ends (the journal does that), as the single-process runner does.
 */
export class DiscoveryLeaser {
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly context: LeaseWorkerContext & { listPageSize: number },
    private readonly options: LeaseWorkOptions,
    private readonly plans: (operation: Pick<NewOperation, 'createdAt' | 'items' | 'selection'>) => ChunkPlans,
  ) {}

  start(): void {
    if (!this.options.worker || this.loops.length > 0) return;
    for (let slot = 0; slot < MAX_DISCOVERIES; slot += 1) this.loops.push(this.loop(slot));
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.loops);
  }

  /** Slot 0 asks every `idleMs`, the others ten times less often: an idle replica asks little. */
  private async loop(slot: number): Promise<void> {
    const { shutdown, logger } = this.context;
    const { leases, owner, leaseMs } = this.options;
    const idleMs = this.options.idleMs ?? 250;
    while (!shutdown.aborted) {
      let lease: DiscoveryLease | null;
      try {
        lease = await leases.claimDiscovery(owner, leaseMs);
      } catch (error) {
        logger.warn('no discovery claimed: the journal did not answer', { error: String(error) });
        await sleep(idleMs * 10, shutdown);
        continue;
      }
      if (!lease) {
        await sleep(slot === 0 ? idleMs : idleMs * 10, shutdown);
        continue;
      }
      try {
        await this.run(lease);
      } catch (error) {
        if (LeaseLostError.isInstance(error)) {
          logger.warn('discovery lease lost; the listing wrote nothing more', { operationId: lease.operationId });
        } else if (!shutdown.aborted) {
          logger.error('selection discovery failed', { operationId: lease.operationId, error: String(error) });
        }
      }
    }
  }

  private async run(lease: DiscoveryLease): Promise<void> {
    const { context } = this;
    const { leases, leaseMs } = this.options;
    const idleMs = this.options.idleMs ?? 250;
    const operation: OperationRecord | null = await context.store.getOperation(lease.key);
    if (!operation?.selection) return;
    const plans = this.plans({ createdAt: operation.createdAt, items: [], selection: operation.selection });
    const lost = new AbortController();
    const stop = AbortSignal.any([context.shutdown, lost.signal]);
    const heartbeat = setInterval(
      () => {
        leases.renewDiscovery(lease, leaseMs).then(
          (held) => {
            if (!held) lost.abort(new LeaseLostError(`Discovery lease of ${lease.operationId} lost`));
          },
          () => undefined,
        );
      },
      Math.max(1, Math.floor(leaseMs / 3)),
    );
    const watch = new DiscoveryWatch();
    // The runner's side of the watch, from the journal: idle once every chunk journaled so far has been sent.
    const idle = (async () => {
      while (!stop.aborted && watch.discovering) {
        const mark = watch.mark();
        if (await leases.chunksSettled(lease.key).catch(() => false)) watch.idle(mark);
        await sleep(idleMs, stop);
      }
    })();
    const fenced = leases.fencedDiscovery(lease);
    try {
      await runDiscovery(
        {
          ...context,
          shutdown: stop,
          key: lease.key,
          cancelled: context.cancelled(lease.key),
          watch,
          store: {
            appendDiscovered: (key, page) =>
              context.guard(() => fenced.appendDiscovered(key, 'error' in page ? page : { ...page, chunks: plans })),
          },
        },
        operation,
      );
      if (lost.signal.aborted) throw lost.signal.reason;
    } finally {
      clearInterval(heartbeat);
      watch.end();
      await idle;
      if (!lost.signal.aborted) await leases.releaseDiscovery(lease).catch(() => undefined);
    }
  }
}
