import { useEffect, useState } from 'preact/hooks';
import { DeletionsDocument, type DeletionsQuery, type OperationStatus } from '@unreel/client';
import { apiKey, describeError, query } from '../api.js';
import { ErrorLine } from '../components/error-line.js';
import { formatDate } from '../format.js';
import { hrefOf } from '../router.js';

const STATUSES: OperationStatus[] = ['RUNNING', 'SUCCEEDED', 'PARTIALLY_FAILED', 'FAILED', 'CANCELLED'];
const PAGE = 20;

type Operation = DeletionsQuery['deletions']['edges'][number]['node'];

export function HistoryView() {
  const [status, setStatus] = useState<OperationStatus | ''>('');
  const [rows, setRows] = useState<Operation[]>([]);
  const [next, setNext] = useState<string | null>(null);
  // Loading from the first render: an empty list is never shown as the answer before the answer came.
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState('');
  const key = apiKey.value;

  const load = (after: string | null, replace: boolean): void => {
    setLoading(true);
    query(DeletionsDocument, { first: PAGE, after, status: status || null }).then(
      ({ deletions }) => {
        const page = deletions.edges.map((edge) => edge.node);
        setRows((shown) => (replace ? page : [...shown, ...page]));
        setNext(deletions.pageInfo.hasNextPage ? deletions.pageInfo.endCursor : null);
        setError('');
        setLoading(false);
      },
      (failure: unknown) => {
        setError(describeError(failure));
        setLoading(false);
      },
    );
  };
  useEffect(() => load(null, true), [status, key]);

  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      <div class="toolbar">
        <label>
          Status
          <select
            data-testid="history-status"
            value={status}
            onChange={(event) => setStatus(event.currentTarget.value as OperationStatus | '')}
          >
            <option value="">All</option>
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => load(null, true)}>
          Refresh
        </button>
      </div>
      <ErrorLine message={error} />
      <div class="scroll">
        <table data-testid="history" data-loading={loading ? 'yes' : 'no'}>
          <thead>
            <tr>
              <th scope="col">Operation</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Total
              </th>
              <th scope="col" class="num">
                Deleted
              </th>
              <th scope="col" class="num">
                Failed
              </th>
              <th scope="col" class="num">
                Cancelled
              </th>
              <th scope="col" class="num">
                Restored
              </th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((operation) => (
              <tr key={operation.id} data-operation-id={operation.id} data-status={operation.status}>
                <th scope="row">
                  <a href={hrefOf({ view: 'operation', operationId: operation.id })}>
                    <code>{operation.id}</code>
                  </a>
                </th>
                <td>
                  <span class={`badge ${operation.status}`}>{operation.status}</span>
                </td>
                <td class="num">{operation.total}</td>
                <td class="num">{operation.deleted}</td>
                <td class="num">{operation.failed}</td>
                <td class="num">{operation.cancelled}</td>
                <td class="num">{operation.restored}</td>
                <td>{formatDate(operation.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && !loading && <p class="hint">No operations{status ? ` with status ${status}` : ''}.</p>}
      {next && (
        <button type="button" disabled={loading} onClick={() => load(next, false)}>
          More
        </button>
      )}
    </section>
  );
}
