import type { VideoProviderPluginV1 } from '@unreel/provider-spec';
import type { RunningSimulator } from '@unreel/provider-kit/simulator';
import aliyunVod from '@unreel/plugin-aliyun-vod';
import { startSimulator as startAliyunVod } from '@unreel/plugin-aliyun-vod/simulator';
import apiVideo from '@unreel/plugin-api-video';
import { startSimulator as startApiVideo } from '@unreel/plugin-api-video/simulator';
import elytron from '@unreel/plugin-elytron';
import { startSimulator as startElytron } from '@unreel/plugin-elytron/simulator';
import omegastream from '@unreel/plugin-omegastream';
import { startSimulator as startOmegastream } from '@unreel/plugin-omegastream/simulator';
import { fmt } from './measure.js';
import { deleteThroughSimulator } from './simulator-operation.js';

const ITEMS = 1_000;

interface ProviderCase {
  name: string;
  plugin: VideoProviderPluginV1<never>;
  /** The documented limit, in the provider's own window, and the window the run uses instead. */
  documented: string;
  rate: { limit: number; windowMs: number };
  start(rate: { limit: number; windowMs: number }): Promise<RunningSimulator>;
  settings(simulator: RunningSimulator): Record<string, unknown>;
}

// Per-minute limits run with a one-second window: the same limit per window, sixty times shorter, so the run takes
// seconds and the ratio to the floor is unchanged.
const cases: ProviderCase[] = [
  {
    name: 'omegastream',
    plugin: omegastream as VideoProviderPluginV1<never>,
    documented: 'none documented; the simulator assumes 10/s; 50 ids per call',
    rate: { limit: 10, windowMs: 1_000 },
    start: (rate) => startOmegastream({ videoCount: 0, rateLimit: rate }),
    settings: (simulator) => ({ apiKey: simulator.credentials['apiKey'], baseUrl: simulator.url }),
  },
  {
    name: 'api-video',
    plugin: apiVideo as VideoProviderPluginV1<never>,
    documented: '200 writes/min (production), run as 200 per second',
    rate: { limit: 200, windowMs: 1_000 },
    start: (rate) =>
      startApiVideo({ videoCount: 0, rateLimit: { limit: rate.limit, readLimit: 500, windowMs: rate.windowMs } }),
    settings: (simulator) => ({ apiKey: simulator.credentials['apiKey'], baseUrl: simulator.url }),
  },
  {
    name: 'elytron',
    plugin: elytron as VideoProviderPluginV1<never>,
    documented: 'Pro plan 100/min, run as 100 per second',
    rate: { limit: 100, windowMs: 1_000 },
    start: (rate) => startElytron({ videoCount: 0, plan: 'pro', rateLimit: rate }),
    settings: (simulator) => ({ apiKey: simulator.credentials['apiKey'], baseUrl: simulator.url, plan: 'pro' }),
  },
  {
    name: 'aliyun-vod',
    plugin: aliyunVod as VideoProviderPluginV1<never>,
    documented: '30 QPS per account, 20 ids per call',
    rate: { limit: 30, windowMs: 1_000 },
    start: (rate) => startAliyunVod({ videoCount: 0, rateLimit: rate }),
    settings: (simulator) => ({
      accessKeyId: simulator.credentials['accessKeyId'],
      accessKeySecret: simulator.credentials['accessKeySecret'],
      endpoint: simulator.url,
    }),
  },
];

async function runCase(entry: ProviderCase): Promise<void> {
  const simulator = await entry.start(entry.rate);
  try {
    const requestsPerSecond = entry.rate.limit / (entry.rate.windowMs / 1_000);
    const { ms, done, provider, nativeIds } = await deleteThroughSimulator({
      plugin: entry.plugin,
      settings: entry.settings(simulator),
      simulator,
      items: ITEMS,
      limits: { requestsPerSecond },
    });

    const calls = Math.ceil(ITEMS / provider.capabilities.maxBatchSize);
    // Two floors: calls / rate (the issue's), and the tighter one a window limit really implies, where the first
    // window's budget goes at once and only the windows after it must be waited for.
    const floorMs = (calls / requestsPerSecond) * 1_000;
    const windowFloorMs = (Math.ceil(calls / entry.rate.limit) - 1) * entry.rate.windowMs;
    const served = simulator.calls();
    // No faults are injected, so every refused answer here is the rate limit speaking.
    const throttled = served.filter((call) => call.status === 429 || call.status === 503).length;
    const gone = nativeIds.filter((id) => simulator.stateOf(id) !== 'PRESENT').length;
    console.log(
      `${entry.name.padEnd(12)} ${fmt(calls).padStart(5)} calls  ${fmt(ms).padStart(6)} ms  floor ${fmt(floorMs).padStart(6)} ms ` +
        `(ratio ${fmt(ms / floorMs, 2)}x)  window floor ${fmt(windowFloorMs).padStart(6)} ms (ratio ${fmt(ms / Math.max(windowFloorMs, 1), 2)}x)  ` +
        `throttled ${throttled}  deleted ${done.deleted}/${ITEMS} (at the provider: ${gone})  failed ${done.failed}   [${entry.documented}]`,
    );
  } finally {
    await simulator.close();
  }
}

/**
 * 1,000 deletions per provider simulator at its documented rate limit, through the real engine and plugin over HTTP:
 * the time against the floor that limit implies (calls / rate), and how many answers were throttled.
 */
export async function runProviderThroughput(): Promise<void> {
  console.log(
    `\n## provider-throughput: ${fmt(ITEMS)} deletions per simulator at its rate limit (target <= 1.15x the floor, 0 throttled)`,
  );
  for (const entry of cases) await runCase(entry);
}
