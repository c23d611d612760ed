import {
  AccountsDocument,
  cancelDeletion,
  deleteWithProgress,
  requestGraphQL,
  RestoreVideoDocument,
  UnreelClientError,
  VideosDocument,
  watchDeletion,
  type DeletionOutcome,
  type DeletionProgressEvent,
  type RetryInfo,
} from '@unreel/client';
import { loadShown, operationInUrl, saveShown, setOperationInUrl, type ShownEvent } from './resume-store.js';

// `?api=http://127.0.0.1:4000/graphql` talks to the server directly (cross-origin: the server must allow this page's
// origin); by default the page's own /graphql, which the Vite dev server (or `vite preview`) proxies to unreel.
const url = new URLSearchParams(location.search).get('api') ?? '/graphql';

const $ = <T extends HTMLElement>(testId: string): T => {
  const element = document.querySelector<T>(`[data-testid="${testId}"]`);
  if (!element) throw new Error(`the page has no ${testId}`);
  return element;
};
const ui = {
  endpoint: $('endpoint'),
  account: $<HTMLSelectElement>('account'),
  refresh: $<HTMLButtonElement>('reload-list'),
  videos: $<HTMLTableSectionElement>('videos'),
  remove: $<HTMLButtonElement>('delete'),
  cancel: $<HTMLButtonElement>('cancel'),
  operation: $('operation'),
  operationId: $('operation-id'),
  progress: $<HTMLProgressElement>('progress'),
  progressText: $('progress-text'),
  connection: $('connection'),
  result: $('result'),
  events: $<HTMLOListElement>('events'),
  error: $('error'),
};

let running: { operationId: string; stop: AbortController } | undefined;
let shown: ShownEvent[] = [];

function showError(error: unknown): void {
  ui.error.textContent = UnreelClientError.isInstance(error)
    ? `${error.code}${error.field ? ` (${error.field})` : ''}: ${error.message}`
    : String(error);
}

async function loadAccounts(): Promise<void> {
  const { accounts } = await requestGraphQL({ url, document: AccountsDocument, variables: {}, retry: {} });
  ui.account.replaceChildren(
    ...accounts.map((account) => new Option(`${account.name} (${account.provider})`, account.name)),
  );
}

async function loadVideos(): Promise<void> {
  const { videos } = await requestGraphQL({
    url,
    document: VideosDocument,
    variables: { account: ui.account.value, first: 24 },
    retry: {},
  });
  ui.videos.replaceChildren(
    ...videos.edges.map(({ node }) => {
      const row = document.createElement('tr');
      row.dataset.videoId = node.id;
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: node.id });
      box.disabled = node.status === 'DELETED';
      box.addEventListener('change', updateButtons);
      row.append(cell(box), cell(node.id), cell(node.title ?? ''), cell(node.status));
      return row;
    }),
  );
  updateButtons();
}

function cell(content: Node | string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.append(content);
  return td;
}

function selectedIds(): string[] {
  return [...ui.videos.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map((box) => box.value);
}

function updateButtons(): void {
  ui.remove.disabled = running !== undefined || selectedIds().length === 0;
  ui.cancel.disabled = running === undefined;
}

function startShowing(operationId: string, restored: ShownEvent[]): void {
  shown = restored;
  ui.operation.hidden = false;
  ui.operationId.textContent = operationId;
  ui.result.textContent = '';
  ui.connection.textContent = '';
  ui.error.textContent = '';
  ui.events.replaceChildren(...restored.map(eventRow));
}

function eventRow(event: ShownEvent): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.sequence = String(event.sequence);
  item.dataset.videoId = event.videoId;
  item.dataset.status = event.status;
  item.textContent = `#${event.sequence} ${event.videoId} ${event.status}${event.error ? ` (${event.error})` : ''}`;
  if (event.status === 'DELETED') {
    const restore = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Restore' });
    restore.dataset.testid = 'restore';
    restore.addEventListener('click', () => void restoreVideo(event, item));
    item.append(' ', restore);
  }
  return item;
}

function onProgress(operationId: string, event: DeletionProgressEvent): void {
  const entry: ShownEvent = {
    sequence: event.sequence,
    videoId: event.item.videoId,
    status: event.item.status,
    error: event.item.error?.code ?? null,
  };
  shown.push(entry);
  saveShown(operationId, shown);
  ui.events.append(eventRow(entry));
  ui.progress.max = event.total;
  ui.progress.value = event.completed;
  ui.progressText.textContent = `${event.completed} / ${event.total}`;
  ui.connection.textContent = '';
}

function onRetry(info: RetryInfo): void {
  ui.connection.textContent = `reconnecting (attempt ${info.attempt}, ${info.error.code}${
    info.error.closeCode ? ` ${info.error.closeCode}` : ''
  }) in ${Math.round(info.delayMs)} ms`;
}

async function follow(operationId: string, run: (signal: AbortSignal) => Promise<DeletionOutcome>): Promise<void> {
  const stop = new AbortController();
  running = { operationId, stop };
  updateButtons();
  try {
    const { result } = await run(stop.signal);
    ui.progress.max = Math.max(result.total, 1);
    ui.progress.value = result.total - result.pending;
    ui.progressText.textContent = `${result.total - result.pending} / ${result.total}`;
    ui.result.textContent = `${result.status}: ${result.deleted} deleted, ${result.notFound} not found, ${result.failed} failed, ${result.cancelled > 0 ? `${result.cancelled} cancelled, ` : ''}${result.total} in all`;
    ui.result.dataset.status = result.status;
    ui.connection.textContent = '';
    await loadVideos();
  } catch (error) {
    showError(error);
  } finally {
    running = undefined;
    updateButtons();
  }
}

async function deleteSelected(): Promise<void> {
  const ids = selectedIds();
  let operationId = '';
  await follow('', (signal) =>
    deleteWithProgress({
      url,
      ids,
      signal,
      onStart: (id) => {
        operationId = id;
        if (running) running.operationId = id;
        setOperationInUrl(id);
        startShowing(id, []);
      },
      onProgress: (event) => onProgress(operationId, event),
      onRetry,
    }),
  );
}

/** After a reload: the list as it was shown, then only the events after it. */
async function resume(operationId: string): Promise<void> {
  const restored = loadShown(operationId);
  startShowing(operationId, restored);
  await follow(operationId, (signal) =>
    watchDeletion({
      url,
      operationId,
      after: restored.at(-1)?.sequence ?? 0,
      signal,
      onProgress: (event) => onProgress(operationId, event),
      onRetry,
    }),
  );
}

async function cancel(): Promise<void> {
  if (!running) return;
  try {
    await cancelDeletion({ url, operationId: running.operationId });
  } catch (error) {
    showError(error);
  }
}

async function restoreVideo(event: ShownEvent, item: HTMLLIElement): Promise<void> {
  try {
    const { restoreVideo: outcome } = await requestGraphQL({
      url,
      document: RestoreVideoDocument,
      variables: { id: event.videoId },
      retry: {},
    });
    item.dataset.restored = outcome.restored ? 'yes' : 'no';
    item.querySelector('button')?.remove();
    item.append(outcome.restored ? ' restored' : ` not restored: ${outcome.error?.code ?? ''}`);
    await loadVideos();
  } catch (error) {
    showError(error);
  }
}

ui.endpoint.textContent = `API: ${url}`;
ui.remove.addEventListener('click', () => void deleteSelected());
ui.cancel.addEventListener('click', () => void cancel());
ui.refresh.addEventListener('click', () => void loadVideos().catch(showError));
ui.account.addEventListener('change', () => void loadVideos().catch(showError));

try {
  await loadAccounts();
  await loadVideos();
  document.body.dataset.ready = 'yes';
  const pending = operationInUrl();
  if (pending) await resume(pending);
} catch (error) {
  showError(error);
}
