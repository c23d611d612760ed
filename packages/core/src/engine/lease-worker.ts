import type { AccountGate } from '../accounts/account-gate.js';
import type { EventBus } from '../events/event-bus.js';
import type { OperationStore } from '../store/operation-store.js';
import { LeaseLostError, type ChunkLease, type FencedWrites, type WorkLeases } from '../store/work-leases.js';
import { runDeleteBatch } from './batch-runner.js';
import type { BlockedRetry } from './blocked-retry.js';
import type { EngineLogger } from './engine-logger.js';
import type { EngineObserver } from './engine-observer.js';
import { sleep } from './sleep.js';

/** The cluster mode's settings (EngineOptions-like, but only where a WorkLeases journal is given). */
export interface LeaseWorkOptions {
  leases: WorkLeases;
  /** This replica, as its leases name it (unique per process). */
  owner: string;
  /** How long a claim holds without renewal; renewed every third of it while the batch runs. */
  leaseMs: number;
  /** false: this replica claims nothing (it serves the API and streams). */
  worker: boolean;
  /** Chunks this replica runs at once (default: every account's concurrency, twice, summed). */
  slots?: number | undefined;
  /** How long a worker with nothing to claim waits before it asks again (default 250 ms). */
  idleMs?: number | undefined;
}

export interface LeaseWorkerContext {
  store: OperationStore;
  bus: EventBus;
  gates: ReadonlyMap<string, AccountGate>;
  shutdown: AbortSignal;
  logger: EngineLogger;
  observer: EngineObserver;
  now: () => Date;
  blockedRetry: { horizonMs: number; initialMs: number; maxMs: number };
  /** Wraps each fenced write as the engine's writes are (waits while the journal cannot be written). */
  guard: <T>(write: () => Promise<T>) => Promise<T>;
  /** Aborted once this replica journaled a cancel of the operation (a cancel elsewhere shows in the journal). */
  cancelled: (key: string) => AbortSignal;
}

/**
 * The cluster mode's worker: claims chunks (one provider batch each) from the journal and runs each with the batch
 * runner, its writes fenced by the chunk's lease, renewing the lease while the batch runs. Any replica may run any
 * chunk; one that stalls past its lease writes nothing more, and its chunk is claimed by another.
 */
export class LeaseWorker {
  private readonly loops: Promise<void>[] = [];
  /** Aborted (and replaced) when there may be work: a claim succeeded, or this replica journaled new work. */
  private work = new AbortController();

  constructor(
    private readonly context: LeaseWorkerContext,
    private readonly options: LeaseWorkOptions,
  ) {}

  start(): void {
    if (!this.options.worker || this.loops.length > 0) return;
    const slots = this.options.slots ?? defaultSlots(this.context.gates);
    for (let slot = 0; slot < slots; slot += 1) this.loops.push(this.loop(slot));
  }

  /** There may be work to claim now (this replica journaled some): idle slots ask at once. */
  nudge(): void {
    this.work.abort();
    this.work = new AbortController();
  }

  /** Waits for the batches running to stop (the shutdown signal aborts them), then hands back this replica's leases. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.loops);
    if (!this.options.worker) return;
    try {
      const released = await this.options.leases.releaseLeases(this.options.owner);
      if (released > 0) this.context.logger.info('leases handed back', { count: released });
    } catch (error) {
      this.context.logger.warn('leases not handed back; they expire', { error: String(error) });
    }
  }

  /**
   * One slot. With nothing to claim, slot 0 asks again every `idleMs`; the others wait until a claim succeeds (then
   * there may be more) or ten times as long, so an idle replica asks the journal about once per `idleMs`, not once per
   * slot.
   */
  private async loop(slot: number): Promise<void> {
    const { shutdown, logger, observer } = this.context;
    const { leases, owner, leaseMs } = this.options;
    const accounts = [...this.context.gates.keys()];
    const idleMs = this.options.idleMs ?? 250;
    while (!shutdown.aborted) {
      let lease: ChunkLease | null;
      try {
        lease = await leases.claimChunk(owner, accounts, leaseMs);
      } catch (error) {
        // Asked again less often while the journal is away: the engine's journal guard reports the outage itself.
        logger.warn('no chunk claimed: the journal did not answer', { error: String(error) });
        await sleep(idleMs * 10, shutdown);
        continue;
      }
      if (!lease) {
        await sleep(slot === 0 ? idleMs : idleMs * 10, AbortSignal.any([shutdown, this.work.signal]));
        continue;
      }
      this.nudge();
      observer.leaseClaimed?.({ account: lease.account, expired: lease.expired });
      try {
        await this.run(lease);
      } catch (error) {
        if (LeaseLostError.isInstance(error)) {
          observer.leaseLost?.({ account: lease.account });
          logger.warn('lease lost; the batch wrote nothing more', {
            operationId: lease.operationId,
            chunk: lease.chunkId,
          });
        } else if (!shutdown.aborted) {
          logger.error('chunk failed in the engine', { operationId: lease.operationId, error: String(error) });
        }
      }
    }
  }

  private async run(lease: ChunkLease): Promise<void> {
    const { context } = this;
    const { leases, leaseMs } = this.options;
    const gate = context.gates.get(lease.account);
    if (!gate) return;
    const lost = new AbortController();
    const stop = AbortSignal.any([context.shutdown, lost.signal]);
    // Renewed well before expiry; a renewal refused means another holds the chunk now, and the batch stops at once.
    // One that fails (the journal did not answer) is tried at the next beat: the fence decides what may be written.
    const heartbeat = setInterval(
      () => {
        leases.renewLease(lease, leaseMs).then(
          (held) => {
            if (!held) lost.abort(new LeaseLostError(`Lease of chunk ${lease.chunkId} lost`));
          },
          () => undefined,
        );
      },
      Math.max(1, Math.floor(leaseMs / 3)),
    );
    try {
      const [items, operation] = await Promise.all([leases.chunkItems(lease), context.store.getOperation(lease.key)]);
      if (items.length > 0 && operation) {
        const whenBlocked = operation.whenBlocked ?? gate.account.whenBlocked ?? 'FAIL';
        const { horizonMs, initialMs, maxMs } = context.blockedRetry;
        const blocked: BlockedRetry | undefined =
          whenBlocked === 'WAIT'
            ? {
                deadline: operation.createdAt.getTime() + gate.account.deleteDelayMs + horizonMs,
                initialMs,
                maxMs,
              }
            : undefined;
        await runDeleteBatch(
          {
            store: guarded(leases.fencedWrites(lease), context.guard),
            bus: context.bus,
            gate,
            key: lease.key,
            shutdown: stop,
            logger: context.logger,
            observer: context.observer,
            now: context.now,
            cancelled: context.cancelled(lease.key),
            blocked,
            // The chunk's not_before says when it is due again (finishChunk).
            onWaiting: () => undefined,
          },
          items,
        );
      }
      if (lost.signal.aborted) throw lost.signal.reason;
      // At shutdown the chunk is handed back with the others (stop); its items stay open for whoever claims it.
      if (context.shutdown.aborted) return;
      if (!(await context.guard(() => leases.finishChunk(lease)))) {
        throw new LeaseLostError(`Lease of chunk ${lease.chunkId} lost`);
      }
    } finally {
      clearInterval(heartbeat);
    }
  }
}

function guarded(writes: FencedWrites, guard: LeaseWorkerContext['guard']): FencedWrites {
  return {
    markAttempt: (key, positions) => guard(() => writes.markAttempt(key, positions)),
    clearAmbiguous: (key, positions) => guard(() => writes.clearAmbiguous(key, positions)),
    recordUpdates: (key, updates) => guard(() => writes.recordUpdates(key, updates)),
    cancelUnsent: (key, positions, at) => guard(() => writes.cancelUnsent(key, positions, at)),
  };
}

/** As many batches as the accounts' limits let run at once, twice over so the next is ready when one ends. */
function defaultSlots(gates: ReadonlyMap<string, AccountGate>): number {
  let slots = 0;
  for (const gate of gates.values()) slots += gate.account.limits.concurrency * 2;
  return Math.max(1, slots);
}
