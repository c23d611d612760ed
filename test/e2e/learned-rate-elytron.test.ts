import { afterEach, describe, expect, it } from 'vitest';
import type { VideoProviderPluginV1 } from '@unreel/provider-spec';
import elytron from '@unreel/plugin-elytron';
import { startSimulator, type ElytronSimulator } from '@unreel/plugin-elytron/simulator';
import { startFaultProxy, type FaultProxy } from '@unreel/provider-testkit/fault-proxy';
import { runLearnedRate } from '../support/learned-rate-run.js';

let simulator: ElytronSimulator | undefined;
let proxy: FaultProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  await simulator?.close();
  proxy = undefined;
  simulator = undefined;
});

function startRolling(quota: number): Promise<ElytronSimulator> {
  return startSimulator({
    videoCount: 0,
    plan: 'enterprise',
    rateLimit: { limit: quota, windowMs: 1_000, rolling: true },
  });
}

describe('learned rate: Elytron (one id a call), rolling second counted at arrival', () => {
  it(
    'learns a quota of a thirtieth of the configured rate: at most 10% of calls throttled',
    { timeout: 60_000 },
    async () => {
      simulator = await startRolling(10);
      const run = await runLearnedRate({
        plugin: elytron as VideoProviderPluginV1<never>,
        simulator,
        settings: { apiKey: simulator.credentials.apiKey, baseUrl: simulator.url, plan: 'enterprise' },
        requestsPerSecond: 300,
        count: 100,
      });
      expect(run.deleted).toBe(100);
      expect(run.throttled / run.calls).toBeLessThanOrEqual(0.1);
      expect(run.rates[0]).toBeLessThanOrEqual(11);
      expect(run.finalRate).toBeGreaterThanOrEqual(7);
      expect(run.finalRate).toBeLessThanOrEqual(11);
    },
  );

  it(
    'throttles nothing at the configured rate equal to the quota, arrivals jittered by up to 40 ms',
    { timeout: 60_000 },
    async () => {
      simulator = await startRolling(50);
      // Every request held 0-40 ms on its way in (seeded): what network jitter does to calls started exactly a window apart.
      proxy = await startFaultProxy({
        target: simulator.url,
        seed: 16,
        rules: [{ fault: { kind: 'delay', ms: 0, jitterMs: 40, on: 'request' } }],
      });
      const run = await runLearnedRate({
        plugin: elytron as VideoProviderPluginV1<never>,
        simulator,
        settings: { apiKey: simulator.credentials.apiKey, baseUrl: proxy.url, plan: 'enterprise' },
        requestsPerSecond: 50,
        count: 300,
      });
      expect(proxy.counts().delay).toBe(300);
      expect(run).toMatchObject({ calls: 300, throttled: 0, deleted: 300, finalRate: 50, rates: [] });
    },
  );
});
