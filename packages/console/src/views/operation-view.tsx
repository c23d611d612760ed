import { useState } from 'preact/hooks';
import { ErrorLine } from '../components/error-line.js';
import { ProgressBar } from '../components/progress-bar.js';
import { formatDate } from '../format.js';
import {
  cancelOperation,
  isFinalItem,
  openOperation,
  restorableIds,
  retryableFailedIds,
  startDeletion,
  undoOperation,
  type OperationState,
} from '../operation-store.js';
import { hrefOf, navigate } from '../router.js';

/** Rows per page of the item list: a 10,000-id operation stays as quick to redraw as a small one. */
const ROWS = 200;

function perAccount(state: OperationState): { account: string; done: number; total: number }[] {
  const counts = new Map<string, { done: number; total: number }>();
  for (const id of state.order) {
    const item = state.items.get(id);
    if (!item) continue;
    const count = counts.get(item.account) ?? { done: 0, total: 0 };
    count.total += 1;
    if (isFinalItem(item.status)) count.done += 1;
    counts.set(item.account, count);
  }
  return [...counts].map(([account, count]) => ({ account, ...count }));
}

export function OperationView(props: { operationId: string }) {
  const state = openOperation(props.operationId).value;
  const [offset, setOffset] = useState(0);
  const running = state.status === 'RUNNING';
  const restorable = restorableIds(state);
  const retryable = retryableFailedIds(state);
  const undoing = state.undo !== null && state.undo.done < state.undo.of;
  const rows = state.order.slice(offset, offset + ROWS);

  return (
    <section aria-labelledby="operation-title" data-testid="operation" data-status={state.status}>
      <p class="crumbs">
        <a href={hrefOf({ view: 'history' })}>History</a> /
      </p>
      <h1 id="operation-title">
        Operation <code data-testid="operation-id">{state.id}</code>
      </h1>
      <p class="status-line">
        <span class={`badge ${state.status}`} data-testid="operation-status">
          {state.status}
        </span>
        {state.discovery && (
          <span class="hint" data-testid="discovery" data-discovery={state.discovery}>
            {' '}
            {describeDiscovery(state.discovery)}
          </span>
        )}
        {state.result && (
          <span class="hint" data-testid="result">
            {' '}
            {state.result.deleted} deleted, {state.result.notFound} not found, {state.result.failed} failed,{' '}
            {state.result.cancelled} cancelled, {state.result.restored} restored · finished{' '}
            {formatDate(state.result.finishedAt)}
          </span>
        )}
      </p>
      <ProgressBar
        label="All accounts"
        done={state.completed}
        total={state.total}
        testId="overall-bar"
        discovering={state.discovery === 'DISCOVERING'}
      />
      <div class="account-bars">
        {perAccount(state).map((account) => (
          <ProgressBar
            key={account.account}
            label={account.account}
            done={account.done}
            total={account.total}
            testId="account-bar"
            discovering={state.discovery === 'DISCOVERING'}
          />
        ))}
      </div>
      <div class="toolbar">
        <button
          type="button"
          class="danger"
          data-testid="cancel"
          disabled={!running}
          onClick={() => void cancelOperation(state.id)}
        >
          Cancel
        </button>
        <button
          type="button"
          data-testid="undo"
          disabled={running || undoing || restorable.length === 0}
          onClick={() => void undoOperation(state.id)}
        >
          Undo ({restorable.length} restorable)
        </button>
        <button
          type="button"
          data-testid="retry-failed"
          disabled={running || retryable.length === 0}
          onClick={() => navigate({ view: 'operation', operationId: startDeletion(retryable) })}
        >
          Retry failed ({retryable.length})
        </button>
      </div>
      <p class="status-line" data-testid="connection" aria-live="polite">
        {state.connection}
        {state.undo &&
          ` Undo: ${state.undo.done} / ${state.undo.of} restored or refused${state.undo.failed ? ` (${state.undo.failed} refused)` : ''}`}
      </p>
      <ErrorLine message={state.error} />
      <div class="scroll">
        <table data-testid="items">
          <thead>
            <tr>
              <th scope="col">Video</th>
              <th scope="col">Status</th>
              <th scope="col">Error</th>
              <th scope="col">Message</th>
              <th scope="col" class="num">
                Attempts
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((id) => {
              const item = state.items.get(id);
              if (!item) return null;
              return (
                <tr key={id} data-video-id={id} data-status={item.status}>
                  <td>
                    <code>{id}</code>
                  </td>
                  <td>
                    <span class={`badge ${item.status}`}>{item.status}</span>
                  </td>
                  <td>{item.errorCode ?? ''}</td>
                  <td class="message">{item.errorMessage ?? ''}</td>
                  <td class="num">{item.attempts}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {state.order.length > ROWS && (
        <div class="pager">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - ROWS))}>
            Previous items
          </button>
          <span class="figures">
            {offset + 1}–{Math.min(offset + ROWS, state.order.length)} of {state.order.length}
          </span>
          <button type="button" disabled={offset + ROWS >= state.order.length} onClick={() => setOffset(offset + ROWS)}>
            Next items
          </button>
        </div>
      )}
    </section>
  );
}

/** A selection's discovery in words; CAPPED says that more videos may match than were taken. */
function describeDiscovery(discovery: NonNullable<OperationState['discovery']>): string {
  switch (discovery) {
    case 'DISCOVERING':
      return 'Discovering matching videos…';
    case 'DONE':
      return 'Every matching video found.';
    case 'CAPPED':
      return 'Stopped at the maximum number of videos: more may match.';
    case 'CANCELLED':
      return 'Discovery cancelled.';
    default:
      return 'Listing failed; what was found is deleted.';
  }
}
