import { signal, type Signal } from '@preact/signals';
import {
  cancelDeletion,
  deleteWithProgress,
  DeletionDocument,
  newOperationId,
  RestoreVideoDocument,
  requestGraphQL,
  watchDeletion,
  type DeletionOutcome,
  type DeletionProgressEvent,
  type DeletionQuery,
  type DeletionResultFieldsFragment,
  type DeletionStatus,
  type DiscoveryState,
  type OperationStatus,
  type RetryInfo,
  type VideoDeletionFieldsFragment,
  type VideoSelectionInput,
} from '@unreel/client';
import { connection, describeError, query } from './api.js';
import { limits } from './limits.js';

/** One item of an operation, as the console shows it. */
interface ItemView {
  videoId: string;
  account: string;
  status: DeletionStatus;
  errorCode: string | null;
  errorMessage: string | null;
  retryable: boolean;
  attempts: number;
  restorable: boolean;
  /** Orders what the journal says against what an event said: an older state never overwrites a newer one. */
  updatedAt: string;
}

export interface OperationState {
  id: string;
  status: OperationStatus | 'LOADING';
  total: number;
  completed: number;
  /** A selection's discovery (DISCOVERING while `total` still grows); null for ids. */
  discovery: DiscoveryState | null;
  /** Items in the operation's own order; rows are updated in place, so the list never reflows as events arrive. */
  order: string[];
  items: Map<string, ItemView>;
  /** "reconnecting ..." while the stream is down; empty otherwise. */
  connection: string;
  error: string;
  result: DeletionResultFieldsFragment | null;
  undo: { done: number; of: number; failed: number } | null;
}

interface Followed {
  state: Signal<OperationState>;
  /** Whether a stream (deleteWithProgress or watchDeletion) follows it in this tab now. */
  following: boolean;
}

const followed = new Map<string, Followed>();
const afterKey = (operationId: string): string => `unreel-console:after:${operationId}`;
const FINAL: ReadonlySet<DeletionStatus> = new Set(['DELETED', 'NOT_FOUND', 'FAILED', 'RESTORED', 'CANCELLED']);

export const isFinalItem = (status: DeletionStatus): boolean => FINAL.has(status);
const accountOf = (videoId: string): string => videoId.slice(0, Math.max(0, videoId.indexOf(':')));

function itemOf(node: VideoDeletionFieldsFragment): ItemView {
  return {
    videoId: node.videoId,
    account: accountOf(node.videoId),
    status: node.status,
    errorCode: node.error?.code ?? null,
    errorMessage: node.error?.message ?? null,
    retryable: node.error?.retryable ?? false,
    attempts: node.attempts,
    restorable: node.restorable,
    updatedAt: node.updatedAt,
  };
}

function emptyState(id: string): OperationState {
  return {
    id,
    status: 'LOADING',
    total: 0,
    completed: 0,
    discovery: null,
    order: [],
    items: new Map(),
    connection: '',
    error: '',
    result: null,
    undo: null,
  };
}

/** Applies `change` to a copy of the state (items stay one shared map: copying it per event would be quadratic). */
function update(entry: Followed, change: (state: OperationState) => Partial<OperationState>): void {
  const current = entry.state.value;
  entry.state.value = { ...current, ...change(current) };
}

function applyItem(entry: Followed, node: VideoDeletionFieldsFragment): void {
  const { items, order } = entry.state.value;
  const known = items.get(node.videoId);
  if (known && known.updatedAt > node.updatedAt) return;
  if (!known) order.push(node.videoId);
  items.set(node.videoId, itemOf(node));
}

function onRetry(entry: Followed): (info: RetryInfo) => void {
  return (info) =>
    update(entry, () => ({
      connection: `Reconnecting (attempt ${info.attempt}, ${info.error.code}) in ${Math.round(info.delayMs / 1000)} s`,
    }));
}

async function follow(entry: Followed, run: () => Promise<DeletionOutcome>): Promise<void> {
  entry.following = true;
  const operationId = entry.state.value.id;
  try {
    const { result } = await run();
    update(entry, () => ({
      status: result.status,
      total: result.total,
      completed: result.total - result.pending,
      discovery: result.discovery ?? null,
      result,
      connection: '',
    }));
  } catch (error) {
    update(entry, () => ({ error: describeError(error), connection: '' }));
  } finally {
    entry.following = false;
    sessionStorage.removeItem(afterKey(operationId));
  }
}

function progressHandler(entry: Followed): (event: DeletionProgressEvent) => void {
  const operationId = entry.state.value.id;
  return (event) => {
    applyItem(entry, event.item);
    // What a reload resumes after (`after`): the journal holds the rest.
    sessionStorage.setItem(afterKey(operationId), String(event.sequence));
    update(entry, () => ({
      total: event.total,
      completed: event.completed,
      status: event.status,
      discovery: event.discovery ?? null,
      connection: '',
    }));
  };
}

/** Every item of the operation, page by page, as the journal has it now. */
async function loadSnapshot(entry: Followed): Promise<DeletionResultFieldsFragment | null> {
  const { maxPageSize } = await limits();
  let after: string | null = null;
  let result: DeletionResultFieldsFragment | null = null;
  for (;;) {
    const page: DeletionQuery = await query(DeletionDocument, { id: entry.state.value.id, first: maxPageSize, after });
    const { deletion } = page;
    if (!deletion) return null;
    const { items, ...counts } = deletion;
    result = counts;
    for (const edge of items.edges) applyItem(entry, edge.node);
    if (!items.pageInfo.hasNextPage) return result;
    after = items.pageInfo.endCursor;
  }
}

/** Starts a deletion of `ids` and follows it; resolves with its operation id as soon as it is named. */
export function startDeletion(ids: readonly string[]): string {
  const operationId = newOperationId();
  const entry: Followed = { state: signal(emptyState(operationId)), following: true };
  const state = entry.state.value;
  const now = new Date(0).toISOString();
  for (const videoId of ids) {
    if (state.items.has(videoId)) continue;
    state.order.push(videoId);
    state.items.set(videoId, {
      videoId,
      account: accountOf(videoId),
      status: 'PENDING',
      errorCode: null,
      errorMessage: null,
      retryable: false,
      attempts: 0,
      restorable: false,
      updatedAt: now,
    });
  }
  entry.state.value = { ...state, status: 'RUNNING', total: state.order.length };
  followed.set(operationId, entry);
  void follow(entry, () =>
    deleteWithProgress({
      ...connection(),
      ids,
      operationId,
      onProgress: progressHandler(entry),
      onRetry: onRetry(entry),
    }),
  );
  return operationId;
}

/**
 * Starts a deletion of every video a selection matches, at most `maxItems`, and follows it: its items arrive as they
 * are discovered (each announced PENDING, `total` growing). Resolves with its operation id as soon as it is named.
 */
export function startSelectionDeletion(selection: VideoSelectionInput, maxItems: number): string {
  const operationId = newOperationId();
  const entry: Followed = { state: signal(emptyState(operationId)), following: true };
  entry.state.value = { ...entry.state.value, status: 'RUNNING', discovery: 'DISCOVERING' };
  followed.set(operationId, entry);
  void follow(entry, () =>
    deleteWithProgress({
      ...connection(),
      selection,
      maxItems,
      operationId,
      onProgress: progressHandler(entry),
      onRetry: onRetry(entry),
    }),
  );
  return operationId;
}

/**
 * The state of an operation, followed live while it runs: the one this tab started, or (after a reload, a restart,
 * from History) read from the journal and then followed from the last event this tab showed.
 */
export function openOperation(operationId: string): Signal<OperationState> {
  const known = followed.get(operationId);
  if (known) return known.state;
  const entry: Followed = { state: signal(emptyState(operationId)), following: false };
  followed.set(operationId, entry);
  void (async () => {
    try {
      const result = await loadSnapshot(entry);
      if (!result) {
        update(entry, () => ({ error: `No operation "${operationId}" on this server (or not yours).` }));
        return;
      }
      update(entry, (state) => ({
        status: result.status,
        total: result.total,
        completed: result.total - result.pending,
        discovery: result.discovery ?? null,
        result: result.status === 'RUNNING' ? null : result,
        order: state.order,
      }));
      if (result.status !== 'RUNNING') return;
      const after = Number(sessionStorage.getItem(afterKey(operationId)) ?? '0');
      await follow(entry, () =>
        watchDeletion({
          ...connection(),
          operationId,
          after: Number.isInteger(after) && after >= 0 ? after : 0,
          onProgress: progressHandler(entry),
          onRetry: onRetry(entry),
        }),
      );
    } catch (error) {
      update(entry, () => ({ error: describeError(error) }));
    }
  })();
  return entry.state;
}

export async function cancelOperation(operationId: string): Promise<void> {
  const entry = followed.get(operationId);
  try {
    await cancelDeletion({ ...connection(), operationId });
  } catch (error) {
    if (entry) update(entry, () => ({ error: describeError(error) }));
  }
}

/** Restores asked at once by Undo: a few, so 10,000 items do not take 10,000 round trips one after another. */
const UNDO_CONCURRENCY = 6;

/** Undo: restores every item the provider can still restore, one call each, and shows each outcome in its row. */
export async function undoOperation(operationId: string): Promise<void> {
  const entry = followed.get(operationId);
  if (!entry) return;
  const ids = restorableIds(entry.state.value);
  update(entry, () => ({ undo: { done: 0, of: ids.length, failed: 0 } }));
  const restoreOne = async (id: string): Promise<void> => {
    let failed = 0;
    try {
      const { restoreVideo } = await requestGraphQL({
        ...connection(),
        document: RestoreVideoDocument,
        variables: { id },
        retry: { maxAttempts: 5 },
      });
      const deletion = restoreVideo.video?.deletion;
      if (deletion && deletion.operationId === operationId) applyItem(entry, deletion);
      if (!restoreVideo.restored) failed = 1;
    } catch (error) {
      update(entry, () => ({ error: describeError(error) }));
      failed = 1;
    }
    update(entry, (state) => ({
      undo: { done: (state.undo?.done ?? 0) + 1, of: ids.length, failed: (state.undo?.failed ?? 0) + failed },
    }));
  };
  const queue = [...ids];
  const worker = async (): Promise<void> => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) await restoreOne(id);
  };
  await Promise.all(Array.from({ length: UNDO_CONCURRENCY }, worker));
  // The counts as the journal now has them (restored ones included); the items were updated one by one above.
  try {
    const { deletion } = await query(DeletionDocument, { id: operationId, first: 1 });
    if (deletion) {
      const { items: _items, ...result } = deletion;
      update(entry, () => ({ result }));
    }
  } catch (error) {
    update(entry, () => ({ error: describeError(error) }));
  }
}

export function restorableIds(state: OperationState): string[] {
  return state.order.filter((id) => {
    const item = state.items.get(id);
    return item !== undefined && item.restorable && (item.status === 'DELETED' || item.status === 'SCHEDULED');
  });
}

export function retryableFailedIds(state: OperationState): string[] {
  return state.order.filter((id) => {
    const item = state.items.get(id);
    return item !== undefined && item.status === 'FAILED' && item.retryable;
  });
}
