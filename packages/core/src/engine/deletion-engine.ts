import { randomUUID } from 'node:crypto';
import { UnreelProviderError, type ProviderVideo, type VideoPage } from '@unreel/provider-spec';
import { AccountGate } from '../accounts/account-gate.js';
import type { AccountRegistry } from '../accounts/account-registry.js';
import { IdempotencyConflictError } from '../errors/idempotency-conflict-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { OperationExistsError } from '../errors/operation-exists-error.js';
import { TooManyOperationsError } from '../errors/too-many-operations-error.js';
import { UnreelError } from '../errors/unreel-error.js';
import type { EventBus } from '../events/event-bus.js';
import { parseVideoId } from '../ids/video-id.js';
import { isFinalItemStatus, operationKey, type ItemRecord, type ItemStatus, type OperationRecord, type ProgressEvent } from '../model/operation.js';
import { restoredUpdate } from '../store/item-change.js';
import type { ItemPage, NewOperation, OperationStore } from '../store/operation-store.js';
import { callWithRetry } from './call-with-retry.js';
import { confirmDeletion, type ConfirmationResult, type DeletionConfirmation } from './deletion-confirmation.js';
import { silentLogger, type EngineLogger } from './engine-logger.js';
import { observeItems, silentObserver, type EngineObserver } from './engine-observer.js';
import { defaultEngineOptions, type DeleteRequest, type EngineOptions, type RestoreResult } from './engine-types.js';
import { fingerprintIds } from './fingerprint.js';
import { runOperation } from './operation-runner.js';
import { ProgressStream } from './progress-stream.js';
import { waitForFinish } from './wait-for-finish.js';

const OPERATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export interface DeletionEngineDeps {
  store: OperationStore;
  bus: EventBus;
  accounts: AccountRegistry;
  options?: Partial<EngineOptions>;
  logger?: EngineLogger;
  observer?: EngineObserver;
  now?: () => Date;
  newId?: () => string;
}

/**
 * The deletion engine: accept (validate, dedupe, journal every item before any provider call), plan (per account,
 * in bounded pages, chunked by the provider's batch size), run (per-account limits, retries), record (gapless
 * events) and finish. Knows nothing of GraphQL.
 */
export class DeletionEngine {
  readonly options: EngineOptions;
  private readonly store: OperationStore;
  private readonly bus: EventBus;
  private readonly accounts: AccountRegistry;
  private readonly logger: EngineLogger;
  private readonly observer: EngineObserver;
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly gates = new Map<string, AccountGate>();
  private readonly running = new Map<string, Promise<void>>();
  /** Per tenant: operations running plus submissions between their check and their journal write. */
  private readonly tenantSlots = new Map<string, number>();
  private readonly shutdown = new AbortController();
  /** Confirmations run one at a time: a delivery and its redelivery arriving together must not both apply. */
  private confirmations: Promise<unknown> = Promise.resolve();

  constructor(deps: DeletionEngineDeps) {
    this.store = deps.store;
    this.bus = deps.bus;
    this.accounts = deps.accounts;
    this.options = { ...defaultEngineOptions, ...deps.options };
    this.logger = deps.logger ?? silentLogger;
    this.observer = deps.observer ?? silentObserver;
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? randomUUID;
    for (const account of this.accounts.list()) this.gates.set(account.name, new AccountGate(account, this.shutdown.signal, this.observer));
  }

  async submit(request: DeleteRequest): Promise<{ operation: OperationRecord; created: boolean }> {
    this.assertOpen();
    const { tenant, operationId } = request;
    if (operationId !== undefined && !OPERATION_ID_PATTERN.test(operationId)) {
      throw new InvalidInputError('operationId must be 1 to 128 characters of letters, digits, ".", "_", ":" or "-"', 'operationId');
    }
    const items = this.acceptIds(request.ids, request.accounts ?? this.accounts);
    const fingerprint = fingerprintIds(items.map((item) => item.videoId));
    if (operationId !== undefined) {
      const existing = await this.store.getOperation(operationKey(tenant, operationId));
      if (existing) return { operation: this.sameOrConflict(existing, fingerprint), created: false };
    }
    // Checked and taken in one synchronous step, so concurrent submissions cannot all slip under the limit.
    this.takeSlot(tenant);
    const operation: NewOperation = {
      id: operationId ?? this.newId(),
      tenant,
      fingerprint,
      createdAt: this.now(),
      items: items.map((item) => ({
        ...item,
        status: (this.accounts.require(item.account).deleteDelayMs > 0 ? 'SCHEDULED' : 'PENDING') as 'PENDING' | 'SCHEDULED',
      })),
    };
    let record: OperationRecord;
    try {
      record = await this.store.createOperation(operation);
    } catch (error) {
      this.releaseSlot(tenant);
      if (!OperationExistsError.isInstance(error)) throw error;
      // Two requests raced with one operationId: the loser answers like a retry.
      const existing = await this.store.getOperation(operationKey(tenant, operation.id));
      if (!existing) throw error;
      return { operation: this.sameOrConflict(existing, fingerprint), created: false };
    }
    const key = operationKey(tenant, record.id);
    this.bus.publishOperationCreated(key);
    this.start(record, true);
    this.logger.info('operation accepted', { operationId: record.id, tenant, total: record.total });
    return { operation: record, created: true };
  }

  async waitForOperation(tenant: string, operationId: string, timeoutMs: number, signal?: AbortSignal): Promise<OperationRecord> {
    const key = operationKey(tenant, operationId);
    await waitForFinish({ store: this.store, bus: this.bus }, key, timeoutMs, signal);
    const operation = await this.store.getOperation(key);
    if (!operation) throw new InvalidInputError(`Unknown operation "${operationId}"`, 'operationId');
    return operation;
  }

  getOperation(tenant: string, operationId: string): Promise<OperationRecord | null> {
    return this.store.getOperation(operationKey(tenant, operationId));
  }

  listItems(tenant: string, operationId: string, options: { first: number; after?: number; status?: ItemStatus }): Promise<ItemPage> {
    return this.store.listItems(operationKey(tenant, operationId), options);
  }

  /** The tenant's newest journaled item per video: another tenant's deletion of the same video is not shown. */
  latestDeletions(tenant: string, videoIds: readonly string[]): Promise<Map<string, ItemRecord>> {
    return this.store.latestItems(tenant, videoIds);
  }

  /** Operations running now, per tenant (for metrics and limits). */
  runningOperations(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const key of this.running.keys()) {
      const tenant = key.slice(0, key.indexOf('\u001f'));
      counts.set(tenant, (counts.get(tenant) ?? 0) + 1);
    }
    return counts;
  }

  progress(tenant: string, operationId: string, options: { after?: number; signal?: AbortSignal } = {}): AsyncIterableIterator<ProgressEvent> {
    return new ProgressStream({
      store: this.store,
      bus: this.bus,
      key: operationKey(tenant, operationId),
      after: options.after ?? 0,
      pageSize: this.options.eventPageSize,
      signal: options.signal,
    });
  }

  /** `accounts`: those the caller may touch (its tenant's); a video of any other account is as unknown as a typo. */
  async restoreVideo(tenant: string, videoId: string, accounts: AccountRegistry = this.accounts): Promise<RestoreResult> {
    this.assertOpen();
    const { account: accountName, nativeId } = parseVideoId(videoId);
    accounts.require(accountName);
    const account = this.accounts.require(accountName);
    const provider = account.provider;
    const latest = (await this.store.latestItems(tenant, [videoId])).get(videoId) ?? null;
    const now = this.now();

    if (latest?.status === 'SCHEDULED') {
      const key = operationKey(tenant, latest.operationId);
      const operation = await this.store.getOperation(key);
      if (operation && operation.createdAt.getTime() + account.deleteDelayMs > now.getTime()) {
        // Still held: cancelling needs no provider call. The store refuses if the item was sent meanwhile.
        const event = await this.store.cancelScheduled(key, latest.position, now);
        if (event) {
          this.bus.publish(key, [event]);
          observeItems(this.observer, accountName, provider.provider, [event]);
          return { videoId, restored: true, error: null, item: event.item, video: null };
        }
      }
    }
    if (provider.capabilities.restore === false || !provider.doRestoreVideo) {
      return refusal(videoId, latest, 'NOT_RESTORABLE', `${provider.provider} deletes permanently; there is nothing to restore`);
    }
    if (latest && !isFinalItemStatus(latest.status)) {
      // A restore racing our own delete call could be overtaken by it: the journal would then say DELETED for a video
      // the provider holds again.
      return refusal(videoId, latest, 'DELETION_IN_PROGRESS', `${videoId} is being deleted; restore it once its deletion has finished`);
    }
    if (latest?.status === 'DELETED' && latest.restorableUntil && latest.restorableUntil.getTime() < now.getTime()) {
      return refusal(videoId, latest, 'RESTORE_WINDOW_EXPIRED', `The restore window of ${videoId} ended at ${latest.restorableUntil.toISOString()}`);
    }
    const restore = provider.doRestoreVideo.bind(provider);
    try {
      const outcome = await callWithRetry(this.gateOf(accountName), 'restore', (options) => restore(nativeId, options), this.callContext());
      if (outcome.status === 'NOT_FOUND') {
        return refusal(videoId, latest, 'NOT_FOUND', `${provider.provider} has no deleted video ${nativeId} to restore`);
      }
      if (outcome.status === 'FAILED') return refusal(videoId, latest, outcome.error.code, outcome.error.message);
      let item = latest;
      if (latest && latest.status === 'DELETED') {
        const key = operationKey(tenant, latest.operationId);
        const [event] = await this.store.recordUpdates(key, [restoredUpdate(latest.position, this.now())]);
        if (event) {
          this.bus.publish(key, [event]);
          observeItems(this.observer, accountName, provider.provider, [event]);
          item = event.item;
        }
      }
      return { videoId, restored: true, error: null, item, video: outcome.video ?? null };
    } catch (error) {
      if (!UnreelProviderError.isInstance(error)) throw error;
      return refusal(videoId, latest, error.code, error.message);
    }
  }

  async getVideos(accountName: string, nativeIds: readonly string[]): Promise<(ProviderVideo | null)[]> {
    const account = this.accounts.require(accountName);
    const size = Math.max(1, account.provider.capabilities.maxLookupBatchSize ?? 1);
    const gate = this.gateOf(accountName);
    const chunks: string[][] = [];
    for (let start = 0; start < nativeIds.length; start += size) chunks.push(nativeIds.slice(start, start + size));
    const results = await Promise.all(
      chunks.map((chunk) => callWithRetry(gate, 'get', (options) => account.provider.doGetVideos(chunk, options), this.callContext())),
    );
    return results.flat();
  }

  async listVideos(accountName: string, page: { cursor?: string; limit: number }): Promise<VideoPage> {
    const account = this.accounts.require(accountName);
    const list = account.provider.doListVideos?.bind(account.provider);
    if (!list) throw new UnreelError('UNSUPPORTED', `${account.provider.provider} cannot list videos`);
    return callWithRetry(this.gateOf(accountName), 'list', (options) => list(page, options), this.callContext());
  }

  /**
   * A provider's verified webhook about one of `accountName`'s videos (the account belongs to `tenant`): recorded on
   * the video's latest deletion and streamed as a progress event, once per delivery id.
   */
  async confirmDeletion(tenant: string, accountName: string, confirmation: DeletionConfirmation): Promise<ConfirmationResult> {
    this.assertOpen();
    this.accounts.require(accountName);
    const run = this.confirmations.then(() => confirmDeletion({ store: this.store, bus: this.bus, now: this.now }, tenant, accountName, confirmation));
    this.confirmations = run.catch(() => undefined);
    return run;
  }

  /** Crash recovery: every operation with open items runs again; ambiguous items are in the journal. */
  async resume(): Promise<number> {
    const operations = await this.store.listUnfinishedOperations();
    let resumed = 0;
    for (const operation of operations) {
      if (this.running.has(operationKey(operation.tenant, operation.id))) continue;
      // Resumed work was accepted before the restart: it counts against the limit but is never refused by it.
      this.start(operation, false);
      resumed += 1;
    }
    if (resumed > 0) this.logger.info('resumed unfinished operations', { count: resumed });
    return resumed;
  }

  /** Stops starting calls and aborts those in flight; their items stay open in the journal for the next start. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.shutdown.signal.aborted) return;
    this.shutdown.abort(new UnreelError('SHUTTING_DOWN', 'The engine is shutting down'));
    for (const gate of this.gates.values()) gate.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running.values()]),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  /** `slotTaken`: submit already counted this operation against its tenant's limit. */
  private start(operation: OperationRecord, slotTaken: boolean): void {
    const key = operationKey(operation.tenant, operation.id);
    if (!slotTaken) this.tenantSlots.set(operation.tenant, (this.tenantSlots.get(operation.tenant) ?? 0) + 1);
    const fields = { tenant: operation.tenant, operationId: operation.id };
    const logger = this.logger.child?.(fields) ?? this.logger;
    const context = {
      store: this.store,
      bus: this.bus,
      gates: this.gates,
      key,
      shutdown: this.shutdown.signal,
      logger,
      observer: this.observer,
      now: this.now,
      planPageSize: this.options.planPageSize,
    };
    const run = runOperation(context, operation)
      .catch((error: unknown) => this.logger.error('operation run failed', { ...fields, error: String(error) }))
      .finally(() => {
        this.running.delete(key);
        this.releaseSlot(operation.tenant);
      });
    this.running.set(key, run);
  }

  private takeSlot(tenant: string): void {
    const taken = this.tenantSlots.get(tenant) ?? 0;
    const limit = this.options.maxRunningOperationsPerTenant;
    if (taken >= limit) throw new TooManyOperationsError(limit);
    this.tenantSlots.set(tenant, taken + 1);
  }

  private releaseSlot(tenant: string): void {
    const taken = (this.tenantSlots.get(tenant) ?? 1) - 1;
    if (taken > 0) this.tenantSlots.set(tenant, taken);
    else this.tenantSlots.delete(tenant);
  }

  private callContext(): { shutdown: AbortSignal; observer: EngineObserver } {
    return { shutdown: this.shutdown.signal, observer: this.observer };
  }

  private acceptIds(ids: readonly string[], accounts: AccountRegistry): { videoId: string; account: string; nativeId: string }[] {
    if (ids.length === 0) throw new InvalidInputError('ids must contain at least one video id', 'ids');
    if (ids.length > this.options.maxIdsPerOperation) {
      throw new InvalidInputError(`Too many ids: ${ids.length} given, at most ${this.options.maxIdsPerOperation} per operation`, 'ids');
    }
    const seen = new Set<string>();
    const items: { videoId: string; account: string; nativeId: string }[] = [];
    const unknownAccounts = new Set<string>();
    for (const videoId of ids) {
      if (seen.has(videoId)) continue;
      seen.add(videoId);
      const parsed = parseVideoId(videoId);
      if (!accounts.get(parsed.account)) unknownAccounts.add(parsed.account);
      items.push({ videoId, ...parsed });
    }
    if (unknownAccounts.size > 0) {
      const names = [...unknownAccounts].map((name) => `"${name}"`).join(', ');
      throw new InvalidInputError(`Unknown account${unknownAccounts.size > 1 ? 's' : ''} ${names}`, 'ids');
    }
    return items;
  }

  /** A repeated operationId is a retry only when it names the same ids; anything else would silently drop a request. */
  private sameOrConflict(existing: OperationRecord, fingerprint: string): OperationRecord {
    if (existing.fingerprint !== fingerprint) {
      throw new IdempotencyConflictError(`Operation "${existing.id}" already exists with other ids`);
    }
    return existing;
  }

  private gateOf(accountName: string): AccountGate {
    const gate = this.gates.get(accountName);
    if (!gate) throw new InvalidInputError(`Unknown account "${accountName}"`, 'ids');
    return gate;
  }

  private assertOpen(): void {
    if (this.shutdown.signal.aborted) throw new UnreelError('SHUTTING_DOWN', 'The server is shutting down');
  }
}

function refusal(videoId: string, item: ItemRecord | null, code: string, message: string): RestoreResult {
  return { videoId, restored: false, error: { code, message }, item, video: null };
}
