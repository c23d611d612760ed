import type { VideoProviderV1 } from './video-provider-v1.js';

/**
 * Whether a provider can restore, read in one place by every host: `capabilities.restore` says so and
 * `doRestoreVideo` is there to do it. Either missing means no restore, so the host answers NOT_RESTORABLE itself.
 */
export function restoreSupport(
  provider: Pick<VideoProviderV1, 'capabilities' | 'doRestoreVideo'>,
): false | { windowDays?: number } {
  const declared = provider.capabilities.restore as VideoProviderV1['capabilities']['restore'] | undefined;
  if (declared === false || typeof provider.doRestoreVideo !== 'function') return false;
  return declared ?? {};
}
