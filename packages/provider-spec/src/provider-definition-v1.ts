import { InvalidRequestError } from './errors/invalid-request-error.js';
import type { CallOptions, DeleteOutcome, ProviderCapabilitiesV1, VideoProviderV1 } from './video-provider-v1.js';

/** Capabilities as a plugin may declare them: `maxBatchSize` defaults to 1, `restore` to whether it can restore. */
export type ProviderCapabilitiesDefinitionV1 = Omit<ProviderCapabilitiesV1, 'maxBatchSize' | 'restore'> &
  Partial<Pick<ProviderCapabilitiesV1, 'maxBatchSize' | 'restore'>>;

/** Deletes several ids in one call: the provider has a bulk endpoint (or wants to loop itself). */
interface BatchDeleteDefinition {
  doDeleteVideos(ids: readonly string[], options: CallOptions): Promise<DeleteOutcome[]>;
  doDeleteVideo?: never;
}

/**
 * Deletes one id per call, for providers with one DELETE per video: `definePlugin` gives the host a `doDeleteVideos`
 * that takes one id (`maxBatchSize` 1) and calls this.
 */
interface SingleDeleteDefinition {
  doDeleteVideo(id: string, options: CallOptions): Promise<DeleteOutcome>;
  doDeleteVideos?: never;
}

/**
 * What a plugin's `create` returns under `definePlugin`: a `VideoProviderV1`, or one that leaves out what the plugin
 * already says (`specificationVersion`, `provider`, the capabilities' defaults) and deletes one id at a time.
 */
export type ProviderDefinitionV1 = Omit<
  VideoProviderV1,
  'specificationVersion' | 'provider' | 'capabilities' | 'doDeleteVideos'
> & {
  readonly specificationVersion?: 'v1';
  /** Defaults to the plugin id. */
  readonly provider?: string;
  readonly capabilities?: ProviderCapabilitiesDefinitionV1;
} & (BatchDeleteDefinition | SingleDeleteDefinition);

/**
 * The full `VideoProviderV1` of a definition. A provider that is complete already is returned as it is (the same
 * object, so nothing changes for plugins written in full); one that is not gets a new object around it, its methods
 * bound to it.
 */
export function completeProvider(made: ProviderDefinitionV1, id: string): VideoProviderV1 {
  if (isComplete(made)) return made;
  const single = typeof made.doDeleteVideo === 'function' ? made.doDeleteVideo.bind(made) : undefined;
  const batch = typeof made.doDeleteVideos === 'function' ? made.doDeleteVideos.bind(made) : undefined;
  const provider = made.provider ?? id;
  const maxBatchSize = made.capabilities?.maxBatchSize ?? 1;
  if (!batch && !single) throw new TypeError(`${id}: the provider has neither doDeleteVideos nor doDeleteVideo`);
  if (single && maxBatchSize !== 1) {
    throw new TypeError(
      `${id}: a provider with doDeleteVideo deletes one id per call; capabilities.maxBatchSize must be 1 or left out, got ${maxBatchSize}`,
    );
  }
  const restore = made.doRestoreVideo?.bind(made);
  const list = made.doListVideos?.bind(made);
  const parseWebhook = made.doParseWebhook?.bind(made);
  const close = made.doClose?.bind(made);
  return {
    specificationVersion: 'v1',
    provider,
    capabilities: {
      ...made.capabilities,
      maxBatchSize,
      restore: made.capabilities?.restore ?? (restore ? {} : false),
    },
    doDeleteVideos:
      batch ??
      (async (ids, options) => {
        if (ids.length === 0) return [];
        // A loop over several ids could fail halfway and lose the outcomes of the deletes already done; the host
        // sends one id at a time (maxBatchSize 1), so more is a caller's mistake.
        if (ids.length > 1) {
          throw new InvalidRequestError({
            message: `${provider} deletes one video per call (doDeleteVideo), got ${ids.length} ids`,
          });
        }
        return [await single!(ids[0] as string, options)];
      }),
    doGetVideos: made.doGetVideos.bind(made),
    ...(restore ? { doRestoreVideo: restore } : {}),
    ...(list ? { doListVideos: list } : {}),
    ...(parseWebhook ? { doParseWebhook: parseWebhook } : {}),
    ...(close ? { doClose: close } : {}),
  };
}

function isComplete(made: ProviderDefinitionV1): made is ProviderDefinitionV1 & VideoProviderV1 {
  return (
    made.specificationVersion === 'v1' &&
    typeof made.provider === 'string' &&
    typeof made.doDeleteVideos === 'function' &&
    typeof made.capabilities?.maxBatchSize === 'number' &&
    made.capabilities.restore !== undefined
  );
}
