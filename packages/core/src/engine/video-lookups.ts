import type { CallOptions, ListVideosRequest, ProviderVideo, VideoPage } from '@unreel/provider-spec';
import type { AccountGate } from '../accounts/account-gate.js';
import { UnreelError } from '../errors/unreel-error.js';
import { callWithRetry, type RetryContext } from './call-with-retry.js';

/**
 * Videos by native id, in order (null where the provider has none), in as few calls as the provider allows. `signal`:
 * the caller gave up (its HTTP request went away), so the calls are aborted too.
 */
export async function getVideos(
  gate: AccountGate,
  nativeIds: readonly string[],
  context: RetryContext,
  signal?: AbortSignal,
): Promise<(ProviderVideo | null)[]> {
  const { provider } = gate.account;
  const size = Math.max(1, provider.capabilities.maxLookupBatchSize ?? 1);
  const chunks: string[][] = [];
  for (let start = 0; start < nativeIds.length; start += size) chunks.push(nativeIds.slice(start, start + size));
  const results = await Promise.all(
    chunks.map((chunk) =>
      callWithRetry(gate, 'get', (options) => provider.doGetVideos(chunk, withSignal(options, signal)), context),
    ),
  );
  return results.flat();
}

/** One page of the account's videos, for providers that can list them. */
export async function listVideos(
  gate: AccountGate,
  page: ListVideosRequest,
  context: RetryContext,
  signal?: AbortSignal,
): Promise<VideoPage> {
  const { provider } = gate.account;
  const list = provider.doListVideos?.bind(provider);
  if (!list) throw new UnreelError('UNSUPPORTED', `${provider.provider} cannot list videos`);
  return callWithRetry(gate, 'list', (options) => list(page, withSignal(options, signal)), context);
}

function withSignal(options: CallOptions, signal: AbortSignal | undefined): CallOptions {
  return signal ? { ...options, signal: AbortSignal.any([options.signal, signal]) } : options;
}
