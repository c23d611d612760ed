import { OperationExistsError } from '../errors/operation-exists-error.js';
import {
  isFinalItemStatus,
  operationKey,
  type ItemRecord,
  type ItemStatus,
  type OperationRecord,
  type OperationStatus,
  type ProgressEvent,
} from '../model/operation.js';
import {
  applyItemChange,
  cancelledUpdate,
  settleOperation,
  isCancellable,
  itemUpdateEffect,
  nextAttemptAfter,
  restoredUpdate,
  type OperationProgress,
} from './item-change.js';
import { discoveredEvents, newSelectionRecord, nextDiscovery } from './discovery-change.js';
import type {
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
} from './operation-store.js';
import type { LearnedRate, LearnedRateStore } from './learned-rate-store.js';
import { unknownItemError, unknownOperationError } from './store-errors.js';

interface OperationState {
  record: OperationRecord;
  /** Indexed by position. */
  items: ItemRecord[];
  events: ProgressEvent[];
  /** A selection operation's video ids, to drop the ones a listing gives again. */
  videoIds: Set<string> | undefined;
}

/** The journal for tests and throwaway runs: everything in memory, gone with the process. */
export class InMemoryOperationStore implements OperationStore, LearnedRateStore {
  private readonly operations = new Map<string, OperationState>();
  /** Keyed by tenant and video id: a tenant never sees another tenant's deletion of a video. */
  private readonly latest = new Map<string, ItemRecord>();
  /** Webhook delivery ids per account, with when they came, for de-duplication and purging. */
  private readonly deliveries = new Map<string, Date>();
  private readonly learnedRates = new Map<string, LearnedRate>();

  async createOperation(operation: NewOperation): Promise<OperationRecord> {
    const key = operationKey(operation.tenant, operation.id);
    if (this.operations.has(key)) throw new OperationExistsError(`Operation ${operation.id} already exists`);
    const accounts = [
      ...new Set([
        ...(operation.selection ? [operation.selection.selection.account] : []),
        ...operation.items.map((item) => item.account),
      ]),
    ];
    const items = operation.items.map<ItemRecord>((item, position) => ({
      operationId: operation.id,
      videoId: item.videoId,
      account: item.account,
      nativeId: item.nativeId,
      status: item.status,
      error: null,
      attempts: 0,
      ambiguous: false,
      restorableUntil: null,
      confirmedAt: null,
      nextAttemptAt: null,
      updatedAt: operation.createdAt,
      position,
    }));
    const record: OperationRecord = {
      id: operation.id,
      tenant: operation.tenant,
      status: 'RUNNING',
      fingerprint: operation.fingerprint,
      accounts,
      lastSequence: 0,
      createdAt: operation.createdAt,
      finishedAt: null,
      whenBlocked: operation.whenBlocked ?? null,
      selection: operation.selection ? newSelectionRecord(operation.selection) : null,
      total: items.length,
      deleted: 0,
      notFound: 0,
      failed: 0,
      restored: 0,
      cancelled: 0,
      pending: items.length,
    };
    const videoIds = operation.selection ? new Set(items.map((item) => item.videoId)) : undefined;
    this.operations.set(key, { record, items, events: [], videoIds });
    for (const item of items) this.latest.set(operationKey(operation.tenant, item.videoId), item);
    return snapshot(record);
  }

  async getOperation(key: string): Promise<OperationRecord | null> {
    const state = this.operations.get(key);
    return state ? snapshot(state.record) : null;
  }

  async appendDiscovered(key: string, page: DiscoveredPage): Promise<DiscoveryResult> {
    const state = this.require(key);
    const { record } = state;
    const selection = record.selection;
    if (!selection || record.status !== 'RUNNING') return { operation: snapshot(record), events: [] };
    const fresh: NewItem[] = [];
    if (!('error' in page)) {
      const seen = state.videoIds ?? new Set();
      for (const video of page.videos) {
        if (seen.has(video.videoId) || fresh.some((item) => item.videoId === video.videoId)) continue;
        fresh.push(video);
      }
    }
    const { take, next } = nextDiscovery(selection, record.total, fresh.length, page);
    const events = discoveredEvents(record, fresh.slice(0, take), {
      at: page.at,
      completed: record.total - record.pending,
      discovery: next.discovery,
    });
    for (const event of events) {
      const item = { ...event.item };
      state.items.push(item);
      state.videoIds?.add(item.videoId);
      this.latest.set(operationKey(record.tenant, item.videoId), item);
      state.events.push(event);
    }
    record.total += events.length;
    record.pending += events.length;
    record.lastSequence += events.length;
    record.selection = next;
    if (moveOperation(record, settleOperation)) record.finishedAt = page.at;
    return { operation: snapshot(record), events };
  }

  async markAttempt(key: string, positions: readonly number[]): Promise<number[]> {
    const state = this.require(key);
    const marked: number[] = [];
    for (const position of positions) {
      const item = requireItem(state, position);
      if (isFinalItemStatus(item.status)) continue;
      item.attempts += 1;
      item.ambiguous = true;
      marked.push(position);
    }
    return marked;
  }

  async clearAmbiguous(key: string, positions: readonly number[]): Promise<void> {
    const state = this.require(key);
    for (const position of positions) requireItem(state, position).ambiguous = false;
  }

  async cancelScheduled(key: string, position: number, at: Date): Promise<ProgressEvent | null> {
    const state = this.require(key);
    const item = requireItem(state, position);
    if (!isCancellable(item.status, item.attempts)) return null;
    const [event] = await this.recordUpdates(key, [restoredUpdate(position, at)]);
    return event ?? null;
  }

  async cancelOperation(key: string, at: Date): Promise<CancelResult | null> {
    const state = this.operations.get(key);
    if (!state) return null;
    if (state.record.status !== 'RUNNING') return { operation: snapshot(state.record), events: [] };
    const cancellable = state.items.filter((item) => !isFinalItemStatus(item.status) && !item.ambiguous);
    const { record } = state;
    if (record.selection?.discovery === 'DISCOVERING') {
      record.selection = { ...record.selection, discovery: 'CANCELLED' };
      if (moveOperation(record, settleOperation)) record.finishedAt = at;
    }
    const events = await this.recordUpdates(
      key,
      cancellable.map((item) => cancelledUpdate(item.position, at)),
    );
    return { operation: snapshot(record), events };
  }

  async cancelUnsent(key: string, positions: readonly number[], at: Date): Promise<ProgressEvent[]> {
    const state = this.require(key);
    const open = positions.filter((position) => !isFinalItemStatus(requireItem(state, position).status));
    for (const position of open) {
      const item = requireItem(state, position);
      item.attempts = Math.max(0, item.attempts - 1);
      item.ambiguous = false;
    }
    return this.recordUpdates(
      key,
      open.map((position) => cancelledUpdate(position, at)),
    );
  }

  async listOperations(
    tenant: string,
    options: { first: number; after?: OperationCursor; status?: OperationStatus },
  ): Promise<OperationPage> {
    const { after, status } = options;
    const matching = [...this.operations.values()]
      .map((state) => state.record)
      .filter(
        (record) =>
          record.tenant === tenant &&
          (status === undefined || record.status === status) &&
          (after === undefined || newestFirst(record, after) > 0),
      )
      .sort(newestFirst);
    return {
      operations: matching.slice(0, options.first).map(snapshot),
      hasNextPage: matching.length > options.first,
    };
  }

  async recordUpdates(key: string, updates: readonly ItemUpdate[]): Promise<ProgressEvent[]> {
    const state = this.require(key);
    const { record } = state;
    const events: ProgressEvent[] = [];
    for (const update of updates) {
      const item = requireItem(state, update.position);
      const effect = itemUpdateEffect(item, update);
      if (effect.kind === 'none') continue;
      if (effect.kind === 'fill') {
        item.confirmedAt = effect.confirmedAt;
        item.restorableUntil = effect.restorableUntil;
        item.updatedAt = update.at;
        continue;
      }
      const from = item.status;
      if (moveOperation(record, (progress) => applyItemChange(progress, from, update.status))) {
        record.finishedAt = update.at;
      }
      item.status = update.status;
      item.error = update.error ?? null;
      if (update.restorableUntil !== undefined) item.restorableUntil = update.restorableUntil;
      if (update.confirmedAt !== undefined) item.confirmedAt = update.confirmedAt;
      item.nextAttemptAt = nextAttemptAfter(item, update);
      if (isFinalItemStatus(update.status)) item.ambiguous = false;
      item.updatedAt = update.at;
      const event = this.eventOf(record, item);
      state.events.push(event);
      events.push(event);
    }
    return events;
  }

  async listEvents(key: string, after: number, limit: number): Promise<ProgressEvent[]> {
    const state = this.operations.get(key);
    if (!state) return [];
    const { total, selection } = state.record;
    // Sequences are 1..n at indexes 0..n-1, so `after` is the start index. Total and discovery as they are now (see
    // ProgressEvent.discovery), as the SQLite journal answers them.
    return state.events
      .slice(Math.max(0, after), Math.max(0, after) + limit)
      .map((event) => ({ ...event, total, discovery: selection?.discovery ?? null }));
  }

  async listItems(key: string, options: { after?: number; first: number; status?: ItemStatus }): Promise<ItemPage> {
    const state = this.operations.get(key);
    if (!state) return { items: [], hasNextPage: false };
    const items: ItemRecord[] = [];
    for (let position = (options.after ?? -1) + 1; position < state.items.length; position += 1) {
      const item = state.items[position] as ItemRecord;
      if (options.status !== undefined && item.status !== options.status) continue;
      if (items.length === options.first) return { items, hasNextPage: true };
      items.push({ ...item });
    }
    return { items, hasNextPage: false };
  }

  async listOpenItems(
    key: string,
    account: string,
    options: { after?: number; first: number },
  ): Promise<OpenItemRecord[]> {
    const state = this.operations.get(key);
    if (!state) return [];
    const items: OpenItemRecord[] = [];
    for (
      let position = (options.after ?? -1) + 1;
      position < state.items.length && items.length < options.first;
      position += 1
    ) {
      const item = state.items[position] as ItemRecord;
      if (item.account === account && !isFinalItemStatus(item.status)) items.push({ ...item });
    }
    return items;
  }

  async latestItems(tenant: string, videoIds: readonly string[]): Promise<Map<string, ItemRecord>> {
    const result = new Map<string, ItemRecord>();
    for (const videoId of videoIds) {
      const item = this.latest.get(operationKey(tenant, videoId));
      if (item) result.set(videoId, { ...item });
    }
    return result;
  }

  async listUnfinishedOperations(): Promise<OperationRecord[]> {
    return [...this.operations.values()]
      .filter((state) => state.record.pending > 0 || state.record.selection?.discovery === 'DISCOVERING')
      .map((state) => snapshot(state.record));
  }

  async hasDelivery(account: string, deliveryId: string): Promise<boolean> {
    return this.deliveries.has(operationKey(account, deliveryId));
  }

  async recordDelivery(account: string, deliveryId: string, at: Date): Promise<boolean> {
    const key = operationKey(account, deliveryId);
    if (this.deliveries.has(key)) return false;
    this.deliveries.set(key, at);
    return true;
  }

  async listLearnedRates(): Promise<LearnedRate[]> {
    return [...this.learnedRates.values()].map((rate) => ({ ...rate }));
  }

  async saveLearnedRate(rate: LearnedRate): Promise<void> {
    this.learnedRates.set(rate.account, { ...rate });
  }

  /** Memory can always be written. */
  async probeWrite(): Promise<void> {}

  async purgeFinishedBefore(cutoff: Date): Promise<number> {
    for (const [key, at] of this.deliveries) if (at < cutoff) this.deliveries.delete(key);
    let purged = 0;
    for (const [key, state] of this.operations) {
      const finishedAt = state.record.finishedAt;
      if (finishedAt === null || finishedAt >= cutoff) continue;
      this.operations.delete(key);
      for (const item of state.items) {
        const latestKey = operationKey(state.record.tenant, item.videoId);
        if (this.latest.get(latestKey) === item) this.latest.delete(latestKey);
      }
      purged += 1;
    }
    return purged;
  }

  async close(): Promise<void> {}

  private eventOf(record: OperationRecord, item: ItemRecord): ProgressEvent {
    return {
      operationId: record.id,
      sequence: record.lastSequence,
      item: { ...item },
      total: record.total,
      completed: record.total - record.pending,
      status: record.status,
      discovery: record.selection?.discovery ?? null,
    };
  }

  private require(key: string): OperationState {
    const state = this.operations.get(key);
    if (!state) throw unknownOperationError(key);
    return state;
  }
}

/** A copy the caller may keep or change: the stored record keeps changing with every write. */
function snapshot(record: OperationRecord): OperationRecord {
  return { ...record, accounts: [...record.accounts], selection: record.selection && { ...record.selection } };
}

/** Applies an item-change function to the record's counts, status and sequence; returns whether it finished it. */
function moveOperation(record: OperationRecord, change: (progress: OperationProgress) => boolean): boolean {
  const { total, deleted, notFound, failed, restored, cancelled, pending, status, lastSequence } = record;
  const discovery = record.selection?.discovery ?? null;
  const progress: OperationProgress = {
    total,
    deleted,
    notFound,
    failed,
    restored,
    cancelled,
    pending,
    status,
    lastSequence,
    discovery,
  };
  const finished = change(progress);
  const { discovery: _discovery, ...moved } = progress;
  Object.assign(record, moved);
  return finished;
}

/** Sorts newest first: createdAt descending, then id descending (ids are ASCII, so this is SQLite's order too). */
function newestFirst(a: OperationCursor, b: OperationCursor): number {
  const byTime = b.createdAt.getTime() - a.createdAt.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function requireItem(state: OperationState, position: number): ItemRecord {
  const item = state.items[position];
  if (!item) throw unknownItemError(state.record.id, position);
  return item;
}
