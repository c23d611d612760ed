import { randomUUID } from 'node:crypto';
import type { ProviderVideo, VideoPage } from '@unreel/provider-spec';
import type { AccountAdmissionFactory } from '../accounts/account-admission.js';
import { AccountGate, type AccountRate } from '../accounts/account-gate.js';
import type { RateChange } from '../accounts/adaptive-rate.js';
import type { Account } from '../accounts/account.js';
import type { AccountRegistry } from '../accounts/account-registry.js';
import { IdempotencyConflictError } from '../errors/idempotency-conflict-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { OperationExistsError } from '../errors/operation-exists-error.js';
import { UnreelError } from '../errors/unreel-error.js';
import type { EventBus } from '../events/event-bus.js';
import { parseVideoId } from '../ids/video-id.js';
import {
  operationKey,
  type ItemRecord,
  type ItemStatus,
  type OperationRecord,
  type OperationStatus,
  type ProgressEvent,
  type VideoSelection,
} from '../model/operation.js';
import type { LearnedRateStore } from '../store/learned-rate-store.js';
import type { ChunkPlan, ChunkPlans } from '../store/chunk-plans.js';
import type {
  ItemPage,
  NewOperation,
  OperationCursor,
  OperationPage,
  OperationStore,
} from '../store/operation-store.js';
import { acceptOperationId, acceptRequest, type AcceptedItem } from './accept-request.js';
import { confirmDeletion, type ConfirmationResult, type DeletionConfirmation } from './deletion-confirmation.js';
import { silentLogger, type EngineLogger } from './engine-logger.js';
import { observeItems, silentObserver, type EngineObserver } from './engine-observer.js';
import {
  defaultEngineOptions,
  type DeleteRequest,
  type EngineOptions,
  type RestoreResult,
  type SelectionPreview,
} from './engine-types.js';
import { fingerprintIds } from './fingerprint.js';
import { JournalGuard, type JournalStatus } from './journal-guard.js';
import { journalWaitingStore } from './journal-waiting-store.js';
import { LeaseWorker, type LeaseWorkOptions } from './lease-worker.js';
import { DiscoveryLeaser } from './discovery-leaser.js';
import { runOperation } from './operation-runner.js';
import { ProgressFeed, type ProgressFeedOptions } from './progress-feed.js';
import { ProgressStream } from './progress-stream.js';
import { TenantSlots } from './tenant-slots.js';
import { previewSelection } from './selection-preview.js';
import { getVideos, listVideos } from './video-lookups.js';
import { acceptMaxItems, acceptSelection, fingerprintSelection } from './video-selection.js';
import { restoreVideo } from './video-restore.js';
import { waitForFinish } from './wait-for-finish.js';

export interface DeletionEngineDeps {
  store: OperationStore;
  /** Where learned rates are kept across restarts (the journal's store, usually); without it they start afresh. */
  rates?: LearnedRateStore | undefined;
  bus: EventBus;
  accounts: AccountRegistry;
  options?: Partial<EngineOptions>;
  logger?: EngineLogger;
  observer?: EngineObserver;
  now?: () => Date;
  newId?: () => string;
  /** Where each account's limits are kept (see AccountAdmission); default in this process. */
  admission?: AccountAdmissionFactory | undefined;
  /**
   * The cluster mode: work is journaled as leased chunks that any replica sharing the journal claims (see
   * LeaseWorker), instead of being run by the process that accepted it. Absent: one process runs everything it
   * accepts and resumes everything unfinished at start.
   */
  work?: LeaseWorkOptions | undefined;
}

function unknownOperation(operationId: string): InvalidInputError {
  return new InvalidInputError(`Unknown operation "${operationId}"`, 'operationId');
}

/** What every part of the engine works with; each takes the fields it needs. */
interface EngineContext {
  /** The journal as running work uses it: a write waits while the journal cannot be written (see JournalGuard). */
  store: OperationStore;
  bus: EventBus;
  logger: EngineLogger;
  observer: EngineObserver;
  now: () => Date;
  /** Aborted by close(). */
  shutdown: AbortSignal;
}

/**
 * The deletion engine: accept (validate, dedupe, journal every item before any provider call), plan (per account,
 * in bounded pages, chunked by the provider's batch size), run (per-account limits, retries), record (gapless
 * events) and finish. Knows nothing of GraphQL.
 */
export class DeletionEngine {
  readonly options: EngineOptions;
  private readonly context: EngineContext;
  /** The journal itself, for the writes of new requests, which are refused rather than kept waiting. */
  private readonly store: OperationStore;
  private readonly journal: JournalGuard;
  private readonly accounts: AccountRegistry;
  private readonly newId: () => string;
  private readonly gates = new Map<string, AccountGate>();
  private readonly rates: LearnedRateStore | undefined;
  private ratesLoaded = false;
  private readonly running = new Map<string, { tenant: string; done: Promise<void>; cancel: AbortController }>();
  private readonly slots: TenantSlots;
  private readonly shutdown = new AbortController();
  /** Confirmations run one at a time: a delivery and its redelivery arriving together must not both apply. */
  private confirmations: Promise<unknown> = Promise.resolve();
  /** Cluster mode only. */
  private readonly work: LeaseWorkOptions | undefined;
  private readonly worker: LeaseWorker | undefined;
  private readonly discoveries: DiscoveryLeaser | undefined;
  /** Cluster mode: operations this replica journaled a cancel of, so its chunks waiting for limits send nothing new. */
  private readonly cancels = new Map<string, AbortController>();

  constructor(deps: DeletionEngineDeps) {
    this.options = { ...defaultEngineOptions, ...deps.options };
    const logger = deps.logger ?? silentLogger;
    const now = deps.now ?? (() => new Date());
    this.store = deps.store;
    this.journal = new JournalGuard({
      store: deps.store,
      logger,
      now,
      shutdown: this.shutdown.signal,
      retryInitialMs: this.options.journalRetryInitialMs,
      retryMaxMs: this.options.journalRetryMaxMs,
    });
    this.context = {
      store: journalWaitingStore(deps.store, this.journal),
      bus: deps.bus,
      logger,
      observer: deps.observer ?? silentObserver,
      now,
      shutdown: this.shutdown.signal,
    };
    this.accounts = deps.accounts;
    this.newId = deps.newId ?? randomUUID;
    this.slots = new TenantSlots(this.options.maxRunningOperationsPerTenant);
    this.rates = deps.rates;
    for (const account of this.accounts.list()) {
      const gate = new AccountGate(account, {
        shutdown: this.shutdown.signal,
        observer: this.context.observer,
        now: () => now().getTime(),
        onRateChange: (change) => this.rateChanged(account, gate, change),
        onRateLost: (error) =>
          logger.warn('learned rate change dropped: its shared state could not be reached', {
            account: account.name,
            error: String(error),
          }),
        admission: deps.admission,
      });
      this.gates.set(account.name, gate);
    }
    this.work = deps.work;
    if (deps.work) {
      const workContext = {
        ...this.context,
        gates: this.gates,
        blockedRetry: this.blockedRetry(),
        listPageSize: this.options.listPageSize,
        guard: <T>(write: () => Promise<T>) => this.journal.write(write),
        cancelled: (key: string) => this.cancelSignal(key),
      };
      this.worker = new LeaseWorker(workContext, deps.work);
      this.discoveries = new DiscoveryLeaser(workContext, deps.work, (operation) => this.chunkPlans(operation));
    }
  }

  async submit(request: DeleteRequest): Promise<{ operation: OperationRecord; created: boolean }> {
    this.assertOpen();
    const { store } = this;
    const { tenant, operationId } = request;
    const { items, fingerprint, selection } = this.accept(request);
    if (operationId !== undefined) {
      const existing = await store.getOperation(operationKey(tenant, operationId));
      if (existing) return { operation: this.sameOrConflict(existing, fingerprint, request), created: false };
    }
    // A retry of an operation already journaled is answered above from a read; a new one needs a write.
    this.journal.assertWritable();
    this.slots.take(tenant);
    const operation: NewOperation = {
      id: operationId ?? this.newId(),
      tenant,
      fingerprint,
      createdAt: this.context.now(),
      whenBlocked: request.whenBlocked ?? null,
      selection,
      chunks: undefined,
      items: items.map((item) => ({
        ...item,
        status: (this.accounts.require(item.account).deleteDelayMs > 0 ? 'SCHEDULED' : 'PENDING') as
          | 'PENDING'
          | 'SCHEDULED',
      })),
    };
    if (this.work) {
      operation.chunks = this.chunkPlans(operation);
      // Other replicas run this tenant's operations too: the journal counts them all.
      operation.maxRunning = this.options.maxRunningOperationsPerTenant;
    }
    let record: OperationRecord;
    try {
      record = await this.journal.attempt(() => store.createOperation(operation));
    } catch (error) {
      this.slots.release(tenant);
      if (!OperationExistsError.isInstance(error)) throw error;
      // Two requests raced with one operationId: the loser answers like a retry.
      const existing = await store.getOperation(operationKey(tenant, operation.id));
      if (!existing) throw error;
      return { operation: this.sameOrConflict(existing, fingerprint, request), created: false };
    }
    this.context.bus.publishOperationCreated(operationKey(tenant, record.id));
    // In the cluster mode the journal holds the work as chunks, which any replica's worker claims.
    if (this.work) {
      this.slots.release(tenant);
      this.worker?.nudge();
    } else this.start(record);
    this.context.logger.info('operation accepted', { operationId: record.id, tenant, total: record.total });
    return { operation: record, created: true };
  }

  /**
   * selectVideos: lists the selection's account through its gate (sharing its rate budget) and counts what matches,
   * up to the preview's bounds (EngineOptions.selectionPreview*); changes nothing. `accounts`: the caller's. `signal`:
   * the caller went away; listing stops.
   */
  async previewSelection(
    selection: VideoSelection,
    sample: number,
    accounts: AccountRegistry = this.accounts,
    signal?: AbortSignal,
  ): Promise<SelectionPreview> {
    this.assertOpen();
    const accepted = acceptSelection(selection, accounts);
    const { selectionSampleMax } = this.options;
    if (!Number.isInteger(sample) || sample < 0 || sample > selectionSampleMax) {
      throw new InvalidInputError(`sample must be an integer from 0 to ${selectionSampleMax}`, 'sample');
    }
    return previewSelection(
      this.gateOf(accepted.account),
      accepted,
      sample,
      {
        ...this.context,
        pageSize: this.options.listPageSize,
        maxCalls: this.options.selectionPreviewMaxCalls,
        maxMs: this.options.selectionPreviewMaxMs,
      },
      signal,
    );
  }

  async waitForOperation(
    tenant: string,
    operationId: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<OperationRecord> {
    const key = operationKey(tenant, operationId);
    await waitForFinish(this.context, key, timeoutMs, signal);
    const operation = await this.context.store.getOperation(key);
    if (!operation) throw unknownOperation(operationId);
    return operation;
  }

  getOperation(tenant: string, operationId: string): Promise<OperationRecord | null> {
    return this.context.store.getOperation(operationKey(tenant, operationId));
  }

  listItems(
    tenant: string,
    operationId: string,
    options: { first: number; after?: number; status?: ItemStatus },
  ): Promise<ItemPage> {
    return this.context.store.listItems(operationKey(tenant, operationId), options);
  }

  /** One tenant's operations, newest first; another tenant's are never listed. */
  listOperations(
    tenant: string,
    options: { first: number; after?: OperationCursor; status?: OperationStatus },
  ): Promise<OperationPage> {
    return this.context.store.listOperations(tenant, options);
  }

  /**
   * cancelDeletion: in one journal write, every item no provider call may have reached becomes CANCELLED (held ones
   * too), one event each; calls in flight finish and their items keep their real outcome, and calls still waiting for
   * the account's limits send only what an earlier call may have reached. The operation ends CANCELLED once nothing is
   * open. Cancelling again, or cancelling a finished operation, returns it as it is. An unknown id (or another
   * tenant's) is a BAD_USER_INPUT naming `operationId`.
   */
  async cancelOperation(tenant: string, operationId: string): Promise<OperationRecord> {
    this.assertOpen();
    const key = operationKey(tenant, operationId);
    const existing = await this.store.getOperation(key);
    if (!existing) throw unknownOperation(operationId);
    // A finished operation stays as it is: answered from a read, so even while the journal cannot be written.
    if (existing.status !== 'RUNNING') return existing;
    const result = await this.journal.attempt(() => this.store.cancelOperation(key, this.context.now()));
    // Purged between the read and the write: as unknown as it now is.
    if (!result) throw unknownOperation(operationId);
    // Only once the cancellation is journaled: a refused one changes nothing, not even calls waiting their turn.
    this.running.get(key)?.cancel.abort();
    if (this.work) {
      this.cancelSignal(key);
      this.cancels.get(key)?.abort();
    }
    this.context.bus.publish(key, result.events);
    this.observeCancelled(result.events);
    if (result.events.length > 0) {
      this.context.logger.info('operation cancelled', {
        operationId,
        tenant,
        cancelled: result.events.length,
        pending: result.operation.pending,
      });
    }
    return result.operation;
  }

  /** The tenant's newest journaled item per video: another tenant's deletion of the same video is not shown. */
  latestDeletions(tenant: string, videoIds: readonly string[]): Promise<Map<string, ItemRecord>> {
    return this.context.store.latestItems(tenant, videoIds);
  }

  /** The engine's clock: what decides due times and windows here decides them everywhere it is shown. */
  now(): Date {
    return this.context.now();
  }

  /**
   * Whether the journal can be written. While it cannot, running operations wait (no provider call is made that could
   * not be journaled), new deletions, restores and webhook confirmations are refused with JOURNAL_UNAVAILABLE, and the
   * journal is tried again with backoff; everything resumes by itself once a write succeeds.
   */
  journalStatus(): JournalStatus {
    return this.journal.status();
  }

  /** Operations running now, per tenant (for metrics and limits). */
  runningOperations(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { tenant } of this.running.values()) counts.set(tenant, (counts.get(tenant) ?? 0) + 1);
    return counts;
  }

  progress(
    tenant: string,
    operationId: string,
    options: { after?: number; signal?: AbortSignal } = {},
  ): ProgressStream {
    return new ProgressStream({
      store: this.context.store,
      bus: this.context.bus,
      tenant,
      operationId,
      key: operationKey(tenant, operationId),
      after: options.after ?? 0,
      pageSize: this.options.eventPageSize,
      signal: options.signal,
    });
  }

  /**
   * One operation's events for many readers at once, each with its own cursor, `transform` run once per event for
   * all of them (see ProgressFeed); close it when its last reader is gone.
   */
  progressFeed<T>(
    tenant: string,
    operationId: string,
    options: { transform: ProgressFeedOptions<T>['transform']; cachedPages: number },
  ): ProgressFeed<T> {
    return new ProgressFeed({
      store: this.context.store,
      bus: this.context.bus,
      key: operationKey(tenant, operationId),
      pageSize: this.options.eventPageSize,
      logger: this.context.logger,
      ...options,
    });
  }

  /** `accounts`: those the caller may touch (its tenant's); a video of any other account is as unknown as a typo. */
  async restoreVideo(
    tenant: string,
    videoId: string,
    accounts: AccountRegistry = this.accounts,
  ): Promise<RestoreResult> {
    this.assertOpen();
    const { account, nativeId } = parseVideoId(videoId, 'id');
    accounts.require(account, 'id');
    // Refused before the provider is asked: a restore done there and not journaled here would be a lie in the journal.
    this.journal.assertWritable();
    return restoreVideo(this.context, this.gateOf(account), tenant, videoId, nativeId);
  }

  async getVideos(accountName: string, nativeIds: readonly string[]): Promise<(ProviderVideo | null)[]> {
    return getVideos(this.gateOf(accountName), nativeIds, this.context);
  }

  async listVideos(accountName: string, page: { cursor?: string; limit: number }): Promise<VideoPage> {
    return listVideos(this.gateOf(accountName), page, this.context);
  }

  /**
   * A provider's verified webhook about one of `accountName`'s videos (the account belongs to `tenant`): recorded on
   * the video's latest deletion once per delivery id, as a progress event only when it is a new outcome (see
   * confirmDeletion).
   */
  async confirmDeletion(
    tenant: string,
    accountName: string,
    confirmation: DeletionConfirmation,
  ): Promise<ConfirmationResult> {
    this.assertOpen();
    const account = this.accounts.require(accountName);
    // Not taken now: the provider delivers again later.
    this.journal.assertWritable();
    const run = this.confirmations.then(() => confirmDeletion(this.context, tenant, account, confirmation));
    this.confirmations = run.catch(() => undefined);
    return run;
  }

  /** The rate each account keeps to now (learned from throttles) and the configured one, by account name. */
  accountRates(): Map<string, AccountRate> {
    const rates = new Map<string, AccountRate>();
    for (const [name, gate] of this.gates) rates.set(name, gate.rate());
    return rates;
  }

  /**
   * As accountRates, reading every rate shared with other processes again first (a replica that calls no provider
   * would otherwise answer with the rate it last saw); for answers to a client, not for every metrics scrape.
   */
  async currentAccountRates(): Promise<Map<string, AccountRate>> {
    const rates = new Map<string, AccountRate>();
    await Promise.all([...this.gates].map(async ([name, gate]) => rates.set(name, await gate.currentRate())));
    return rates;
  }

  /**
   * Crash recovery: first the rates learned before (so resumed work keeps to them), then every operation with open
   * items runs again; ambiguous items are in the journal.
   */
  async resume(): Promise<number> {
    await this.loadLearnedRates();
    if (this.work) {
      // Nothing is restarted here: the unfinished work is in the journal as chunks and discoveries, which this
      // replica's worker claims along with every other replica's (none, with `worker: false`). Operations journaled
      // by a run without `cluster` get their chunks first.
      const adopted = await this.work.leases.chunkUnchunked(
        [...this.gates.values()].map(({ account }) => ({
          account: account.name,
          batchSize: account.provider.capabilities.maxBatchSize,
          deleteDelayMs: account.deleteDelayMs,
        })),
      );
      if (adopted > 0) this.context.logger.info('chunked operations journaled without cluster', { chunks: adopted });
      this.worker?.start();
      this.discoveries?.start();
      return 0;
    }
    const operations = await this.context.store.listUnfinishedOperations();
    let resumed = 0;
    for (const operation of operations) {
      if (this.running.has(operationKey(operation.tenant, operation.id))) continue;
      this.slots.force(operation.tenant);
      this.start(operation);
      resumed += 1;
    }
    if (resumed > 0) this.context.logger.info('resumed unfinished operations', { count: resumed });
    return resumed;
  }

  /** Stops starting calls and aborts those in flight; their items stay open in the journal for the next start. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.shutdown.signal.aborted) return;
    this.shutdown.abort(new UnreelError('SHUTTING_DOWN', 'The engine is shutting down'));
    for (const gate of this.gates.values()) gate.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running.values()].map((running) => running.done)),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    await Promise.all([this.worker?.stop(), this.discoveries?.stop()]);
  }

  /** Cluster mode: how each account's items are cut into chunks (the provider's batch, after deleteDelay). */
  private chunkPlans(operation: Pick<NewOperation, 'createdAt' | 'items' | 'selection'>): ChunkPlans {
    const plans: Record<string, ChunkPlan> = {};
    const names = new Set(operation.items.map((item) => item.account));
    if (operation.selection) names.add(operation.selection.selection.account);
    for (const name of names) {
      const gate = this.gates.get(name);
      if (!gate) continue;
      const { deleteDelayMs } = gate.account;
      plans[name] = {
        batchSize: Math.max(1, gate.account.provider.capabilities.maxBatchSize),
        notBefore: deleteDelayMs > 0 ? new Date(operation.createdAt.getTime() + deleteDelayMs) : null,
      };
    }
    return plans;
  }

  /** Cluster mode: the signal a chunk's batch reads to learn that this replica journaled a cancel of its operation. */
  private cancelSignal(key: string): AbortSignal {
    let controller = this.cancels.get(key);
    if (!controller) {
      // Only a hint (the journal already refuses cancelled items to markAttempt): bounded, not kept forever.
      if (this.cancels.size >= 10_000) this.cancels.clear();
      controller = new AbortController();
      this.cancels.set(key, controller);
    }
    return controller.signal;
  }

  private blockedRetry(): { horizonMs: number; initialMs: number; maxMs: number } {
    return {
      horizonMs: this.options.blockedRetryHorizonMs,
      initialMs: this.options.blockedRetryInitialMs,
      maxMs: this.options.blockedRetryMaxMs,
    };
  }

  /** Once per engine: a second resume() must not undo what was learned since the first. */
  private async loadLearnedRates(): Promise<void> {
    if (!this.rates || this.ratesLoaded) return;
    this.ratesLoaded = true;
    for (const learned of await this.rates.listLearnedRates()) {
      const gate = this.gates.get(learned.account);
      // A shared rate's store out of reach: the account starts from the ceiling (its calls wait for that store anyway).
      const adopted = await gate
        ?.adoptLearnedRate({
          requestsPerSecond: learned.requestsPerSecond,
          configuredRequestsPerSecond: learned.configuredRequestsPerSecond,
          at: learned.learnedAt,
        })
        .catch((error: unknown) => {
          this.context.logger.warn('learned rate not restored', { account: learned.account, error: String(error) });
          return false;
        });
      if (adopted) {
        this.context.logger.info('account rate restored', {
          account: learned.account,
          requestsPerSecond: gate?.rate().requestsPerSecond,
          configuredRequestsPerSecond: learned.configuredRequestsPerSecond,
          learnedAt: learned.learnedAt.toISOString(),
        });
      }
    }
  }

  /** A learned rate changed: counted, logged, and journaled for the next start (never awaited by the call). */
  private rateChanged(account: Account, gate: AccountGate, change: RateChange): void {
    const { observer, logger } = this.context;
    const fields = { account: account.name, provider: account.provider.provider, from: change.from, to: change.to };
    observer.rateChanged?.({ ...fields, reason: change.reason });
    const configured = gate.rate().configuredRequestsPerSecond;
    if (change.reason === 'throttled') logger.warn('account rate lowered after a throttle', { ...fields, configured });
    else if (change.reason === 'measured') logger.info('account rate measured again', { ...fields, configured });
    else logger.info('account rate raised after a quiet period', { ...fields, configured });
    if (!this.rates || configured === undefined) return;
    this.rates
      .saveLearnedRate({
        account: account.name,
        requestsPerSecond: change.to,
        configuredRequestsPerSecond: configured,
        learnedAt: new Date(change.at),
      })
      .catch((error: unknown) =>
        logger.warn('learned rate not journaled; it applies until restart', { ...fields, error: String(error) }),
      );
  }

  /** Runs an operation whose tenant slot is already taken, and gives the slot back when the run ends. */
  private start(operation: OperationRecord): void {
    const { tenant } = operation;
    const key = operationKey(tenant, operation.id);
    const fields = { tenant, operationId: operation.id };
    const { logger } = this.context;
    const context = {
      ...this.context,
      logger: logger.child?.(fields) ?? logger,
      gates: this.gates,
      key,
      planPageSize: this.options.planPageSize,
      listPageSize: this.options.listPageSize,
      blockedRetry: this.blockedRetry(),
    };
    const cancel = new AbortController();
    const done = runOperation({ ...context, cancelled: cancel.signal }, operation)
      .catch((error: unknown) => logger.error('operation run failed', { ...fields, error: String(error) }))
      .finally(() => {
        this.running.delete(key);
        this.slots.release(tenant);
      });
    this.running.set(key, { tenant, done, cancel });
  }

  /**
   * The request checked before anything is journaled: ids or a selection (with maxItems), never both, and what makes
   * a repeat of it the same request.
   */
  private accept(request: DeleteRequest): {
    items: AcceptedItem[];
    fingerprint: string;
    selection: NewOperation['selection'];
  } {
    const accounts = request.accounts ?? this.accounts;
    const maxIds = this.options.maxIdsPerOperation;
    if (request.selection === undefined) {
      if (request.ids === undefined) throw new InvalidInputError('Give ids or selection', 'ids');
      if (request.maxItems !== undefined) {
        throw new InvalidInputError('maxItems goes with selection; ids are deleted as given', 'maxItems');
      }
      const items = acceptRequest({ ...request, ids: request.ids }, accounts, maxIds);
      return { items, fingerprint: fingerprintIds(items.map((item) => item.videoId)), selection: undefined };
    }
    if (request.ids !== undefined) throw new InvalidInputError('Give ids or selection, not both', 'selection');
    acceptOperationId(request.operationId);
    const selection = acceptSelection(request.selection, accounts);
    const maxItems = acceptMaxItems(request.maxItems, maxIds);
    return { items: [], fingerprint: fingerprintSelection(selection, maxItems), selection: { selection, maxItems } };
  }

  /**
   * A repeated operationId is a retry only when it names the same ids and asks the same of blocked items (whenBlocked,
   * absent being "each account's default"); anything else would silently drop a request. whenBlocked is compared
   * beside the fingerprint, not hashed into it, so fingerprints journaled before it existed still match.
   */
  private sameOrConflict(existing: OperationRecord, fingerprint: string, request: DeleteRequest): OperationRecord {
    if (existing.fingerprint !== fingerprint) {
      throw new IdempotencyConflictError(
        `Operation "${existing.id}" already exists with other ${existing.selection ? 'selection or maxItems' : 'ids'}`,
      );
    }
    if (existing.whenBlocked !== (request.whenBlocked ?? null)) {
      throw new IdempotencyConflictError(
        `Operation "${existing.id}" already exists with whenBlocked ${existing.whenBlocked ?? '(the account default)'}`,
      );
    }
    return existing;
  }

  /** The gate of a configured account; an unknown one is the same error as AccountRegistry.require gives. */
  private gateOf(accountName: string): AccountGate {
    const gate = this.gates.get(accountName);
    if (!gate) throw new InvalidInputError(`Unknown account "${accountName}"`, 'ids');
    return gate;
  }

  /** Cancelled items, counted per account as every journaled outcome is (one operation may span accounts). */
  private observeCancelled(events: readonly ProgressEvent[]): void {
    const byAccount = new Map<string, ProgressEvent[]>();
    for (const event of events) {
      const accountEvents = byAccount.get(event.item.account);
      if (accountEvents) accountEvents.push(event);
      else byAccount.set(event.item.account, [event]);
    }
    for (const [account, accountEvents] of byAccount) {
      const provider = this.accounts.get(account)?.provider.provider ?? 'unknown';
      observeItems(this.context.observer, account, provider, accountEvents);
    }
  }

  private assertOpen(): void {
    if (this.shutdown.signal.aborted) throw new UnreelError('SHUTTING_DOWN', 'The server is shutting down');
  }
}
