import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteVideosDocument, DeletionDocument, SelectVideosDocument } from '@unreel/client';
import { startSimulator, type ApiVideoSimulator } from '@unreel/plugin-api-video/simulator';
import { data } from '../support/graphql-http.js';
import { startRestartableServer, type RestartableServer } from '../support/restartable-server.js';

// api.video's list has no status: the plugin lists every video UNKNOWN, and a selection by status would match nothing
// if the host took that at its word. It looks those videos up (GET /videos/{id} and its /status) before matching.

const ACCOUNT = 'apivideo';
const SEEDED = 60;
/** Generous: two busy cores, and these wait for states, never for time. */
const POLL = { timeout: 60_000, interval: 50 };

let simulator: ApiVideoSimulator;
let server: RestartableServer;
/** Native ids whose upload failed (every fourth), and the others. */
let failed: Set<string>;
let others: Set<string>;

beforeAll(async () => {
  simulator = await startSimulator({ videoCount: 0, rateLimit: false, latencyMs: [0, 2] });
  const ids = await simulator.seed(Array.from({ length: SEEDED }, () => ({ state: 'READY' }) as const));
  failed = new Set(ids.filter((_, index) => index % 4 === 1));
  for (const id of failed) simulator.setPhase(id, 'failed');
  others = new Set(ids.filter((id) => !failed.has(id)));
  server = await startRestartableServer({
    replaceAccounts: [
      {
        name: ACCOUNT,
        plugin: '@unreel/plugin-api-video',
        settings: { apiKey: simulator.credentials.apiKey, baseUrl: simulator.url },
        limits: { requestsPerSecond: 500, concurrency: 4 },
      },
    ],
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await simulator?.close();
});

/** The plugin's requests to the simulator: `METHOD path`. */
function requests(): string[] {
  return simulator.calls().map((call) => `${call.method} ${call.path}`);
}

describe('delete by selection on api.video, whose listing has no status', () => {
  it('previews and deletes exactly the FAILED uploads, looking up what the listing could not say', async () => {
    const selection = { account: ACCOUNT, status: ['FAILED' as const] };
    const { selectVideos } = await data(server.url, SelectVideosDocument, { selection, sample: 3 });
    expect(selectVideos).toMatchObject({ count: failed.size, complete: true });
    expect(selectVideos.sample.map((video) => video.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(selectVideos.sample.every((video) => failed.has(video.nativeId))).toBe(true);
    // The status came from the status endpoint, once per listed video.
    expect(requests().filter((call) => /^GET \/videos\/[^/]+\/status$/.test(call))).toHaveLength(SEEDED);

    const input = { selection, maxItems: 1_000, operationId: 'apivideo-failed', wait: false };
    await data(server.url, DeleteVideosDocument, { input });
    await expect
      .poll(async () => (await data(server.url, DeletionDocument, { id: 'apivideo-failed' })).deletion?.status, POLL)
      .toBe('SUCCEEDED');
    const { deletion } = await data(server.url, DeletionDocument, { id: 'apivideo-failed' });
    expect(deletion).toMatchObject({ total: failed.size, deleted: failed.size, failed: 0, discovery: 'DONE' });
    const deleted = simulator
      .calls()
      .filter((call) => call.method === 'DELETE' && call.status === 204)
      .flatMap((call) => call.ids);
    expect(new Set(deleted)).toEqual(failed);
    expect(deleted).toHaveLength(failed.size);
    expect([...others].filter((id) => simulator.stateOf(id) !== 'PRESENT')).toEqual([]);
  });
});
