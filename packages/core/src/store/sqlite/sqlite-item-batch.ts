import type { ItemError } from '@unreel/provider-spec';
import { isFinalItemStatus, type ItemRecord, type ProgressEvent } from '../../model/operation.js';
import { applyItemChange, itemUpdateEffect, nextAttemptAfter, type ItemUpdateEffect } from '../item-change.js';
import type { ItemUpdate, OpenItemRecord } from '../operation-store.js';
import { unknownItemError } from '../store-errors.js';
import {
  errorText,
  toEventRow,
  toItemRecord,
  toItemWrite,
  toMillis,
  toSeenItemWrite,
  type OperationState,
} from './sqlite-rows.js';
import type { SqliteSavepoint } from './sqlite-savepoint.js';
import type { SqliteStatements } from './sqlite-statements.js';

/** An item as the batch finds it before an update: as the caller saw it (`seen`), or as read back. */
type KnownItem = OpenItemRecord & { confirmedAt?: Date | null; error?: ItemError | null };

/** What a batch of updates makes of the journal, worked out before anything is written. */
interface ItemBatchPlan {
  /** The operation after the updates. */
  operation: OperationState;
  /** Each item as the updates leave it, and as it was before them, by position, in the order the updates name them. */
  items: Map<number, PlannedItem>;
  events: ProgressEvent[];
  /** Whether every update gave its item a new status (one event each): none was left out or only filled in. */
  allChanged: boolean;
  /**
   * Whether the events can be copied from the written items by SQL (see `insertEventsFromItems`): one event per item
   * of a contiguous run, in position order, each closing an open item, while the operation stays RUNNING.
   */
  copyable: boolean;
}

interface PlannedItem {
  item: ItemRecord;
  was: KnownItem;
}

/** A run of items that one UPDATE writes: the same outcome and, when checked, the same state before it. */
interface AlikeRun {
  item: ItemRecord;
  was: KnownItem;
  positions: number[];
}

/** The outcome of a write that trusts the caller's view: not written when the journal no longer says so. */
type SeenBatchWrite = { written: true; events: ProgressEvent[] } | { written: false };

/**
 * recordUpdates, the journal's hot write: one event per update, the items, and counts and final status on the
 * operation, all in a savepoint. The batch runner knows what the journal says of its items (it read them, then marked
 * them itself) and passes that along as `seen`; the batch then writes without reading the items back, each UPDATE
 * requiring the items to still be as seen. If one finds them otherwise, that savepoint is rolled back and the batch
 * reads the items and writes again.
 */
export class SqliteItemBatch {
  private readonly statements: SqliteStatements;
  private readonly savepoint: SqliteSavepoint;

  constructor(statements: SqliteStatements, savepoint: SqliteSavepoint) {
    this.statements = statements;
    this.savepoint = savepoint;
  }

  /** Runs inside a write; `operation` is as that write read it. */
  record(operation: OperationState, updates: readonly ItemUpdate[]): ProgressEvent[] {
    const seen = seenItems(updates, operation.id);
    if (seen) {
      const outcome = this.savepoint.run(
        () => this.writeAsSeen(operation, updates, seen),
        (result) => result.written,
      );
      if (outcome.written) return outcome.events;
    }
    return this.savepoint.run(() => this.writeAsRead(operation, updates));
  }

  private writeAsSeen(
    operation: OperationState,
    updates: readonly ItemUpdate[],
    seen: ReadonlyMap<number, OpenItemRecord>,
  ): SeenBatchWrite {
    const plan = planItemBatch(operation, updates, seen);
    // An update that changes nothing, or only fills in, was decided on the caller's view without the UPDATE below to
    // check it: such a batch is decided on the journal itself.
    if (!plan.allChanged) return { written: false };
    for (const run of alikeRuns(plan, true)) {
      const changed = this.statements.updateSeenItems.run(
        toSeenItemWrite(operation.opId, run.item, run.was),
        run.positions,
      );
      if (changed !== run.positions.length) return { written: false };
    }
    this.writeEventsAndOperation(plan);
    return { written: true, events: plan.events };
  }

  private writeAsRead(operation: OperationState, updates: readonly ItemUpdate[]): ProgressEvent[] {
    const positions = [...new Set(updates.map((update) => update.position))].sort((a, b) => a - b);
    const rows = this.statements.itemsAt.all({ opId: operation.opId }, positions);
    const before = new Map(rows.map((row) => [row.position, toItemRecord(row, operation.id)]));
    const plan = planItemBatch(operation, updates, before);
    for (const run of alikeRuns(plan, false))
      this.statements.updateItems.run(toItemWrite(operation.opId, run.item), run.positions);
    this.writeEventsAndOperation(plan);
    return plan.events;
  }

  private writeEventsAndOperation(plan: ItemBatchPlan): void {
    const { operation, events } = plan;
    const first = events[0];
    if (!first) return;
    if (plan.copyable) {
      this.statements.insertEventsFromItems.run({
        opId: operation.opId,
        sequence: first.sequence,
        completed: first.completed,
        from: first.item.position,
        to: first.item.position + events.length - 1,
      });
    } else {
      this.statements.insertEvents.run(events.map((event) => toEventRow(operation.opId, event)));
    }
    this.statements.updateOperation.run(operation);
  }
}

/** The updates' `seen` items by position, when every update has one for this operation and no item comes twice. */
function seenItems(updates: readonly ItemUpdate[], operationId: string): Map<number, OpenItemRecord> | undefined {
  const seen = new Map<number, OpenItemRecord>();
  for (const update of updates) {
    const item = update.seen;
    if (!item || item.position !== update.position || item.operationId !== operationId || seen.has(item.position))
      return undefined;
    seen.set(item.position, item);
  }
  return seen;
}

/** Applies the updates, in order, to the items as they were (`before`) and to a copy of the operation. */
function planItemBatch(
  state: OperationState,
  updates: readonly ItemUpdate[],
  before: ReadonlyMap<number, KnownItem>,
): ItemBatchPlan {
  const operation = { ...state };
  const items = new Map<number, PlannedItem>();
  const events: ProgressEvent[] = [];
  const firstPosition = updates[0]?.position ?? 0;
  let copyable = true;
  let allChanged = true;
  for (const [index, update] of updates.entries()) {
    const planned = items.get(update.position);
    const current = planned?.item ?? before.get(update.position);
    if (!current) throw unknownItemError(operation.id, update.position);
    const effect = itemUpdateEffect(current, update);
    if (effect.kind !== 'change') allChanged = copyable = false;
    if (effect.kind === 'none') continue;
    const item = plannedItem(operation.id, current, update, effect);
    items.set(update.position, { item, was: planned?.was ?? current });
    if (effect.kind === 'fill') continue;
    copyable &&=
      update.position === firstPosition + index && !isFinalItemStatus(current.status) && isFinalItemStatus(item.status);
    if (applyItemChange(operation, current.status, item.status)) operation.finishedAt = update.at.getTime();
    events.push({
      operationId: operation.id,
      sequence: operation.lastSequence,
      item,
      total: operation.total,
      completed: operation.total - operation.pending,
      status: operation.status,
      discovery: operation.discovery,
    });
  }
  return { operation, items, events, allChanged, copyable: copyable && operation.status === 'RUNNING' };
}

/** The item as an update leaves it: its new status, or (`fill`) the status it had and what it lacked. */
function plannedItem(
  operationId: string,
  current: KnownItem,
  update: ItemUpdate,
  effect: Exclude<ItemUpdateEffect, { kind: 'none' }>,
): ItemRecord {
  const fill = effect.kind === 'fill';
  return {
    operationId,
    videoId: current.videoId,
    account: current.account,
    nativeId: current.nativeId,
    status: update.status,
    error: fill ? (current.error ?? null) : (update.error ?? null),
    attempts: current.attempts,
    ambiguous: isFinalItemStatus(update.status) ? false : current.ambiguous,
    restorableUntil: fill
      ? effect.restorableUntil
      : update.restorableUntil !== undefined
        ? update.restorableUntil
        : current.restorableUntil,
    // An open item (all that `seen` describes) is never confirmed yet: a confirmation closes it.
    confirmedAt: fill
      ? effect.confirmedAt
      : update.confirmedAt !== undefined
        ? update.confirmedAt
        : (current.confirmedAt ?? null),
    // A fill names the final status the item has, which has no next attempt.
    nextAttemptAt: fill ? null : nextAttemptAfter(current, update),
    updatedAt: update.at,
    position: update.position,
  };
}

/**
 * The plan's items in runs one UPDATE each can write: a batch's outcomes are mostly alike (all DELETED at the same
 * instant). With `checked`, items in a run must also have been alike before, as the UPDATE requires them to still be.
 * Positions ascend, so that a run is a range wherever the items are contiguous.
 */
function alikeRuns(plan: ItemBatchPlan, checked: boolean): AlikeRun[] {
  const runs: AlikeRun[] = [];
  const planned = plan.copyable ? [...plan.items] : [...plan.items].sort(([a], [b]) => a - b);
  let run: AlikeRun | undefined;
  for (const [position, { item, was }] of planned) {
    if (run && sameOutcome(run.item, item) && (!checked || sameState(run.was, was))) run.positions.push(position);
    else {
      run = { item, was, positions: [position] };
      runs.push(run);
    }
  }
  return runs;
}

function sameOutcome(x: ItemRecord, y: ItemRecord): boolean {
  return (
    x.status === y.status &&
    x.ambiguous === y.ambiguous &&
    toMillis(x.restorableUntil) === toMillis(y.restorableUntil) &&
    toMillis(x.confirmedAt) === toMillis(y.confirmedAt) &&
    toMillis(x.nextAttemptAt) === toMillis(y.nextAttemptAt) &&
    x.updatedAt.getTime() === y.updatedAt.getTime() &&
    (x.error === y.error || errorText(x.error) === errorText(y.error))
  );
}

function sameState(p: KnownItem, q: KnownItem): boolean {
  return (
    p.status === q.status &&
    p.attempts === q.attempts &&
    p.ambiguous === q.ambiguous &&
    toMillis(p.restorableUntil) === toMillis(q.restorableUntil)
  );
}
