import { redactErrorChain } from '@unreel/provider-kit';
import type { DeleteOutcome, ItemError, RestoreOutcome, VideoProviderV1 } from '@unreel/provider-spec';
import type { SecretRegistry } from '../logging/secret-registry.js';

/**
 * The provider as the engine sees it: whatever a plugin puts in an error (an echoed API key, a signed URL), the
 * secrets of every account are gone from it before it reaches the journal, a log line or a response. Redacting at
 * this one boundary is what makes "nowhere downstream" true without every consumer remembering to.
 */
export function redactingProvider(provider: VideoProviderV1, secrets: SecretRegistry): VideoProviderV1 {
  const guard = <T>(call: () => Promise<T>): Promise<T> =>
    call().catch((error: unknown) => {
      throw redactErrorChain(error, secrets);
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
      guard(async () =>
        (await provider.doDeleteVideos(ids, options)).map((outcome) => redactOutcome(outcome, secrets)),
      ),
    doGetVideos: (ids, options) => guard(() => provider.doGetVideos(ids, options)),
    ...(restore
      ? { doRestoreVideo: (id, options) => guard(async () => redactOutcome(await restore(id, options), secrets)) }
      : {}),
    ...(list ? { doListVideos: (page, options) => guard(() => list(page, options)) } : {}),
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
