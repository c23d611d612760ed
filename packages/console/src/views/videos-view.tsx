import { useEffect, useRef, useState } from 'preact/hooks';
import { AccountsDocument, VideosDocument, type VideosQuery, type VideoStatus } from '@unreel/client';
import { apiKey, describeError, query } from '../api.js';
import { ErrorLine } from '../components/error-line.js';
import { SelectionDialog } from '../components/selection-dialog.js';
import { formatDate } from '../format.js';
import { limits } from '../limits.js';
import { startDeletion, startSelectionDeletion } from '../operation-store.js';
import { hrefOf, navigate } from '../router.js';
import { undoNotice, type Account } from '../undo-notice.js';

const PAGE = 100;
const STATUSES: VideoStatus[] = ['READY', 'PROCESSING', 'FAILED', 'DELETED', 'UNKNOWN'];

type Video = VideosQuery['videos']['edges'][number]['node'];

export function VideosView(props: { account: string }) {
  const { account: name } = props;
  const [account, setAccount] = useState<Account | null>(null);
  // The page shown, with the cursor it was read after: until it matches `after`, the rows are the previous page's.
  const [page, setPage] = useState<{ after: string | null; videos: Video[] } | null>(null);
  // The cursor each page was read after: [null] is the first page; the last entry is the page shown.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [next, setNext] = useState<string | null>(null);
  const [filter, setFilter] = useState<VideoStatus | ''>('');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [maxIds, setMaxIds] = useState<number | null>(null);
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const dialog = useRef<HTMLDialogElement>(null);
  const selectionDialog = useRef<HTMLDialogElement>(null);
  const key = apiKey.value;
  const after = cursors.at(-1) ?? null;

  useEffect(() => {
    query(AccountsDocument, {}).then(
      ({ accounts }) => setAccount(accounts.find((candidate) => candidate.name === name) ?? null),
      (failure: unknown) => setError(describeError(failure)),
    );
    limits().then(
      (value) => setMaxIds(value.maxIdsPerOperation),
      () => undefined,
    );
  }, [name, key]);

  useEffect(() => {
    query(VideosDocument, { account: name, first: PAGE, after }).then(
      ({ videos }) => {
        setPage({ after, videos: videos.edges.map((edge) => edge.node) });
        setNext(videos.pageInfo.hasNextPage ? videos.pageInfo.endCursor : null);
        setError('');
      },
      (failure: unknown) => {
        setError(describeError(failure));
        setPage((shown) => ({ after, videos: shown?.after === after ? shown.videos : [] }));
      },
    );
  }, [name, after, key]);

  // Derived in the same render as the page change, so no render shows the new page number over the old rows.
  const loading = page === null || page.after !== after;
  const loaded = loading ? [] : page.videos;
  const shown = filter ? loaded.filter((video) => video.status === filter) : loaded;
  const selectable = shown.filter((video) => video.status !== 'DELETED');
  const pageChecked = selectable.length > 0 && selectable.every((video) => selected.has(video.id));
  const full = maxIds !== null && selected.size >= maxIds;

  const toggle = (ids: readonly string[], on: boolean): void =>
    setSelected((current) => {
      const updated = new Set(current);
      for (const id of ids) {
        if (!on) updated.delete(id);
        else if (maxIds === null || updated.size < maxIds) updated.add(id);
      }
      return updated;
    });

  /** Select all: every video of the account not deleted yet, page after page, up to maxIdsPerOperation. */
  const selectAll = async (): Promise<void> => {
    setBusy('Selecting');
    try {
      const { maxIdsPerOperation, maxPageSize } = await limits();
      const ids = new Set<string>();
      let cursor: string | null = null;
      while (ids.size < maxIdsPerOperation) {
        const result: VideosQuery = await query(VideosDocument, { account: name, first: maxPageSize, after: cursor });
        for (const { node } of result.videos.edges) {
          if (node.status !== 'DELETED' && (!filter || node.status === filter) && ids.size < maxIdsPerOperation)
            ids.add(node.id);
        }
        if (!result.videos.pageInfo.hasNextPage) break;
        cursor = result.videos.pageInfo.endCursor;
      }
      setSelected(ids);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy('');
    }
  };

  const confirmDelete = (): void => {
    dialog.current?.close();
    const operationId = startDeletion([...selected]);
    navigate({ view: 'operation', operationId });
  };

  return (
    <section aria-labelledby="videos-title">
      <p class="crumbs">
        <a href={hrefOf({ view: 'accounts' })}>Accounts</a> /
      </p>
      <h1 id="videos-title">
        Videos of {name}
        {account && <span class="hint"> ({account.provider})</span>}
      </h1>
      <div class="toolbar">
        <label>
          Status
          <select
            data-testid="status-filter"
            value={filter}
            onChange={(event) => setFilter(event.currentTarget.value as VideoStatus | '')}
          >
            <option value="">All loaded</option>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </label>
        <button type="button" data-testid="select-all" disabled={busy !== ''} onClick={() => void selectAll()}>
          Select all{maxIds === null ? '' : ` (up to ${maxIds})`}
        </button>
        <button
          type="button"
          data-testid="clear-selection"
          disabled={selected.size === 0}
          onClick={() => setSelected(new Set())}
        >
          Clear selection
        </button>
        <button
          type="button"
          class="danger"
          data-testid="delete"
          disabled={selected.size === 0 || account === null}
          onClick={() => dialog.current?.showModal()}
        >
          Delete {selected.size} selected
        </button>
        <button
          type="button"
          class="danger"
          data-testid="delete-matching"
          disabled={account === null}
          onClick={() => selectionDialog.current?.showModal()}
        >
          Delete all matching…
        </button>
      </div>
      <p class="status-line" data-testid="selection" data-count={selected.size} aria-live="polite">
        {selected.size} selected{full ? ` (the server takes at most ${maxIds} per operation)` : ''}
        {loading ? ' · Loading videos…' : busy && ` · ${busy}…`}
      </p>
      <ErrorLine message={error} />
      <div class="scroll">
        <table data-testid="videos" data-page={cursors.length} data-loading={loading || busy ? 'yes' : 'no'}>
          <thead>
            <tr>
              <th scope="col" class="check">
                <input
                  type="checkbox"
                  data-testid="select-page"
                  aria-label="Select every video on this page"
                  checked={pageChecked}
                  disabled={loading || selectable.length === 0}
                  onChange={(event) =>
                    toggle(
                      selectable.map((video) => video.id),
                      event.currentTarget.checked,
                    )
                  }
                />
              </th>
              <th scope="col">Video</th>
              <th scope="col">Title</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((video) => (
              <tr key={video.id} data-video-id={video.id} data-status={video.status}>
                <td class="check">
                  <input
                    type="checkbox"
                    value={video.id}
                    aria-label={`Select ${video.id}`}
                    checked={selected.has(video.id)}
                    disabled={video.status === 'DELETED' || (full && !selected.has(video.id))}
                    onChange={(event) => toggle([video.id], event.currentTarget.checked)}
                  />
                </td>
                <td>
                  <code>{video.nativeId}</code>
                </td>
                <td>{video.title ?? ''}</td>
                <td>
                  <span class={`badge ${video.status}`}>{video.status}</span>
                </td>
                <td>{formatDate(video.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <button
          type="button"
          data-testid="previous-page"
          disabled={cursors.length === 1}
          onClick={() => setCursors((list) => list.slice(0, -1))}
        >
          Previous page
        </button>
        <span class="figures">page {cursors.length}</span>
        <button
          type="button"
          data-testid="next-page"
          disabled={loading || next === null || busy !== ''}
          onClick={() => setCursors((list) => [...list, next])}
        >
          Next page
        </button>
      </div>
      <dialog ref={dialog} data-testid="confirm" aria-labelledby="confirm-title">
        <h2 id="confirm-title">
          Delete {selected.size} videos from {name}?
        </h2>
        <p data-testid="undo-notice">{account ? undoNotice(account) : ''}</p>
        <div class="actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            Keep them
          </button>
          <button type="button" class="danger" data-testid="confirm-delete" onClick={confirmDelete}>
            Delete {selected.size}
          </button>
        </div>
      </dialog>
      {account && (
        <SelectionDialog
          dialog={selectionDialog}
          account={account}
          maxIds={maxIds}
          onConfirm={(selection, maxItems) =>
            navigate({ view: 'operation', operationId: startSelectionDeletion(selection, maxItems) })
          }
        />
      )}
    </section>
  );
}
