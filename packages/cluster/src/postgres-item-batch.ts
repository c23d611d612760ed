import {
  applyItemChange,
  isFinalItemStatus,
  itemUpdateEffect,
  nextAttemptAfter,
  unknownItemError,
  type ItemRecord,
  type ItemUpdate,
  type ItemUpdateEffect,
  type ProgressEvent,
} from '@unreel/core';
import type { PoolClient } from 'pg';
import { ITEM_COLUMNS, errorText, toItemRecord, type ItemRow, type OperationState } from './postgres-rows.js';

/**
 * Items at a set of positions ($2, an int array), bounded by its lowest ($3) and highest ($4): the bounds let the
 * planner see a short walk of the primary key even before the table has statistics (a fresh operation of 100,000
 * items), where it would otherwise walk every open item of the operation through items_open.
 */
export const AT_POSITIONS = 'position = ANY($2::int[]) AND position BETWEEN $3 AND $4';

export function positionBounds(positions: readonly number[]): [number, number] {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const position of positions) {
    if (position < low) low = position;
    if (position > high) high = position;
  }
  return positions.length === 0 ? [0, -1] : [low, high];
}

/**
 * recordUpdates inside a write, whose transaction already holds the operation's row (read FOR UPDATE): the items are
 * read and locked in one statement, the updates planned on them in order, and then items, events and the operation
 * (counts, last_sequence, final status) written in one more statement. The operation's row lock is what keeps the
 * sequence gapless: whoever writes events holds it until commit, and an aborted transaction gives its numbers back.
 */
export async function recordItemUpdates(
  client: PoolClient,
  state: OperationState,
  updates: readonly ItemUpdate[],
): Promise<ProgressEvent[]> {
  if (updates.length === 0) return [];
  const positions = [...new Set(updates.map((update) => update.position))];
  const { rows } = await client.query<ItemRow>(
    `SELECT ${ITEM_COLUMNS} FROM items WHERE op_id = $1 AND ${AT_POSITIONS} FOR UPDATE`,
    [state.opId, positions, ...positionBounds(positions)],
  );
  const before = new Map(rows.map((row) => [row.position, toItemRecord(row, state.id)]));
  const plan = planItemBatch(state, updates, before);
  if (plan.items.size === 0) return [];
  await writePlan(client, plan);
  return plan.events;
}

interface ItemBatchPlan {
  /** The operation after the updates. */
  operation: OperationState;
  /** Each item as the updates leave it, by position. */
  items: Map<number, ItemRecord>;
  events: ProgressEvent[];
}

/** Applies the updates, in order, to the items as they were (`before`) and to a copy of the operation. */
function planItemBatch(
  state: OperationState,
  updates: readonly ItemUpdate[],
  before: ReadonlyMap<number, ItemRecord>,
): ItemBatchPlan {
  const operation = { ...state };
  const items = new Map<number, ItemRecord>();
  const events: ProgressEvent[] = [];
  for (const update of updates) {
    const current = items.get(update.position) ?? before.get(update.position);
    if (!current) throw unknownItemError(operation.id, update.position);
    const effect = itemUpdateEffect(current, update);
    if (effect.kind === 'none') continue;
    const item = plannedItem(current, update, effect);
    items.set(update.position, item);
    if (effect.kind === 'fill') continue;
    if (applyItemChange(operation, current.status, item.status)) operation.finishedAt = update.at;
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
  return { operation, items, events };
}

/** The item as an update leaves it: its new status, or (`fill`) the status it had and what it lacked. */
function plannedItem(
  current: ItemRecord,
  update: ItemUpdate,
  effect: Exclude<ItemUpdateEffect, { kind: 'none' }>,
): ItemRecord {
  const fill = effect.kind === 'fill';
  return {
    ...current,
    status: update.status,
    error: fill ? current.error : (update.error ?? null),
    ambiguous: isFinalItemStatus(update.status) ? false : current.ambiguous,
    restorableUntil: fill
      ? effect.restorableUntil
      : update.restorableUntil !== undefined
        ? update.restorableUntil
        : current.restorableUntil,
    confirmedAt: fill
      ? effect.confirmedAt
      : update.confirmedAt !== undefined
        ? update.confirmedAt
        : current.confirmedAt,
    nextAttemptAt: fill ? null : nextAttemptAfter(current, update),
    updatedAt: update.at,
  };
}

/**
 * Items, events and the operation in one statement (one round trip, whatever the batch's size): each table's rows
 * come in as parallel arrays that `unnest` turns back into rows.
 */
async function writePlan(client: PoolClient, plan: ItemBatchPlan): Promise<void> {
  const items = [...plan.items.values()];
  const { events, operation } = plan;
  await client.query(
    `WITH written_items AS (
       UPDATE items SET status = u.status, error = u.error, ambiguous = u.ambiguous,
         restorable_until = u.restorable_until, confirmed_at = u.confirmed_at, next_attempt_at = u.next_attempt_at,
         updated_at = u.updated_at
       FROM unnest($2::int[], $3::text[], $4::text[], $5::bool[], $6::timestamptz[], $7::timestamptz[],
         $8::timestamptz[], $9::timestamptz[])
         AS u (position, status, error, ambiguous, restorable_until, confirmed_at, next_attempt_at, updated_at)
       WHERE items.op_id = $1 AND items.position = u.position AND items.position BETWEEN $30 AND $31
     ), written_events AS (
       INSERT INTO events (op_id, sequence, position, status, error, attempts, restorable_until, confirmed_at,
         next_attempt_at, updated_at, completed, op_status)
       SELECT $1, e.* FROM unnest($10::int[], $11::int[], $12::text[], $13::text[], $14::int[], $15::timestamptz[],
         $16::timestamptz[], $17::timestamptz[], $18::timestamptz[], $19::int[], $20::text[]) AS e
     )
     UPDATE operations SET status = $21, deleted = $22, not_found = $23, failed = $24, restored = $25,
       cancelled = $26, pending = $27, last_sequence = $28, finished_at = $29
     WHERE op_id = $1`,
    [
      operation.opId,
      items.map((item) => item.position),
      items.map((item) => item.status),
      items.map((item) => errorText(item.error)),
      items.map((item) => item.ambiguous),
      items.map((item) => item.restorableUntil),
      items.map((item) => item.confirmedAt),
      items.map((item) => item.nextAttemptAt),
      items.map((item) => item.updatedAt),
      events.map((event) => event.sequence),
      events.map((event) => event.item.position),
      events.map((event) => event.item.status),
      events.map((event) => errorText(event.item.error)),
      events.map((event) => event.item.attempts),
      events.map((event) => event.item.restorableUntil),
      events.map((event) => event.item.confirmedAt),
      events.map((event) => event.item.nextAttemptAt),
      events.map((event) => event.item.updatedAt),
      events.map((event) => event.completed),
      events.map((event) => event.status),
      operation.status,
      operation.deleted,
      operation.notFound,
      operation.failed,
      operation.restored,
      operation.cancelled,
      operation.pending,
      operation.lastSequence,
      operation.finishedAt,
      ...positionBounds(items.map((item) => item.position)),
    ],
  );
}
