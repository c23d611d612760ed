import { useEffect, useState } from 'preact/hooks';
import { AccountsDocument, DeletionsDocument, type AccountsQuery, type DeletionsQuery } from '@unreel/client';
import { apiKey, describeError, query } from '../api.js';
import { ErrorLine } from '../components/error-line.js';
import { ProgressBar } from '../components/progress-bar.js';
import { formatDate } from '../format.js';
import { hrefOf } from '../router.js';

/** How often the running operations are read again while this view is open. */
const RUNNING_REFRESH_MS = 2_000;

type Running = DeletionsQuery['deletions']['edges'][number]['node'];

export function AccountsView() {
  const [accounts, setAccounts] = useState<AccountsQuery['accounts'] | null>(null);
  const [running, setRunning] = useState<Running[]>([]);
  const [error, setError] = useState('');
  const key = apiKey.value;

  useEffect(() => {
    const stop = new AbortController();
    query(AccountsDocument, {}, stop.signal).then(
      (data) => {
        setAccounts(data.accounts);
        setError('');
      },
      (failure: unknown) => stop.signal.aborted || setError(describeError(failure)),
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = (): void => {
      query(DeletionsDocument, { status: 'RUNNING', first: 20 }, stop.signal)
        .then(
          (data) => setRunning(data.deletions.edges.map((edge) => edge.node)),
          () => undefined,
        )
        .finally(() => {
          if (!stop.signal.aborted) timer = setTimeout(refresh, RUNNING_REFRESH_MS);
        });
    };
    refresh();
    return () => {
      stop.abort();
      clearTimeout(timer);
    };
  }, [key]);

  return (
    <section aria-labelledby="accounts-title">
      <h1 id="accounts-title">Accounts</h1>
      <ErrorLine message={error} />
      <div class="scroll">
        <table data-testid="accounts">
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Provider</th>
              <th scope="col" class="num">
                Batch size
              </th>
              <th scope="col" class="num">
                Rate (req/s)
              </th>
              <th scope="col">Restore</th>
              <th scope="col">Delete delay</th>
            </tr>
          </thead>
          <tbody>
            {accounts?.map((account) => (
              <tr key={account.name} data-account={account.name}>
                <th scope="row">
                  <a href={hrefOf({ view: 'videos', account: account.name })}>{account.name}</a>
                </th>
                <td>{account.provider}</td>
                <td class="num">{account.capabilities.maxBatchSize}</td>
                <td class="num">{account.capabilities.requestsPerSecond ?? 'no limit'}</td>
                <td>
                  {account.capabilities.restore
                    ? account.capabilities.restoreWindowDays === null
                      ? 'yes'
                      : `${account.capabilities.restoreWindowDays} days`
                    : 'no (permanent)'}
                </td>
                <td>{account.capabilities.deleteDelay ? 'held first' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Running operations</h2>
      <ul class="running" data-testid="running">
        {running.length === 0 && <li class="hint">None running.</li>}
        {running.map((operation) => (
          <li key={operation.id} data-operation-id={operation.id}>
            <a href={hrefOf({ view: 'operation', operationId: operation.id })}>
              <code>{operation.id}</code>
            </a>{' '}
            <span class="hint">{formatDate(operation.createdAt)}</span>
            <ProgressBar
              label="done"
              done={operation.total - operation.pending}
              total={operation.total}
              testId="running-bar"
            />
          </li>
        ))}
      </ul>
    </section>
  );
}
