import { defineProviderConformanceSuite } from '@unreel/provider-testkit';
import aliyunVod, { type AliyunVodSettingsInput } from '@unreel/plugin-aliyun-vod';
import { startSimulator } from '@unreel/plugin-aliyun-vod/simulator';

const variants = [
  { signatureVersion: 'v3', method: 'POST' },
  { signatureVersion: 'v2', method: 'GET' },
] as const;

for (const variant of variants) {
  defineProviderConformanceSuite({
    name: `aliyun-vod provider conformance (signature ${variant.signatureVersion}, ${variant.method})`,
    plugin: aliyunVod,
    // The suite calls faster than 30 per second; the QPS limit has its own tests.
    simulator: () => startSimulator({ videoCount: 20, rateLimit: false }),
    settings: (simulator, { wrongCredentials }): AliyunVodSettingsInput => ({
      accessKeyId: simulator.credentials.accessKeyId,
      accessKeySecret: wrongCredentials ? 'wrong-access-key-secret' : simulator.credentials.accessKeySecret,
      endpoint: simulator.url,
      ...variant,
    }),
    // "Uploading: only deletion allowed" (basic data types): VOD deletes a video in any state.
    inProcessing: 'deleted',
    forbidden: true,
    // Throttling.User carries no Retry-After (none is documented), and the simulator sends none by default.
    throttleSaysWhen: false,
  });
}
