import { OperationExistsError } from '../../errors/operation-exists-error.js';
import { operationKey, type OperationRecord } from '../../model/operation.js';
import type { NewOperation } from '../operation-store.js';
import { selectionText, toOperationRecord } from './sqlite-rows.js';
import type { SqliteStatements } from './sqlite-statements.js';

/** Items handed to SQLite at once when journaling a new operation: bounds the JSON text built for them. */
const INSERT_CHUNK = 5_000;

type NewItem = NewOperation['items'][number];

/** Items alike in status, at consecutive positions from `first`. */
interface ItemRun {
  first: number;
  status: NewItem['status'];
  videoIds: string[];
}

/**
 * createOperation inside a write: the operation, then its items in runs alike in status, each one JSON text of video
 * ids that SQLite reads itself (the cheapest way in).
 */
export function insertOperation(statements: SqliteStatements, operation: NewOperation): OperationRecord {
  const key = operationKey(operation.tenant, operation.id);
  if (statements.operationByKey.get(key)) throw new OperationExistsError(`Operation ${operation.id} already exists`);
  const runs = itemRuns(operation.items);
  const createdAt = operation.createdAt.getTime();
  const row = statements.insertOperation.get({
    key,
    tenant: operation.tenant,
    id: operation.id,
    fingerprint: operation.fingerprint,
    accounts: JSON.stringify([
      ...new Set([
        ...(operation.selection ? [operation.selection.selection.account] : []),
        ...operation.items.map((item) => item.account),
      ]),
    ]),
    total: operation.items.length,
    createdAt,
    whenBlocked: operation.whenBlocked ?? null,
    selection: operation.selection ? selectionText(operation.selection) : null,
  });
  if (!row) throw new Error(`Operation ${operation.id} was not journaled`);
  insertItemRuns(statements, row.op_id, runs, createdAt);
  return toOperationRecord(row);
}

/** Items at consecutive positions from `first` (what appendDiscovered also writes with). */
export function insertItems(
  statements: SqliteStatements,
  opId: number,
  items: readonly NewItem[],
  first: number,
  at: number,
): void {
  insertItemRuns(statements, opId, itemRuns(items, first), at);
}

function insertItemRuns(statements: SqliteStatements, opId: number, runs: readonly ItemRun[], at: number): void {
  for (const run of runs) {
    statements.insertItems.run({
      opId,
      first: run.first,
      status: run.status,
      at,
      videoIds: JSON.stringify(run.videoIds),
    });
  }
}

function itemRuns(items: readonly NewItem[], first = 0): ItemRun[] {
  const runs: ItemRun[] = [];
  let run: ItemRun | undefined;
  for (const [index, item] of items.entries()) {
    const position = first + index;
    assertVideoId(item);
    if (!run || run.status !== item.status || run.videoIds.length === INSERT_CHUNK) {
      run = { first: position, status: item.status, videoIds: [] };
      runs.push(run);
    }
    run.videoIds.push(item.videoId);
  }
  return runs;
}

/** Items keep only the video id, and account and native id are read back from it: it must hold both. */
function assertVideoId({ videoId, account, nativeId }: NewItem): void {
  if (
    videoId.length !== account.length + 1 + nativeId.length ||
    videoId.charCodeAt(account.length) !== 58 ||
    !videoId.startsWith(account) ||
    !videoId.endsWith(nativeId)
  ) {
    throw new Error(
      `Video id ${JSON.stringify(videoId)} is not "<account>:<native id>" for account ${JSON.stringify(account)}`,
    );
  }
}
