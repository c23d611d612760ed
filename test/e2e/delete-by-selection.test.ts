import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteVideosDocument,
  DeletionDocument,
  DeletionProgressDocument,
  SelectVideosDocument,
  type DeletionProgressSubscription,
  type VideoSelectionInput,
} from '@unreel/client';
import { startSimulator, type ElytronSimulator } from '@unreel/plugin-elytron/simulator';
import { bearer, data, post } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';
import { startRestartableServer, type RestartableServer } from '../support/restartable-server.js';

type Progress = DeletionProgressSubscription['deletionProgress'];

const ACME_KEY = 'acme-key-0123456789abcdef';
const BETA_KEY = 'beta-key-0123456789abcdef';
const ACCOUNT = 'ely';
const BETA_ACCOUNT = 'beta-sb';
/** Seeded in creation order, 17 minutes apart (the simulator's clock): the first CUTOFF_INDEX are before the cutoff. */
const SEEDED = 2_600;
const CUTOFF_INDEX = 2_300;
/** The simulator's first video's creation time (its EPOCH), and its spacing. */
const FIRST_CREATED = Date.UTC(2025, 5, 1);
const SPACING_MS = 17 * 60_000;
const CUTOFF = new Date(FIRST_CREATED + CUTOFF_INDEX * SPACING_MS);
/** Generous: two busy cores, and these wait for states, never for time. */
const POLL = { timeout: 60_000, interval: 50 };

const selection: VideoSelectionInput = { account: ACCOUNT, createdBefore: CUTOFF.toISOString(), status: ['READY'] };

let simulator: ElytronSimulator;
let server: RestartableServer;
/** Native ids the selection matches (READY, created before the cutoff), and the others. */
let matching: Set<string>;
let others: Set<string>;

const acme = bearer(ACME_KEY);
const beta = bearer(BETA_KEY);

beforeAll(async () => {
  // Slow enough per call that a kill lands mid-run; no rate limit of its own (the host keeps to its configured rate).
  simulator = await startSimulator({ videoCount: 0, plan: 'enterprise', rateLimit: false, latencyMs: [2, 6] });
  // Every tenth video is still processing (never matches READY, and Elytron would refuse to delete it anyway).
  const ids = await simulator.seed(
    Array.from({ length: SEEDED }, (_, index) => ({ state: index % 10 === 0 ? 'PROCESSING' : 'READY' }) as const),
  );
  matching = new Set(ids.filter((_, index) => index < CUTOFF_INDEX && index % 10 !== 0));
  others = new Set(ids.filter((id) => !matching.has(id)));
  server = await startRestartableServer({
    env: { ACME_KEY, BETA_KEY },
    tenants: [
      { name: 'acme', apiKeys: ['${ACME_KEY}'], accounts: [ACCOUNT] },
      { name: 'beta', apiKeys: ['${BETA_KEY}'], accounts: [BETA_ACCOUNT] },
    ],
    replaceAccounts: [
      {
        name: ACCOUNT,
        plugin: path.resolve('plugins/elytron/dist/src/index.js'),
        settings: { apiKey: simulator.credentials.apiKey, baseUrl: simulator.url, plan: 'enterprise' },
        limits: { requestsPerSecond: 2_000, concurrency: 4 },
      },
      {
        name: BETA_ACCOUNT,
        plugin: '@unreel/plugin-sandbox',
        settings: { videoCount: 20, latencyMs: [0, 2], processingRatio: 0, forbiddenRatio: 0 },
      },
    ],
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await simulator?.close();
});

/** DELETE requests the simulator answered 204 (it deleted), per native id. */
function deletions(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of simulator.calls()) {
    if (call.method !== 'DELETE' || call.status !== 204) continue;
    for (const id of call.ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

async function errorOf(document: Parameters<typeof post>[1], variables: unknown, headers = acme) {
  const response = await post(server.url, document, variables as never, headers);
  expect(response.data ?? null).toBeNull();
  return response.errors?.[0]?.extensions;
}

describe('delete by selection, end to end', () => {
  it('previews the exact count and a sample, changing nothing', async () => {
    const { selectVideos } = await data(server.url, SelectVideosDocument, { selection, sample: 5 }, acme);
    expect(selectVideos).toMatchObject({ count: matching.size, complete: true });
    expect(selectVideos.sample).toHaveLength(5);
    for (const video of selectVideos.sample) {
      expect(video).toMatchObject({ account: ACCOUNT, provider: 'elytron', status: 'READY' });
      expect(matching.has(video.nativeId)).toBe(true);
    }
    expect(deletions().size).toBe(0);
  });

  it("keeps tenants apart: another tenant's account is as unknown as a typo, for preview and deletion", async () => {
    for (const account of [ACCOUNT, 'no-such-account']) {
      const variables = { selection: { ...selection, account } };
      expect(await errorOf(SelectVideosDocument, variables, beta)).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'selection.account',
      });
      expect(
        await errorOf(DeleteVideosDocument, { input: { ...variables, maxItems: 10, operationId: 'x' } }, beta),
      ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'selection.account' });
    }
    expect(deletions().size).toBe(0);
  });

  it('refuses a bad request naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'ids'],
      [{ ids: [`${ACCOUNT}:a`], selection, maxItems: 5 }, 'selection'],
      [{ selection }, 'maxItems'],
      [{ selection, maxItems: 0 }, 'maxItems'],
      [{ selection, maxItems: 10_001 }, 'maxItems'],
      [{ ids: [`${ACCOUNT}:a`], maxItems: 5 }, 'maxItems'],
      [{ selection: { ...selection, createdAfter: CUTOFF.toISOString() }, maxItems: 5 }, 'selection.createdAfter'],
    ];
    for (const [input, field] of cases) {
      expect(await errorOf(DeleteVideosDocument, { input })).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(await errorOf(SelectVideosDocument, { selection, sample: 101 })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'sample',
    });
    expect(deletions().size).toBe(0);
  });

  it(
    'deletes exactly the matching videos across a SIGKILL, none twice, and the stream tells the growth and the end',
    { timeout: 180_000 },
    async () => {
      const input = { selection, maxItems: 10_000, operationId: 'e2e-selection', wait: false };
      const started = await data(server.url, DeleteVideosDocument, { input }, acme);
      expect(started.deleteVideos).toMatchObject({ id: 'e2e-selection', status: 'RUNNING', discovery: 'DISCOVERING' });
      // Killed part-way: some videos deleted, most not.
      await expect.poll(() => deletions().size, POLL).toBeGreaterThanOrEqual(300);
      await server.kill();
      const atKill = deletions().size;
      expect(atKill).toBeLessThan(matching.size);
      await server.restart();

      // A retry of the same request after the restart is the same operation; another maxItems is a conflict.
      const again = await data(server.url, DeleteVideosDocument, { input }, acme);
      expect(again.deleteVideos.id).toBe('e2e-selection');
      expect(await errorOf(DeleteVideosDocument, { input: { ...input, maxItems: 9_999 } })).toMatchObject({
        code: 'IDEMPOTENCY_CONFLICT',
      });

      await expect
        .poll(
          async () => (await data(server.url, DeletionDocument, { id: 'e2e-selection' }, acme)).deletion?.status,
          POLL,
        )
        .toBe('SUCCEEDED');
      const { deletion } = await data(server.url, DeletionDocument, { id: 'e2e-selection', first: 1 }, acme);
      expect(deletion).toMatchObject({ total: matching.size, failed: 0, cancelled: 0, pending: 0, discovery: 'DONE' });
      // A video deleted just before the kill, whose answer never reached the journal, is sent again and answers
      // NOT_FOUND: counted as deleted by us.
      expect((deletion?.deleted ?? 0) + (deletion?.notFound ?? 0)).toBe(matching.size);

      // The provider's own record: every matching video deleted exactly once, nothing else touched.
      const deleted = deletions();
      expect(new Set(deleted.keys())).toEqual(matching);
      expect([...deleted.values()].every((count) => count === 1)).toBe(true);
      const remaining = new Set(simulator.library.list().map((video) => video.video_id));
      expect(remaining).toEqual(others);

      // The whole stream, replayed after the restart: gapless; each item announced once as discovered (total
      // growing), then one final event; it completes.
      const ws = wsClient(server.url.replace(/^http/, 'ws'), {
        connectionParams: { authorization: `Bearer ${ACME_KEY}` },
      });
      try {
        const events: Progress[] = [];
        const stream = collect(ws, DeletionProgressDocument, { operationId: 'e2e-selection', after: 0 }, (result) => {
          if (result.data) events.push(result.data.deletionProgress);
        });
        await stream.done;
        expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
        const statuses = new Map<string, string[]>();
        for (const event of events) {
          statuses.set(event.item.videoId, [...(statuses.get(event.item.videoId) ?? []), event.item.status]);
        }
        expect(statuses.size).toBe(matching.size);
        for (const seen of statuses.values()) {
          expect(seen[0]).toBe('PENDING');
          expect(seen.slice(1)).toHaveLength(1);
          expect(['DELETED']).toContain(seen[1]);
        }
        expect(events.at(-1)?.discovery).toBe('DONE');
      } finally {
        await ws.dispose();
      }
    },
  );
});
