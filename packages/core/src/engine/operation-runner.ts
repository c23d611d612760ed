import type { AccountGate } from '../accounts/account-gate.js';
import type { EventBus } from '../events/event-bus.js';
import { OPEN_ITEM_STATUSES, type OperationRecord } from '../model/operation.js';
import type { OpenItemRecord, OperationStore } from '../store/operation-store.js';
import { runDeleteBatch } from './batch-runner.js';
import { runDiscovery } from './discovery-runner.js';
import { DiscoveryWatch } from './discovery-watch.js';
import type { BlockedRetry } from './blocked-retry.js';
import type { EngineLogger } from './engine-logger.js';
import { observeItems, type EngineObserver } from './engine-observer.js';
import { waitForFinish } from './wait-for-finish.js';

export interface OperationRunnerContext {
  store: OperationStore;
  bus: EventBus;
  gates: ReadonlyMap<string, AccountGate>;
  key: string;
  shutdown: AbortSignal;
  logger: EngineLogger;
  observer: EngineObserver;
  now: () => Date;
  planPageSize: number;
  /** Aborted once cancelDeletion was journaled: calls still waiting for the account's limits send nothing new. */
  cancelled: AbortSignal;
  /** How whenBlocked: WAIT waits (EngineOptions.blockedRetry*), for accounts and operations that ask for it. */
  blockedRetry: { horizonMs: number; initialMs: number; maxMs: number };
  /** Videos asked for per list call when discovering a selection. */
  listPageSize: number;
}

/**
 * Runs every open item of one operation to a final state; accounts proceed in parallel. A selection operation still
 * discovering also runs its discovery, and its account's runner deletes what is journaled while discovery goes on.
 */
export async function runOperation(context: OperationRunnerContext, operation: OperationRecord): Promise<void> {
  const watch = operation.selection?.discovery === 'DISCOVERING' ? new DiscoveryWatch() : undefined;
  const discovery = watch
    ? runDiscovery({ ...context, watch }, operation)
        .catch((error: unknown) => context.logger.error('selection discovery failed', { error: String(error) }))
        .finally(() => watch.end())
    : undefined;
  await Promise.all([
    discovery,
    ...operation.accounts.map((account) => runAccount(context, operation, account, watch)),
  ]);
}

async function runAccount(
  context: OperationRunnerContext,
  operation: OperationRecord,
  accountName: string,
  watch: DiscoveryWatch | undefined,
): Promise<void> {
  const { key, shutdown } = context;
  const gate = context.gates.get(accountName);
  if (!gate) {
    await failUnknownAccount(context, accountName);
    return;
  }
  const { deleteDelayMs } = gate.account;
  if (deleteDelayMs > 0) {
    // Held items can still be undone until they are due; the journal's createdAt makes this survive restarts. When
    // every item was cancelled (restored, or the operation cancelled) meanwhile, the run ends now instead of holding
    // its tenant's running-operation slot until the due time.
    await waitForFinish(
      context,
      key,
      operation.createdAt.getTime() + deleteDelayMs - context.now().getTime(),
      shutdown,
    );
  }
  const whenBlocked = operation.whenBlocked ?? gate.account.whenBlocked ?? 'FAIL';
  const { horizonMs, initialMs, maxMs } = context.blockedRetry;
  const blocked: BlockedRetry | undefined =
    whenBlocked === 'WAIT'
      ? { deadline: operation.createdAt.getTime() + deleteDelayMs + horizonMs, initialMs, maxMs }
      : undefined;
  // Passes over the open items until none is left waiting for its provider: each sends those due, and the next starts
  // when the earliest of the others is. Their times are journaled, so a restart picks them up here the same way.
  while (!shutdown.aborted) {
    // Taken before reading the journal: a page discovered while this pass reads is a change since, and wakes at once.
    const mark = watch?.mark() ?? 0;
    if (watch?.quiet) {
      // Discovery lists a pass that must not shift under it: what it finds is sent once the pass ends.
      await waitForFinish(
        context,
        key,
        Number.POSITIVE_INFINITY,
        AbortSignal.any([shutdown, watch.changedSince(mark)]),
      );
      continue;
    }
    // While discovery goes on, a batch short of the provider's size waits for the next page to fill it.
    const nextAttempt = await runDueItems(context, gate, accountName, blocked, () => watch?.discovering === true);
    const discovering = watch?.discovering === true;
    // A page journaled during the pass (the last one too, just before discovery ended) is read by the next pass.
    const changed = watch !== undefined && watch.mark() !== mark;
    if (shutdown.aborted || (nextAttempt === undefined && !discovering && !changed)) break;
    if (changed) continue;
    watch?.idle(mark);
    // A cancel ends the wait: it closed every waiting item no call of ours may have reached. Once it has, only
    // shutdown does: what it left open (an earlier attempt was ambiguous) waits its time. While discovery goes on,
    // each page it journals ends the wait too.
    const signals = [shutdown];
    if (!context.cancelled.aborted) signals.push(context.cancelled);
    if (watch && discovering) signals.push(watch.changedSince(watch.mark()));
    const waitMs = nextAttempt === undefined ? Number.POSITIVE_INFINITY : nextAttempt - context.now().getTime();
    await waitForFinish(context, key, waitMs, AbortSignal.any(signals));
  }
}

/**
 * One pass over the account's open items: sends every item due (never tried, or whose next attempt has come) in
 * batches, and returns the earliest next attempt (epoch ms) of the items left waiting, skipped now or left so by this
 * pass's batches; undefined when none is.
 */
async function runDueItems(
  context: OperationRunnerContext,
  gate: AccountGate,
  accountName: string,
  blocked: BlockedRetry | undefined,
  holdPartialBatch: () => boolean,
): Promise<number | undefined> {
  const { store, key, shutdown } = context;
  const batchSize = Math.max(1, gate.account.provider.capabilities.maxBatchSize);
  // Batches in flight per account and operation: enough to keep the account's limiter busy, few enough to bound memory.
  const maxInFlight = Math.max(2, gate.account.limits.concurrency * 2);
  const inFlight = new Set<Promise<void>>();
  let earliest: number | undefined;
  const onWaiting = (next: Date): void => {
    earliest = Math.min(earliest ?? Number.POSITIVE_INFINITY, next.getTime());
  };
  const batchContext = { ...context, gate, blocked, onWaiting };
  const send = async (items: OpenItemRecord[]): Promise<void> => {
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const batch = runDeleteBatch(batchContext, items).catch((error: unknown) => {
      context.logger.error('batch failed in the engine', { account: accountName, error: String(error) });
    });
    const tracked = batch.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  // Due items short of a batch at the end of a page go with the next page's, so batches stay full across pages.
  let partial: OpenItemRecord[] = [];
  let after = -1;
  while (!shutdown.aborted) {
    const page = await store.listOpenItems(key, accountName, { after, first: context.planPageSize });
    if (page.length === 0) break;
    after = (page[page.length - 1] as OpenItemRecord).position;
    const now = context.now().getTime();
    const due = partial.concat(
      page.filter((item) => {
        if (item.nextAttemptAt === null || item.nextAttemptAt.getTime() <= now) return true;
        onWaiting(item.nextAttemptAt);
        return false;
      }),
    );
    partial = [];
    for (let start = 0; start < due.length && !shutdown.aborted; start += batchSize) {
      const items = due.slice(start, start + batchSize);
      if (items.length < batchSize) partial = items;
      else await send(items);
    }
  }
  // Left open for the next pass when it may yet be filled.
  if (partial.length > 0 && !shutdown.aborted && !holdPartialBatch()) await send(partial);
  await Promise.all(inFlight);
  return earliest;
}

/** The account left the config while the operation was open (a restart with another config): say so per item. */
async function failUnknownAccount(context: OperationRunnerContext, accountName: string): Promise<void> {
  for (;;) {
    const page = await context.store.listOpenItems(context.key, accountName, { first: context.planPageSize });
    if (page.length === 0) return;
    const at = context.now();
    const events = await context.store.recordUpdates(
      context.key,
      page.map((item) => ({
        position: item.position,
        status: 'FAILED' as const,
        error: {
          code: 'UNKNOWN_ACCOUNT',
          message: `Account "${accountName}" is no longer configured`,
          retryable: false,
        },
        at,
        seen: item,
        // Only while open: a cancel may have closed it since it was read, and its event stands.
        from: OPEN_ITEM_STATUSES,
      })),
    );
    context.bus.publish(context.key, events);
    observeItems(context.observer, accountName, 'unknown', events);
  }
}
