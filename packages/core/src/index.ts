export { UnreelError } from './errors/unreel-error.js';
export { InvalidInputError } from './errors/invalid-input-error.js';
export { IdempotencyConflictError } from './errors/idempotency-conflict-error.js';
export { OperationExistsError } from './errors/operation-exists-error.js';
export { TooManyOperationsError } from './errors/too-many-operations-error.js';
export { JournalUnavailableError } from './errors/journal-unavailable-error.js';
export { ACCOUNT_NAME_PATTERN, formatVideoId, parseVideoId, type ParsedVideoId } from './ids/video-id.js';
export {
  isFinalItemStatus,
  operationKey,
  type DiscoveryState,
  type ItemRecord,
  type ItemStatus,
  type OperationCounts,
  type OperationRecord,
  type OperationStatus,
  type ProgressEvent,
  type SelectionRecord,
  type VideoSelection,
  type WhenBlocked,
} from './model/operation.js';
export type {
  CancelResult,
  DiscoveredPage,
  DiscoveryResult,
  ItemPage,
  ItemUpdate,
  NewItem,
  NewOperation,
  OpenItemRecord,
  OperationCursor,
  OperationPage,
  OperationStore,
} from './store/operation-store.js';
export type { LearnedRate, LearnedRateStore } from './store/learned-rate-store.js';
export {
  LeaseLostError,
  type ChunkLease,
  type DiscoveryLease,
  type FencedWrites,
  type WorkLeases,
} from './store/work-leases.js';
export type { ChunkPlan, ChunkPlans } from './store/chunk-plans.js';
export { InMemoryOperationStore } from './store/in-memory-operation-store.js';
// What every store decides alike, for stores kept outside core (PostgreSQL in @unreel/cluster).
export {
  applyItemChange,
  cancelledUpdate,
  isCancellable,
  itemUpdateEffect,
  nextAttemptAfter,
  restoredUpdate,
  settleOperation,
  type ItemUpdateEffect,
  type OperationProgress,
} from './store/item-change.js';
export { discoveredEvents, newSelectionRecord, nextDiscovery } from './store/discovery-change.js';
export { unknownItemError, unknownOperationError } from './store/store-errors.js';
export { SqliteOperationStore, type SqliteOperationStoreOptions } from './store/sqlite/sqlite-operation-store.js';
export type { EventBus } from './events/event-bus.js';
export { InMemoryEventBus } from './events/in-memory-event-bus.js';
export type { Account, AccountLimits } from './accounts/account.js';
export { AccountRegistry } from './accounts/account-registry.js';
export type { AccountRate } from './accounts/account-gate.js';
export type {
  AccountAdmission,
  AccountAdmissionContext,
  AccountAdmissionFactory,
  AdmissionPermit,
  RateLearning,
} from './accounts/account-admission.js';
export {
  RATE_LOOKBACK_MS,
  acceptedTransition,
  adaptiveRateSettings,
  initialRateState,
  startTransition,
  throttledTransition,
  type AdaptiveRateSettings,
  type AdaptiveRateState,
  type RateChange,
  type RateTicket,
  type RateTransition,
} from './accounts/adaptive-rate.js';
export { InProcessAccountAdmission } from './accounts/in-process-account-admission.js';
export { rateWindow, type RateWindow } from './accounts/rate-window-limiter.js';
export { defaultAccountLimits, type AccountLimitOverrides } from './accounts/default-account-limits.js';
export { DeletionEngine, type DeletionEngineDeps } from './engine/deletion-engine.js';
export { ProgressFeed, type ProgressFeedOptions, type ProgressFeedRead } from './engine/progress-feed.js';
export { ProgressStream } from './engine/progress-stream.js';
export type { DeleteRequest, EngineOptions, RestoreResult, SelectionPreview } from './engine/engine-types.js';
export type { EngineLogger } from './engine/engine-logger.js';
export type { LeaseWorkOptions } from './engine/lease-worker.js';
export type { JournalStatus } from './engine/journal-guard.js';
export type {
  EngineObserver,
  ItemsObservation,
  ProviderCallObservation,
  ProviderMethod,
  RateChangeObservation,
  RetryObservation,
} from './engine/engine-observer.js';
export type { ConfirmationResult, DeletionConfirmation } from './engine/deletion-confirmation.js';
