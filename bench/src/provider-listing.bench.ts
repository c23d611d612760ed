import type { VideoFilter, VideoProviderPluginV1, VideoProviderV1 } from '@unreel/provider-spec';
import { videoMatchesFilter } from '@unreel/provider-kit';
import type { RunningSimulator } from '@unreel/provider-kit/simulator';
import aliyunVod from '@unreel/plugin-aliyun-vod';
import { startSimulator as startAliyunVod } from '@unreel/plugin-aliyun-vod/simulator';
import apiVideo from '@unreel/plugin-api-video';
import { startSimulator as startApiVideo } from '@unreel/plugin-api-video/simulator';
import elytron from '@unreel/plugin-elytron';
import { startSimulator as startElytron } from '@unreel/plugin-elytron/simulator';
import omegastream from '@unreel/plugin-omegastream';
import { startSimulator as startOmegastream } from '@unreel/plugin-omegastream/simulator';
import sandbox from '@unreel/plugin-sandbox';
import { fmt } from './measure.js';

const SIMULATED = 20_000;
const SANDBOXED = 100_000;

interface ListingCase {
  name: string;
  videos: number;
  /** The documented rate for reads, in calls per second, to turn calls into the time they take at the provider. */
  rate: { perSecond: number; documented: string };
  /** Starts the library; `close` stops it. */
  start(): Promise<{ provider: VideoProviderV1; close(): Promise<void> }>;
}

const logger = { debug() {}, info() {}, warn() {}, error() {} };

function overHttp(
  plugin: VideoProviderPluginV1<never>,
  start: () => Promise<RunningSimulator>,
  settings: (simulator: RunningSimulator) => Record<string, unknown>,
): ListingCase['start'] {
  return async () => {
    const simulator = await start();
    const parsed = (await plugin.settingsSchema['~standard'].validate(settings(simulator))) as { value: never };
    const provider = plugin.create(parsed.value, { account: 'bench', fetch: globalThis.fetch, logger });
    return { provider, close: () => simulator.close() };
  };
}

const cases: ListingCase[] = [
  {
    name: 'sandbox',
    videos: SANDBOXED,
    rate: { perSecond: Number.POSITIVE_INFINITY, documented: 'in process, no limit' },
    start: async () => {
      const settings = (await sandbox.settingsSchema['~standard'].validate({
        videoCount: SANDBOXED,
        latencyMs: [0, 0],
        processingRatio: 0.04,
        failedRatio: 0.02,
        library: `bench-listing-${process.pid}`,
      })) as { value: never };
      return {
        provider: sandbox.create(settings.value, { account: 'bench', fetch: globalThis.fetch, logger }),
        close: async () => undefined,
      };
    },
  },
  {
    name: 'aliyun-vod',
    videos: SIMULATED,
    rate: { perSecond: 30, documented: '30 QPS' },
    start: overHttp(
      aliyunVod as VideoProviderPluginV1<never>,
      () => startAliyunVod({ videoCount: SIMULATED, rateLimit: false }),
      (simulator) => ({
        accessKeyId: simulator.credentials['accessKeyId'],
        accessKeySecret: simulator.credentials['accessKeySecret'],
        endpoint: simulator.url,
      }),
    ),
  },
  {
    name: 'elytron',
    videos: SIMULATED,
    rate: { perSecond: 100 / 60, documented: 'Pro plan, 100/min' },
    start: overHttp(
      elytron as VideoProviderPluginV1<never>,
      () => startElytron({ videoCount: SIMULATED, rateLimit: false }),
      (simulator) => ({ apiKey: simulator.credentials['apiKey'], baseUrl: simulator.url, plan: 'pro' }),
    ),
  },
  {
    name: 'omegastream',
    videos: SIMULATED,
    rate: { perSecond: 10, documented: 'none documented; the simulator assumes 10/s' },
    start: overHttp(
      omegastream as VideoProviderPluginV1<never>,
      () => startOmegastream({ videoCount: SIMULATED, rateLimit: false }),
      (simulator) => ({ apiKey: simulator.credentials['apiKey'], baseUrl: simulator.url }),
    ),
  },
  {
    name: 'api-video',
    videos: SIMULATED,
    rate: { perSecond: 500 / 60, documented: '500 reads/min' },
    start: overHttp(
      apiVideo as VideoProviderPluginV1<never>,
      () => startApiVideo({ videoCount: SIMULATED, rateLimit: false }),
      (simulator) => ({ apiKey: simulator.credentials['apiKey'], baseUrl: simulator.url }),
    ),
  },
];

/** One pass over the whole listing, as discovery reads it: pages of the largest size, and what the host keeps. */
async function pass(
  provider: VideoProviderV1,
  filter: VideoFilter | undefined,
): Promise<{ calls: number; listed: number; kept: number; ms: number }> {
  const started = performance.now();
  let cursor: string | undefined;
  let calls = 0;
  let listed = 0;
  let kept = 0;
  do {
    const page = await provider.doListVideos!(
      { limit: 1_000, ...(cursor === undefined ? {} : { cursor }), ...(filter ? { filter } : {}) },
      { signal: AbortSignal.timeout(60_000), attempt: 1 },
    );
    calls += 1;
    listed += page.items.length;
    kept += page.items.filter((video) => videoMatchesFilter(video, filter)).length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return { calls, listed, kept, ms: performance.now() - started };
}

/** The creation time a quarter of the way into the library: "everything older than that" is a real part of it. */
async function quarterMark(provider: VideoProviderV1): Promise<Date> {
  const times: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await provider.doListVideos!(
      { limit: 1_000, ...(cursor === undefined ? {} : { cursor }) },
      { signal: AbortSignal.timeout(60_000), attempt: 1 },
    );
    for (const video of page.items) if (video.createdAt) times.push(video.createdAt.getTime());
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  times.sort((a, b) => a - b);
  return new Date(times[Math.floor(times.length / 4)] ?? Date.now());
}

async function runCase(entry: ListingCase): Promise<void> {
  const { provider, close } = await entry.start();
  try {
    const before = await quarterMark(provider);
    const everything = await pass(provider, undefined);
    const selections: [string, VideoFilter][] = [
      ['status FAILED', { status: ['FAILED'] }],
      ['created before the first quarter', { createdBefore: before }],
    ];
    const atRate = (calls: number) =>
      Number.isFinite(entry.rate.perSecond) ? `${fmt(calls / entry.rate.perSecond, 1)} s at the rate` : 'no rate';
    console.log(
      `${entry.name.padEnd(12)} all ${fmt(everything.listed).padStart(7)}: ${fmt(everything.calls).padStart(4)} calls ` +
        `${fmt(everything.ms).padStart(6)} ms (${atRate(everything.calls)})   [${entry.rate.documented}]`,
    );
    for (const [label, filter] of selections) {
      const run = await pass(provider, filter);
      console.log(
        `${''.padEnd(12)} ${label.padEnd(33)} kept ${fmt(run.kept).padStart(7)} of ${fmt(run.listed).padStart(7)} listed: ` +
          `${fmt(run.calls).padStart(4)} calls ${fmt(run.ms).padStart(6)} ms (${atRate(run.calls)}), ` +
          `${fmt(run.calls / everything.calls, 2)}x the calls of listing everything`,
      );
    }
  } finally {
    await close();
  }
}

/**
 * What provider-side filtering saves a selection: one discovery pass over 100,000 sandbox videos and 20,000 on each
 * simulator, unfiltered (the baseline: what the host lists when a plugin filters nothing) and with a status and a
 * date filter, in calls, time, and the time those calls take at the provider's documented read rate.
 */
export async function runProviderListing(): Promise<void> {
  console.log(
    '\n## provider-listing: one discovery pass, unfiltered (baseline) and filtered at the provider, largest pages',
  );
  for (const entry of cases) await runCase(entry);
}
