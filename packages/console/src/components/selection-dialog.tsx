import type { RefObject } from 'preact';
import { useState } from 'preact/hooks';
import {
  SelectVideosDocument,
  type SelectVideosQuery,
  type VideoSelectionInput,
  type VideoStatus,
} from '@unreel/client';
import { describeError, query } from '../api.js';
import { formatDate } from '../format.js';
import { undoNotice, type Account } from '../undo-notice.js';
import { ErrorLine } from './error-line.js';

const STATUSES: VideoStatus[] = ['READY', 'PROCESSING', 'FAILED', 'UNKNOWN'];
/** Matching videos shown before the confirmation: enough to recognise what is about to go. */
const SAMPLE = 5;

type Preview = SelectVideosQuery['selectVideos'] & { selection: VideoSelectionInput };

/** A date field's `2026-01-01` as the instant the server compares with: midnight UTC, as the field's label says. */
const instantOf = (day: string): string => `${day}T00:00:00.000Z`;

/**
 * "Delete all matching…": a selection of one account (status, created before, created after), previewed with
 * `selectVideos` (its count, "at least" when the server stopped listing at its bound, and a sample), then confirmed
 * with what cannot be undone and a maximum (the count by default, at most the server's maxIdsPerOperation). Nothing is
 * deleted before the confirmation; `onConfirm` starts the deletion.
 */
export function SelectionDialog(props: {
  dialog: RefObject<HTMLDialogElement | null>;
  account: Account;
  maxIds: number | null;
  onConfirm: (selection: VideoSelectionInput, maxItems: number) => void;
}) {
  const { dialog, account, maxIds, onConfirm } = props;
  const [status, setStatus] = useState<VideoStatus | ''>('');
  const [before, setBefore] = useState('');
  const [after, setAfter] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [maxItems, setMaxItems] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const selection: VideoSelectionInput = {
    account: account.name,
    ...(status ? { status: [status] } : {}),
    ...(before ? { createdBefore: instantOf(before) } : {}),
    ...(after ? { createdAfter: instantOf(after) } : {}),
  };
  // A preview answers for the filters it was asked with: changing one asks again before anything can be deleted.
  const current = preview !== null && JSON.stringify(preview.selection) === JSON.stringify(selection);
  const limit = Number(maxItems);
  const limitValid = Number.isInteger(limit) && limit >= 1 && (maxIds === null || limit <= maxIds);

  const runPreview = async (): Promise<void> => {
    setBusy(true);
    setError('');
    try {
      const { selectVideos } = await query(SelectVideosDocument, { selection, sample: SAMPLE });
      setPreview({ ...selectVideos, selection });
      const ceiling = maxIds ?? selectVideos.count;
      setMaxItems(String(Math.max(1, Math.min(selectVideos.count, ceiling))));
    } catch (failure) {
      setPreview(null);
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  const filterChanged = (): void => setPreview(null);

  return (
    <dialog ref={dialog} data-testid="selection-dialog" aria-labelledby="selection-title">
      <h2 id="selection-title">Delete all matching videos of {account.name}</h2>
      <div class="toolbar">
        <label>
          Status
          <select
            data-testid="selection-status"
            value={status}
            onChange={(event) => {
              setStatus(event.currentTarget.value as VideoStatus | '');
              filterChanged();
            }}
          >
            <option value="">Any</option>
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        <label>
          Created after (UTC)
          <input
            type="date"
            data-testid="selection-after"
            value={after}
            onInput={(event) => {
              setAfter(event.currentTarget.value);
              filterChanged();
            }}
          />
        </label>
        <label>
          Created before (UTC)
          <input
            type="date"
            data-testid="selection-before"
            value={before}
            onInput={(event) => {
              setBefore(event.currentTarget.value);
              filterChanged();
            }}
          />
        </label>
        <button type="button" data-testid="selection-preview" disabled={busy} onClick={() => void runPreview()}>
          {busy ? 'Counting…' : 'Count matching'}
        </button>
      </div>
      <ErrorLine message={error} testId="selection-error" />
      {current && preview && (
        <div data-testid="selection-result" data-count={preview.count} data-complete={String(preview.complete)}>
          <p class="status-line" data-testid="selection-count">
            {preview.complete
              ? `${preview.count} videos match.`
              : `At least ${preview.count} videos match (the server stopped counting at its limit).`}
          </p>
          {preview.sample.length > 0 && (
            <ul class="sample" data-testid="selection-sample">
              {preview.sample.map((video) => (
                <li key={video.id} data-video-id={video.id}>
                  <code>{video.nativeId}</code> {video.title ?? ''} · {video.status} · {formatDate(video.createdAt)}
                </li>
              ))}
            </ul>
          )}
          <p data-testid="selection-undo-notice">{undoNotice(account)}</p>
          <label>
            Delete at most
            <input
              type="number"
              min={1}
              max={maxIds ?? undefined}
              data-testid="selection-max-items"
              value={maxItems}
              onInput={(event) => setMaxItems(event.currentTarget.value)}
            />
            {maxIds !== null && <span class="hint"> (the server takes at most {maxIds})</span>}
          </label>
        </div>
      )}
      <div class="actions">
        <button type="button" onClick={() => dialog.current?.close()}>
          Keep them
        </button>
        <button
          type="button"
          class="danger"
          data-testid="selection-confirm"
          disabled={!current || preview === null || preview.count === 0 || !limitValid}
          onClick={() => {
            dialog.current?.close();
            onConfirm(selection, limit);
          }}
        >
          Delete {current && preview && limitValid ? `up to ${limit}` : ''} matching
        </button>
      </div>
    </dialog>
  );
}
