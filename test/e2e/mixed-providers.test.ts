import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteVideosDocument,
  DeletionProgressDocument,
  RestoreVideoDocument,
  VideoDocument,
  type DeleteVideosMutation,
  type DeletionProgressSubscription,
} from '@unreel/client';
import { startSimulator as startAliyunVod, type AliyunVodSimulator } from '@unreel/plugin-aliyun-vod/simulator';
import { startSimulator as startApiVideo, type ApiVideoSimulator } from '@unreel/plugin-api-video/simulator';
import { startSimulator as startElytron, type ElytronSimulator } from '@unreel/plugin-elytron/simulator';
import { startSimulator as startFastPix, type FastPixSimulator } from '@unreel/plugin-fastpix/simulator';
import { startSimulator as startOmegastream, type OmegastreamSimulator } from '@unreel/plugin-omegastream/simulator';
import { getSandboxLibrary, type SandboxLibrary } from '@unreel/plugin-sandbox';
import { createUnreelServer, type UnreelServer } from '@unreel/server';
import { collect } from '../support/graphql-ws.js';
import { GraphQLTranscript } from '../support/graphql-transcript.js';

type Progress = DeletionProgressSubscription['deletionProgress'];
type Presence = 'PRESENT' | 'SOFT_DELETED' | 'GONE';
type Fault = 'throttle' | 'server-error';
type SeedState = 'READY' | 'PROCESSING' | 'FORBIDDEN';
type Kind = 'ready' | 'processing' | 'forbidden' | 'too-recent' | 'missing';
type Expected =
  | { status: 'DELETED' }
  | { status: 'NOT_FOUND' }
  | { status: 'FAILED'; code: 'IN_PROCESSING' | 'FORBIDDEN' | 'TOO_RECENT' };

/** One request that reached a provider with ids in it, and whether it was a throttled or 5xx answer (nothing acted). */
interface DeleteCall {
  ids: readonly string[];
  faulted: boolean;
}

interface PlannedItem {
  videoId: string;
  nativeId: string;
  kind: Kind;
  expected: Expected;
}

interface AccountUnderTest {
  name: string;
  /** Deleting keeps the video restorable (SOFT_DELETED) instead of erasing it (GONE). */
  soft: boolean;
  maxBatchSize: number;
  /** Faults queued on the simulator just before the delete, one request each, in this order. */
  faults: readonly Fault[];
  failNext(kind: Fault, count: number): void;
  items: PlannedItem[];
  stateOf(nativeId: string): Presence;
  deleteCalls(): DeleteCall[];
}

const LATENCY_MS = [1, 5] as const;
const OPERATION_ID = 'e2e-mixed-providers';
const deleted: Expected = { status: 'DELETED' };
const notFound: Expected = { status: 'NOT_FOUND' };
const failedWith = (code: 'IN_PROCESSING' | 'FORBIDDEN' | 'TOO_RECENT'): Expected => ({ status: 'FAILED', code });

let omega: OmegastreamSimulator;
let apiVideo: ApiVideoSimulator;
let elytron: ElytronSimulator;
let fastpix: FastPixSimulator;
let vod: AliyunVodSimulator;
let sandbox: SandboxLibrary;
let server: UnreelServer | undefined;
let accounts: AccountUnderTest[];
let planned: PlannedItem[];
let events: Progress[];
let result: DeleteVideosMutation['deleteVideos'];
/** Taken when the delete finished, before restores and lookups add requests of their own. */
let callsAtFinish: Map<string, DeleteCall[]>;
const transcript = new GraphQLTranscript();

const isFault = (status: number): boolean => status === 429 || status >= 500;

/** `count` new videos in one of the states every simulator's conformance surface can seed. */
async function seeded(
  simulator: { seed(videos: readonly { state: SeedState }[]): string[] | Promise<string[]> },
  state: SeedState,
  count: number,
): Promise<string[]> {
  return [...(await simulator.seed(Array.from({ length: count }, () => ({ state }))))];
}

/**
 * `lead` ordinary videos first, then the special ones spread among the rest. On one-id providers the injected faults
 * hit the first requests, so a lead longer than the account's concurrency plus its faults keeps them on ordinary
 * videos. A missing id whose attempt got a 5xx would rightly end DELETED, not NOT_FOUND: the engine cannot tell that
 * the ambiguous attempt did not act (the core engine tests cover that rule).
 */
function arrange(ordinary: PlannedItem[], special: PlannedItem[], lead: number): PlannedItem[] {
  const arranged = ordinary.slice(0, lead);
  const rest = ordinary.slice(lead);
  const step = Math.max(1, Math.floor(rest.length / Math.max(1, special.length)));
  special.forEach((item, index) => arranged.push(...rest.slice(index * step, (index + 1) * step), item));
  arranged.push(...rest.slice(special.length * step));
  return arranged;
}

function items(accountName: string, nativeIds: readonly string[], kind: Kind, expected: Expected): PlannedItem[] {
  return nativeIds.map((nativeId) => ({ videoId: `${accountName}:${nativeId}`, nativeId, kind, expected }));
}

/** Round robin over the accounts, so the operation's ids are as mixed as a frontend's selection. */
function interleave(lists: readonly PlannedItem[][]): PlannedItem[] {
  const mixed: PlannedItem[] = [];
  for (let index = 0; mixed.length < lists.reduce((sum, list) => sum + list.length, 0); index += 1) {
    for (const list of lists) if (index < list.length) mixed.push(list[index] as PlannedItem);
  }
  return mixed;
}

type RecordingSimulator = { calls(): readonly { method: string; status: number; ids: string[] }[] };

function simulatorCalls(simulator: RecordingSimulator, method: string): () => DeleteCall[] {
  return () =>
    simulator
      .calls()
      .filter((call) => call.method === method && call.ids.length > 0)
      .map((call) => ({ ids: [...call.ids], faulted: isFault(call.status) }));
}

function account(name: string): AccountUnderTest {
  const found = accounts.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no account ${name} in this test`);
  return found;
}

function expectedPresence(entry: AccountUnderTest, item: PlannedItem): Presence {
  if (item.expected.status === 'FAILED') return 'PRESENT';
  if (item.expected.status === 'NOT_FOUND') return 'GONE';
  return entry.soft ? 'SOFT_DELETED' : 'GONE';
}

beforeAll(async () => {
  const latencyMs = LATENCY_MS;
  [omega, apiVideo, elytron, fastpix, vod] = await Promise.all([
    // OmegaStream documents no rate limit: its simulator's assumed 10/s stays, and the plugin sets none.
    startOmegastream({ videoCount: 0, latencyMs }),
    // The documented 200 writes a minute, scaled to 20 a second (a documented override), so the run takes seconds.
    startApiVideo({ videoCount: 0, latencyMs, videoRestore: true, rateLimit: { limit: 20, windowMs: 1_000 } }),
    startElytron({ videoCount: 0, latencyMs, plan: 'enterprise' }),
    startFastPix({ videoCount: 0, latencyMs }),
    startAliyunVod({ videoCount: 0, latencyMs }),
  ]);

  server = await createUnreelServer({
    port: 0,
    logLevel: 'silent',
    config: {
      journal: { driver: 'memory' },
      accounts: [
        {
          name: 'omega',
          plugin: '@unreel/plugin-omegastream',
          settings: { apiKey: omega.credentials.apiKey, baseUrl: omega.url },
        },
        {
          name: 'apivideo',
          plugin: '@unreel/plugin-api-video',
          settings: {
            apiKey: apiVideo.credentials.apiKey,
            baseUrl: apiVideo.url,
            videoRestore: true,
            requestsPerSecond: 20,
          },
        },
        {
          name: 'elytron',
          plugin: '@unreel/plugin-elytron',
          settings: { apiKey: elytron.credentials.apiKey, baseUrl: elytron.url, plan: 'enterprise' },
        },
        {
          name: 'fastpix',
          plugin: '@unreel/plugin-fastpix',
          // The simulator's assumed limit: FastPix documents none, and the README says to set your plan's.
          settings: { ...fastpix.credentials, baseUrl: fastpix.url, requestsPerSecond: 20 },
        },
        { name: 'vod', plugin: '@unreel/plugin-aliyun-vod', settings: { ...vod.credentials, endpoint: vod.url } },
        {
          name: 'sandbox',
          plugin: '@unreel/plugin-sandbox',
          settings: { videoCount: 0, latencyMs: [...LATENCY_MS], processingRatio: 0, forbiddenRatio: 0 },
        },
      ],
    },
  });
  const library = getSandboxLibrary('sandbox');
  if (!library) throw new Error('the sandbox account has no library');
  sandbox = library;

  const completedAnHourAgo = { status: 'process-completed' as const, settledAgoMs: 60 * 60 * 1_000 };
  accounts = [
    {
      name: 'omega',
      soft: true,
      maxBatchSize: 50,
      faults: ['throttle'],
      items: arrange(
        items('omega', await seeded(omega, 'READY', 52), 'ready', deleted),
        [
          ...items('omega', await seeded(omega, 'PROCESSING', 2), 'processing', failedWith('IN_PROCESSING')),
          ...items('omega', await seeded(omega, 'FORBIDDEN', 2), 'forbidden', failedWith('FORBIDDEN')),
          // Completed an hour ago: deletable in three hours, too far off to wait for.
          ...items(
            'omega',
            omega.addVideos([completedAnHourAgo, completedAnHourAgo]),
            'too-recent',
            failedWith('TOO_RECENT'),
          ),
          ...items('omega', [omega.missingId(), omega.missingId()], 'missing', notFound),
        ],
        0,
      ),
      failNext: (kind, count) => omega.failNext(kind, count),
      stateOf: (id) => omega.stateOf(id),
      deleteCalls: simulatorCalls(omega, 'DELETE'),
    },
    {
      name: 'apivideo',
      soft: true,
      maxBatchSize: 1,
      faults: ['server-error', 'throttle'],
      items: arrange(
        items('apivideo', await seeded(apiVideo, 'READY', 21), 'ready', deleted),
        [
          // api.video documents no refusal for a video still processing: it is deleted like any other.
          ...items('apivideo', await seeded(apiVideo, 'PROCESSING', 2), 'processing', deleted),
          ...items('apivideo', [apiVideo.missingId(), apiVideo.missingId()], 'missing', notFound),
        ],
        6,
      ),
      failNext: (kind, count) => apiVideo.failNext(kind, count),
      stateOf: (id) => apiVideo.stateOf(id),
      deleteCalls: simulatorCalls(apiVideo, 'DELETE'),
    },
    {
      name: 'elytron',
      soft: false,
      maxBatchSize: 1,
      // Its 429 says to wait for the end of the plan's minute, so this account gets 5xx only.
      faults: ['server-error', 'server-error'],
      items: arrange(
        items('elytron', await seeded(elytron, 'READY', 19), 'ready', deleted),
        [
          ...items('elytron', await seeded(elytron, 'PROCESSING', 2), 'processing', failedWith('IN_PROCESSING')),
          ...items('elytron', await seeded(elytron, 'FORBIDDEN', 2), 'forbidden', failedWith('FORBIDDEN')),
          ...items('elytron', [elytron.missingId(), elytron.missingId()], 'missing', notFound),
        ],
        6,
      ),
      failNext: (kind, count) => elytron.failNext(kind, count),
      stateOf: (id) => elytron.stateOf(id),
      deleteCalls: simulatorCalls(elytron, 'DELETE'),
    },
    {
      name: 'fastpix',
      soft: false,
      maxBatchSize: 1,
      faults: ['throttle', 'server-error'],
      items: arrange(
        items('fastpix', await seeded(fastpix, 'READY', 19), 'ready', deleted),
        [
          // The simulator's default, as FastPix's docs are silent: media still processing are deleted.
          ...items('fastpix', await seeded(fastpix, 'PROCESSING', 2), 'processing', deleted),
          ...items('fastpix', await seeded(fastpix, 'FORBIDDEN', 2), 'forbidden', failedWith('FORBIDDEN')),
          ...items('fastpix', [fastpix.missingId(), fastpix.missingId()], 'missing', notFound),
        ],
        6,
      ),
      failNext: (kind, count) => fastpix.failNext(kind, count),
      stateOf: (id) => fastpix.stateOf(id),
      deleteCalls: simulatorCalls(fastpix, 'DELETE'),
    },
    {
      name: 'vod',
      soft: false,
      maxBatchSize: 20,
      // Throttling.User at HTTP 503: only the body's Code says it is a throttle, not an outage.
      faults: ['throttle', 'throttle'],
      items: arrange(
        items('vod', await seeded(vod, 'READY', 39), 'ready', deleted),
        [
          // VOD: a video still uploading allows "only deletion".
          ...items('vod', await seeded(vod, 'PROCESSING', 2), 'processing', deleted),
          ...items('vod', await seeded(vod, 'FORBIDDEN', 2), 'forbidden', failedWith('FORBIDDEN')),
          ...items('vod', [vod.missingId(), vod.missingId()], 'missing', notFound),
        ],
        0,
      ),
      failNext: (kind, count) => vod.failNext(kind, count),
      stateOf: (id) => vod.stateOf(id),
      // Every request during the delete is a DeleteVideo (POST / with a form body).
      deleteCalls: simulatorCalls(vod, 'POST'),
    },
    {
      name: 'sandbox',
      soft: true,
      maxBatchSize: 25,
      faults: ['throttle'],
      items: arrange(
        items(
          'sandbox',
          Array.from({ length: 14 }, () => sandbox.add('READY').id),
          'ready',
          deleted,
        ),
        [
          ...items(
            'sandbox',
            [1, 2].map(() => sandbox.add('PROCESSING').id),
            'processing',
            failedWith('IN_PROCESSING'),
          ),
          ...items(
            'sandbox',
            [1, 2].map(() => sandbox.add('FORBIDDEN').id),
            'forbidden',
            failedWith('FORBIDDEN'),
          ),
          ...items('sandbox', ['vid-900001', 'vid-900002'], 'missing', notFound),
        ],
        0,
      ),
      failNext: (kind, count) => sandbox.failNext(kind, count),
      stateOf: (id) => sandbox.stateOf(id),
      // The sandbox records a call before deciding its fault and keeps no status, so its own checks are apart.
      deleteCalls: () =>
        sandbox.calls
          .filter((call) => call.method === 'delete')
          .map((call) => ({ ids: [...call.ids], faulted: false })),
    },
  ];
  planned = interleave(accounts.map((entry) => entry.items));

  for (const entry of accounts) for (const fault of entry.faults) entry.failNext(fault, 1);

  const client = transcript.wsClient(server.wsUrl);
  const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
  // Subscribe before the operation exists: the stream waits for it, then replays from 0 and follows it live.
  const stream = collect(client, DeletionProgressDocument, { operationId: OPERATION_ID, after: 0 });
  await connected;
  const answer = await transcript.data(server.url, DeleteVideosDocument, {
    input: { ids: planned.map((item) => item.videoId), operationId: OPERATION_ID, wait: true },
  });
  result = answer.deleteVideos;
  callsAtFinish = new Map(accounts.map((entry) => [entry.name, entry.deleteCalls()]));
  await stream.done;
  await client.dispose();
  expect(stream.results.flatMap((streamed) => streamed.errors ?? [])).toEqual([]);
  events = stream.results.map((streamed) => (streamed.data as DeletionProgressSubscription).deletionProgress);
});

afterAll(async () => {
  await server?.close();
  const simulators = [omega, apiVideo, elytron, fastpix, vod].filter((simulator) => simulator !== undefined);
  await Promise.all(simulators.map((simulator) => simulator.close()));
});

describe('one bulk delete across all five providers and the sandbox', () => {
  it('sends 200 distinct ids, over 50 on OmegaStream and over 20 on ApsaraVideo', () => {
    expect(planned).toHaveLength(200);
    expect(new Set(planned.map((item) => item.videoId)).size).toBe(200);
    expect(account('omega').items.length).toBeGreaterThan(50);
    expect(account('vod').items.length).toBeGreaterThan(20);
    expect(new Set(planned.slice(0, 6).map((item) => item.videoId.split(':')[0]))).toEqual(
      new Set(accounts.map((entry) => entry.name)),
    );
  });

  it('streams 200 events, gapless 1..200, every id exactly once, and the counts add up', () => {
    expect(events).toHaveLength(200);
    expect(events.map((event) => event.sequence)).toEqual(Array.from({ length: 200 }, (_, index) => index + 1));
    expect(events.map((event) => event.completed)).toEqual(Array.from({ length: 200 }, (_, index) => index + 1));
    expect(events.every((event) => event.operationId === OPERATION_ID && event.total === 200)).toBe(true);
    expect(events.map((event) => event.item.videoId).sort()).toEqual(planned.map((item) => item.videoId).sort());

    const count = (status: string) => events.filter((event) => event.item.status === status).length;
    const expectedCount = (status: string) => planned.filter((item) => item.expected.status === status).length;
    expect(result).toMatchObject({ id: OPERATION_ID, total: 200, pending: 0, restored: 0 });
    expect(result.deleted + result.notFound + result.failed).toBe(200);
    expect(result.deleted).toBe(count('DELETED'));
    expect(result.notFound).toBe(count('NOT_FOUND'));
    expect(result.failed).toBe(count('FAILED'));
    expect({ deleted: result.deleted, notFound: result.notFound, failed: result.failed }).toEqual({
      deleted: expectedCount('DELETED'),
      notFound: expectedCount('NOT_FOUND'),
      failed: expectedCount('FAILED'),
    });
    expect(result.status).toBe('PARTIALLY_FAILED');
    expect(result.finishedAt).not.toBeNull();
    expect(events.slice(0, -1).every((event) => event.status === 'RUNNING')).toBe(true);
    expect(events.at(-1)?.status).toBe('PARTIALLY_FAILED');
  });

  it('ends every item as the simulators hold it: deleted, refused with the seeded reason, or missing', () => {
    const outcomes = new Map(events.map((event) => [event.item.videoId, event.item]));
    const mismatches: string[] = [];
    for (const entry of accounts) {
      for (const item of entry.items) {
        const outcome = outcomes.get(item.videoId);
        const got = { status: outcome?.status, code: outcome?.error?.code, presence: entry.stateOf(item.nativeId) };
        const want = {
          status: item.expected.status,
          code: item.expected.status === 'FAILED' ? item.expected.code : undefined,
          presence: expectedPresence(entry, item),
        };
        if (got.status !== want.status || got.code !== want.code || got.presence !== want.presence) {
          mismatches.push(`${item.videoId} (${item.kind}): got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);

    // Refusals are final here (whenBlocked: FAIL, the default): one that may pass later (still processing, too
    // recent) says so, FORBIDDEN does not; every outcome that is not a failure carries no error.
    for (const event of events) {
      if (event.item.status === 'FAILED') {
        expect(event.item.error).toMatchObject({ retryable: event.item.error?.code !== 'FORBIDDEN' });
      } else expect(event.item.error).toBeNull();
    }
    const gone = events.filter((event) => event.item.status === 'NOT_FOUND').map((event) => event.item.videoId);
    expect(gone.sort()).toEqual(
      planned
        .filter((item) => item.kind === 'missing')
        .map((item) => item.videoId)
        .sort(),
    );
  });

  it('marks deletions restorable on api.video (Video Restore), OmegaStream and the sandbox, never on permanent providers', () => {
    const deletedOn = (name: string) =>
      events.filter((event) => event.item.status === 'DELETED' && event.item.videoId.startsWith(`${name}:`));
    for (const name of ['apivideo', 'sandbox']) {
      expect(deletedOn(name).every((event) => event.item.restorable && event.item.restorableUntil !== null)).toBe(true);
    }
    // OmegaStream restores without a documented window: restorable, with no end date to show.
    expect(deletedOn('omega').length).toBeGreaterThan(0);
    expect(deletedOn('omega').every((event) => event.item.restorable && event.item.restorableUntil === null)).toBe(
      true,
    );
    for (const name of ['elytron', 'fastpix', 'vod']) {
      expect(deletedOn(name).every((event) => !event.item.restorable && event.item.restorableUntil === null)).toBe(
        true,
      );
    }
  });

  it('batches on OmegaStream and ApsaraVideo, one id per call elsewhere, and retries only what was throttled or failed', () => {
    for (const entry of accounts) {
      const calls = callsAtFinish.get(entry.name) ?? [];
      const answered = calls.filter((call) => !call.faulted);
      const sent = entry.items.map((item) => item.nativeId).sort();
      expect(
        calls.every((call) => call.ids.length <= entry.maxBatchSize),
        entry.name,
      ).toBe(true);
      if (entry.name === 'sandbox') continue;
      // Refusals are not retried, so every id reached the provider in exactly one answered request.
      expect(answered.flatMap((call) => call.ids).sort(), entry.name).toEqual(sent);
      if (entry.maxBatchSize > 1) {
        expect(calls.length, entry.name).toBeLessThan(entry.items.length);
        expect(answered.length, entry.name).toBe(Math.ceil(entry.items.length / entry.maxBatchSize));
      } else {
        expect(calls.length, entry.name).toBe(entry.items.length + calls.filter((call) => call.faulted).length);
      }
    }
    // The sandbox keeps no status: one planned batch of 20, plus the throttled attempt that was retried.
    const sandboxCalls = callsAtFinish.get('sandbox') ?? [];
    expect(sandboxCalls.map((call) => call.ids.length)).toEqual([20, 20]);
  });

  it('took the injected throttles and 5xx on the real path and retried the items they hit', () => {
    const attempts = new Map(events.map((event) => [event.item.videoId, event.item.attempts]));
    for (const entry of accounts.filter((candidate) => candidate.name !== 'sandbox')) {
      const faulted = (callsAtFinish.get(entry.name) ?? []).filter((call) => call.faulted);
      expect(faulted.length, entry.name).toBeGreaterThanOrEqual(entry.faults.length);
      for (const id of faulted.flatMap((call) => call.ids)) {
        const item = entry.items.find((candidate) => candidate.nativeId === id);
        expect(attempts.get(item?.videoId ?? ''), `${entry.name}:${id}`).toBeGreaterThanOrEqual(2);
      }
    }
    const sandboxItems = account('sandbox').items.map((item) => attempts.get(item.videoId));
    expect(sandboxItems.every((count) => count === 2)).toBe(true);
  });

  it('restores a deleted video on each soft-delete provider and refuses permanent ones with NOT_RESTORABLE', async () => {
    const url = (server as UnreelServer).url;
    for (const name of ['omega', 'apivideo', 'sandbox']) {
      const entry = account(name);
      const item = entry.items.find((candidate) => candidate.kind === 'ready') as PlannedItem;
      expect(entry.stateOf(item.nativeId)).toBe('SOFT_DELETED');
      const restored = (await transcript.data(url, RestoreVideoDocument, { id: item.videoId })).restoreVideo;
      expect(restored, name).toMatchObject({
        restored: true,
        error: null,
        video: { id: item.videoId, status: 'READY', deletion: { status: 'RESTORED' } },
      });
      expect(entry.stateOf(item.nativeId), name).toBe('PRESENT');
    }
    for (const name of ['elytron', 'fastpix', 'vod']) {
      const entry = account(name);
      const item = entry.items.find((candidate) => candidate.kind === 'ready') as PlannedItem;
      const refused = (await transcript.data(url, RestoreVideoDocument, { id: item.videoId })).restoreVideo;
      expect(refused, name).toMatchObject({ restored: false, error: { code: 'NOT_RESTORABLE' }, video: null });
      expect(entry.stateOf(item.nativeId), name).toBe('GONE');
    }
    // Another company's video on OmegaStream: the provider's own refusal, in the provider's words.
    const foreign = account('omega').items.find((candidate) => candidate.kind === 'forbidden') as PlannedItem;
    const refused = (await transcript.data(url, RestoreVideoDocument, { id: foreign.videoId })).restoreVideo;
    expect(refused).toMatchObject({ restored: false, error: { code: 'FORBIDDEN' } });
    expect(refused.error?.message).toContain('OmegaStream');
    expect(omega.stateOf(foreign.nativeId)).toBe('PRESENT');
  });

  it('never shows a simulator credential in any GraphQL answer, errors and per-item messages included', async () => {
    const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');
    const credentials: Record<string, string> = {
      'omegastream apiKey': omega.credentials.apiKey,
      'api.video apiKey': apiVideo.credentials.apiKey,
      'api.video Basic authorization': basic(apiVideo.credentials.apiKey, ''),
      'elytron apiKey': elytron.credentials.apiKey,
      'fastpix accessTokenId': fastpix.credentials.accessTokenId,
      'fastpix secretKey': fastpix.credentials.secretKey,
      'fastpix Basic authorization': basic(fastpix.credentials.accessTokenId, fastpix.credentials.secretKey),
      'aliyun accessKeyId': vod.credentials.accessKeyId,
      'aliyun accessKeySecret': vod.credentials.accessKeySecret,
    };
    // A lookup whose whole call the provider refuses comes back as a GraphQL error, which is scanned too.
    const lookedUp = account('vod').items.find((item) => item.kind === 'forbidden') as PlannedItem;
    vod.failNextWith({
      status: 403,
      code: 'Forbidden.RAM',
      message: 'User not authorized to operate on the specified resource.',
    });
    const refusedLookup = await transcript.post((server as UnreelServer).url, VideoDocument, { id: lookedUp.videoId });
    // The provider's refusal, said as such: a stable code, the provider's own reason, and no internal error.
    expect(refusedLookup.errors?.[0]?.extensions).toEqual({
      code: 'PROVIDER_ERROR',
      providerCode: 'FORBIDDEN',
      retryable: false,
    });
    expect(refusedLookup.data?.video).toBeNull();

    // At least the subscription's 200 events, the delete and the lookup; the control proves the scan reads them.
    expect(transcript.size).toBeGreaterThanOrEqual(200 + 1 + 1);
    expect(transcript.find({ control: `"${OPERATION_ID}"` })).toEqual(['control']);
    expect(events.some((event) => event.item.error !== null && event.item.error !== undefined)).toBe(true);
    expect(transcript.find(credentials)).toEqual([]);
  });
});
