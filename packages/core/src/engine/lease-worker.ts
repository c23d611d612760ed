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
  /**
   * Chunks this replica runs at once (default: every account's concurrency, twice, summed). Each account holds at most
   * its share of them, in proportion to its concurrency (see accountShares).
   */
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
  /** Chunks this replica holds per account, and how many it may: a slot claims only accounts below their share. */
  private readonly held = new Map<string, number>();
  private shares: ReadonlyMap<string, number> = new Map();
  /**
   * Claims run one at a time in this replica, so that each sees the counts the one before it left: concurrent slots
   * that all saw room would otherwise all take the same account's chunks (the first ones, when ids come grouped).
   */
  private claiming: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly context: LeaseWorkerContext,
    private readonly options: LeaseWorkOptions,
  ) {}

  start(): void {
    if (!this.options.worker || this.loops.length > 0) return;
    const slots = this.options.slots ?? defaultSlots(this.context.gates);
    this.shares = accountShares(this.context.gates, slots);
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
    const idleMs = this.options.idleMs ?? 250;
    while (!shutdown.aborted) {
      let lease: ChunkLease | null;
      try {
        lease = await this.claim((accounts) => leases.claimChunk(owner, accounts, leaseMs));
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
      } finally {
        this.held.set(lease.account, (this.held.get(lease.account) ?? 1) - 1);
      }
    }
  }

  /**
   * Claims a chunk of an account below its share, counting it held before the next claim starts; null (the journal
   * not asked) when every account is at its share: a slot that ends a batch then claims with the room it made.
   */
  private claim(claimChunk: (accounts: readonly string[]) => Promise<ChunkLease | null>): Promise<ChunkLease | null> {
    const claimed = this.claiming.then(async () => {
      const held = (account: string): number => this.held.get(account) ?? 0;
      // Fewest held first: with ids grouped by account, chunks in journal order would fill a replica's slots with the
      // first accounts' while the last waited, starting up to 1.8 s late (bench cluster, 3 replicas: 0.72-0.85x).
      const accounts = [...this.shares]
        .filter(([account, share]) => held(account) < share)
        .map(([account]) => account)
        .sort((a, b) => held(a) - held(b));
      if (accounts.length === 0) return null;
      const lease = await claimChunk(accounts);
      if (lease) this.held.set(lease.account, (this.held.get(lease.account) ?? 0) + 1);
      return lease;
    });
    this.claiming = claimed.catch(() => undefined);
    return claimed;
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

/**
 * Each account's share of the slots, in proportion to its concurrency (by default its concurrency twice over), at
 * least one, rounded up so that the shares together fill every slot. A slot claims only accounts below their share, so
 * with ids grouped by account the first accounts' chunks cannot take every slot while they wait for their limits and
 * the other accounts' limits sit idle.
 */
function accountShares(gates: ReadonlyMap<string, AccountGate>, slots: number): Map<string, number> {
  let concurrency = 0;
  for (const gate of gates.values()) concurrency += gate.account.limits.concurrency;
  const shares = new Map<string, number>();
  for (const [name, gate] of gates) {
    shares.set(name, Math.max(1, Math.ceil((slots * gate.account.limits.concurrency) / Math.max(1, concurrency))));
  }
  return shares;
}
