import { afterEach, describe, expect, it } from 'vitest';
import type { VideoProviderPluginV1 } from '@unreel/provider-spec';
import aliyunVod from '@unreel/plugin-aliyun-vod';
import { startSimulator, type AliyunVodSimulator } from '@unreel/plugin-aliyun-vod/simulator';
import { runLearnedRate } from '../support/learned-rate-run.js';

// ApsaraVideo documents 30 QPS per account, shared with every RAM user of it: the quota left to unreel is often lower.
const CONFIGURED = 30;
let simulator: AliyunVodSimulator | undefined;

afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function deleteAgainstQuota(quota: number, calls: number) {
  simulator = await startSimulator({ videoCount: 0, rateLimit: { limit: quota, windowMs: 1_000, rolling: true } });
  return runLearnedRate({
    plugin: aliyunVod as VideoProviderPluginV1<never>,
    simulator,
    settings: { ...simulator.credentials, endpoint: simulator.url },
    requestsPerSecond: CONFIGURED,
    // 20 ids a call.
    count: calls * 20,
  });
}

describe('learned rate: ApsaraVideo VOD, a quota below the configured 30 QPS (rolling second, counted at arrival)', () => {
  it('learns a quota of half the configured rate: at most 10% of calls throttled', { timeout: 60_000 }, async () => {
    const run = await deleteAgainstQuota(15, 90);
    expect(run.deleted).toBe(run.total);
    expect(run.throttled / run.calls).toBeLessThanOrEqual(0.1);
    // Lowered at the first throttle, to about what the provider accepted, and never above it for long.
    expect(run.rates[0]).toBeGreaterThanOrEqual(10);
    expect(run.rates[0]).toBeLessThanOrEqual(16);
    expect(run.finalRate).toBeGreaterThanOrEqual(12);
    expect(run.finalRate).toBeLessThanOrEqual(16);
  });

  it(
    'learns a quota of a sixth of the configured rate: at most 10% of calls throttled',
    { timeout: 60_000 },
    async () => {
      const run = await deleteAgainstQuota(5, 60);
      expect(run.deleted).toBe(run.total);
      expect(run.throttled / run.calls).toBeLessThanOrEqual(0.1);
      expect(run.finalRate).toBeGreaterThanOrEqual(4);
      expect(run.finalRate).toBeLessThanOrEqual(6);
    },
  );
});
