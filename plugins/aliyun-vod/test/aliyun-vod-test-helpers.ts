import { UnreelProviderError, type CallOptions, type VideoProviderV1 } from '@unreel/provider-spec';
import { CapturingLogger } from '@unreel/provider-testkit';
import aliyunVod, { aliyunVodSettingsSchema, type AliyunVodSettingsInput } from '@unreel/plugin-aliyun-vod';
import type { AliyunVodSimulator } from '@unreel/plugin-aliyun-vod/simulator';
import { expect } from 'vitest';

export const logger = new CapturingLogger();

export function callOptions(): CallOptions {
  return { signal: AbortSignal.timeout(15_000), attempt: 1 };
}

/** A provider created the way the host creates it: settings through the plugin's own schema. */
export function createProvider(settings: AliyunVodSettingsInput): VideoProviderV1 {
  return aliyunVod.create(aliyunVodSettingsSchema.parse(settings), { account: 'test', fetch: globalThis.fetch, logger });
}

export function providerFor(simulator: AliyunVodSimulator, settings: Partial<AliyunVodSettingsInput> = {}): VideoProviderV1 {
  return createProvider({
    accessKeyId: simulator.credentials.accessKeyId,
    accessKeySecret: simulator.credentials.accessKeySecret,
    endpoint: simulator.url,
    ...settings,
  });
}

export async function rejection(promise: Promise<unknown>): Promise<UnreelProviderError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, 'the call should have thrown').toBeDefined();
  expect(UnreelProviderError.isInstance(error), `expected an UnreelProviderError, got ${String(error)}`).toBe(true);
  return error as UnreelProviderError;
}

/** Every way a credential could leak out of an error. */
export function errorText(error: Error): string {
  return `${error.message}\n${error.stack ?? ''}\n${JSON.stringify(error)}`;
}
