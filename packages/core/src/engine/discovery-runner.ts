import type { ItemError, ProviderVideo, VideoPage } from '@unreel/provider-spec';
import type { AccountGate } from '../accounts/account-gate.js';
import type { EventBus } from '../events/event-bus.js';
import { formatVideoId } from '../ids/video-id.js';
import type { OperationRecord } from '../model/operation.js';
import type { DiscoveredPage, NewItem, OperationStore } from '../store/operation-store.js';
import { callWithRetry } from './call-with-retry.js';
import type { DiscoveryWatch } from './discovery-watch.js';
import type { EngineLogger } from './engine-logger.js';
import type { EngineObserver } from './engine-observer.js';
import { toItemError } from './item-error.js';
import { withListedStatuses } from './selection-statuses.js';
import { matchesSelection, selectionFilter } from './video-selection.js';

/** Rounds of the account's retries, all throttled, that one page may take before discovery ends FAILED. */
const MAX_THROTTLED_ROUNDS = 10;

export interface DiscoveryContext {
  /** The journal's own, or fenced by the discovery's lease (see WorkLeases). */
  store: Pick<OperationStore, 'appendDiscovered'>;
  bus: EventBus;
  gates: ReadonlyMap<string, AccountGate>;
  key: string;
  shutdown: AbortSignal;
  /** Aborted once cancelDeletion was journaled (which ended discovery in the same write). */
  cancelled: AbortSignal;
  logger: EngineLogger;
  observer: EngineObserver;
  now: () => Date;
  /** Videos asked for per list call. */
  listPageSize: number;
  watch: DiscoveryWatch;
}

/**
 * A selection operation's discovery: lists its account through the account's gate (the same rate budget as its
 * deletions), page by page from the journaled cursor, keeps the videos that match (checked here whatever the provider
 * filtered), and journals each page's new items with the next cursor in one write (appendDiscovered) before any of
 * them can be deleted; then wakes the account runner. The store decides passes, the cap and the end, so a restart
 * resumes exactly where the journal says. Holds one page at a time.
 */
export async function runDiscovery(context: DiscoveryContext, operation: OperationRecord): Promise<void> {
  const { shutdown, cancelled } = context;
  const selection = operation.selection;
  if (!selection || selection.discovery !== 'DISCOVERING') return;
  const { account: accountName } = selection.selection;
  const gate = context.gates.get(accountName);
  const list = gate?.account.provider.doListVideos?.bind(gate.account.provider);
  if (!gate || !list) {
    const message = gate
      ? `${gate.account.provider.provider} cannot list videos`
      : `Account "${accountName}" is no longer configured`;
    await journal(context, {
      error: { code: gate ? 'UNSUPPORTED' : 'UNKNOWN_ACCOUNT', message, retryable: false },
      at: context.now(),
    });
    return;
  }
  const status: NewItem['status'] = gate.account.deleteDelayMs > 0 ? 'SCHEDULED' : 'PENDING';
  const filter = selectionFilter(selection.selection);
  let { cursor, pass } = selection;
  let quietPass = 1;
  let throttledRounds = 0;
  const stop = AbortSignal.any([shutdown, cancelled]);
  while (!stop.aborted) {
    // The first pass lists while deleting, and deleting shifts the listing under it (offset and page-numbered
    // listings skip what moved up). A pass after it starts once everything journaled so far has been sent, and is
    // quiet: the runner sends nothing until it ends, so the listing holds still and the pass sees every video left.
    // What it finds is deleted after it; the next (quiet) pass, listing only what is left, finds nothing new.
    if (pass > quietPass) {
      await context.watch.untilIdle(stop);
      if (stop.aborted) return;
      context.watch.quiet = true;
      quietPass = pass;
    }
    let page: VideoPage;
    let listed: ProviderVideo[];
    try {
      const request = { ...(cursor === null ? {} : { cursor }), limit: context.listPageSize, filter };
      page = await callWithRetry(gate, 'list', (options) => list(request, options), context);
      // A lookup that fails is a listing that failed: the page is journaled whole, or not at all.
      listed = await withListedStatuses(gate, page.items, selection.selection, context, stop);
    } catch (error) {
      // At shutdown the cursor stays journaled for the next start; a cancel has ended discovery already.
      if (stop.aborted) return;
      const failure: ItemError = toItemError(error, gate.account.provider.provider);
      // A busy provider says nothing about the listing: as for deletions, throttling has a budget of its own before
      // discovery gives up (each round already waited out the account's retries, backing off).
      if (failure.code === 'RATE_LIMITED' && throttledRounds < MAX_THROTTLED_ROUNDS) {
        throttledRounds += 1;
        continue;
      }
      context.logger.warn('selection listing failed; discovery ends', { account: accountName, code: failure.code });
      await journal(context, { error: failure, at: context.now() });
      return;
    }
    if (shutdown.aborted) return;
    throttledRounds = 0;
    const videos: NewItem[] = [];
    for (const video of listed) {
      if (!matchesSelection(video, selection.selection)) continue;
      videos.push({ videoId: formatVideoId(accountName, video.id), account: accountName, nativeId: video.id, status });
    }
    const result = await journal(context, { videos, nextCursor: page.nextCursor ?? null, at: context.now() }, pass);
    const journaled = result.selection;
    if (!journaled || journaled.discovery !== 'DISCOVERING') {
      context.logger.info('selection discovery ended', {
        discovery: journaled?.discovery,
        total: result.total,
        pass: journaled?.pass,
      });
      return;
    }
    ({ cursor, pass } = journaled);
  }
}

/**
 * One page into the journal, its events to subscribers, and the runner woken. When discovery ends with no new item,
 * an empty publish still tells followers to read the operation again: it may have finished in that write.
 */
async function journal(context: DiscoveryContext, page: DiscoveredPage, pass?: number): Promise<OperationRecord> {
  const result = await context.store.appendDiscovered(context.key, page);
  const ended = result.operation.selection?.discovery !== 'DISCOVERING';
  // A quiet pass that ended lets the runner send what it found: it is woken for that even when the last page found
  // nothing.
  const passEnded = result.operation.selection?.pass !== pass;
  if (passEnded) context.watch.quiet = false;
  if (result.events.length > 0 || ended) context.bus.publish(context.key, result.events);
  if (ended) context.watch.end();
  else if (result.events.length > 0 || passEnded) context.watch.changed();
  return result.operation;
}
