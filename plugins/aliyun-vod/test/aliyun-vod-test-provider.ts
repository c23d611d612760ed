import type { VideoProviderV1 } from '@unreel/provider-spec';
import { CapturingLogger } from '@unreel/provider-testkit';
import aliyunVod, { aliyunVodSettingsSchema, type AliyunVodSettingsInput } from '@unreel/plugin-aliyun-vod';
import type { AliyunVodSimulator } from '@unreel/plugin-aliyun-vod/simulator';

export const logger = new CapturingLogger();

/** A provider created the way the host creates it: settings through the plugin's own schema. */
export function createProvider(settings: AliyunVodSettingsInput): VideoProviderV1 {
  return aliyunVod.create(aliyunVodSettingsSchema.parse(settings), {
    account: 'test',
    fetch: globalThis.fetch,
    logger,
  });
}

export function providerFor(
  simulator: AliyunVodSimulator,
  settings: Partial<AliyunVodSettingsInput> = {},
): VideoProviderV1 {
  return createProvider({
    accessKeyId: simulator.credentials.accessKeyId,
    accessKeySecret: simulator.credentials.accessKeySecret,
    endpoint: simulator.url,
    ...settings,
  });
}
