import { redactProviderError } from '@unreel/provider-kit';
import {
  UnreelProviderError,
  type DeleteOutcome,
  type ItemError,
  type RestoreOutcome,
  type VideoProviderV1,
} from '@unreel/provider-spec';
import type { Logger } from 'pino';
import type { SecretRegistry } from '../logging/secret-registry.js';

/**
 * The provider as the engine sees it: whatever a plugin puts in an error (an echoed API key, a signed URL), the
 * secrets of every account are gone from it before it reaches the journal, a log line or a response. Redacting at
 * this one boundary is what makes "nowhere downstream" true without every consumer remembering to.
 *
 * What comes out is always an UnreelProviderError of our own making (never the plugin's error, rewritten): a
 * failure the plugin did not describe is one whose effect at the provider is unknown, and the engine retries it as
 * such. Only the host's own abort reason (shutdown) goes through as it is: it is ours, and says what happened.
 */
export function redactingProvider(
  provider: VideoProviderV1,
  secrets: SecretRegistry,
  logger: Pick<Logger, 'warn'>,
): VideoProviderV1 {
  const guard = <T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> =>
    call().catch((error: unknown) => {
      if (signal?.aborted && error === signal.reason && !isTimeout(error)) throw error;
      const redacted = redactProviderError(error, secrets, provider.provider);
      // The engine sees a provider error from here on, so this is the one place that can say the plugin broke its
      // contract; the redacted cause holds what it threw.
      if (!UnreelProviderError.isInstance(error)) {
        logger.warn(
          { err: redacted },
          'plugin threw an error that is not an UnreelProviderError; retried as ambiguous',
        );
      }
      throw redacted;
    });
  const restore = provider.doRestoreVideo?.bind(provider);
  const list = provider.doListVideos?.bind(provider);
  const parseWebhook = provider.doParseWebhook?.bind(provider);
  const close = provider.doClose?.bind(provider);
  return {
    specificationVersion: provider.specificationVersion,
    provider: provider.provider,
    capabilities: provider.capabilities,
    doDeleteVideos: (ids, options) =>
      guard(
        async () => (await provider.doDeleteVideos(ids, options)).map((outcome) => redactOutcome(outcome, secrets)),
        options.signal,
      ),
    doGetVideos: (ids, options) => guard(() => provider.doGetVideos(ids, options), options.signal),
    ...(restore
      ? {
          doRestoreVideo: (id, options) =>
            guard(async () => redactOutcome(await restore(id, options), secrets), options.signal),
        }
      : {}),
    ...(list ? { doListVideos: (page, options) => guard(() => list(page, options), options.signal) } : {}),
    ...(parseWebhook ? { doParseWebhook: (request) => guard(async () => parseWebhook(request)) } : {}),
    ...(close ? { doClose: () => guard(close) } : {}),
  };
}

function redactOutcome<T extends DeleteOutcome | RestoreOutcome>(outcome: T, secrets: SecretRegistry): T {
  if (outcome.status !== 'FAILED') return outcome;
  return { ...outcome, error: redactItemError(outcome.error, secrets) };
}

function redactItemError(error: ItemError, secrets: SecretRegistry): ItemError {
  return { ...error, message: secrets.redact(error.message) };
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}
