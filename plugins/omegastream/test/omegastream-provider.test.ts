import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  UnreelProviderError,
  type DeleteOutcome,
  type ProviderVideoStatus,
  type VideoProviderV1,
} from '@unreel/provider-spec';
import { CapturingLogger, callOptions, errorText, providerRejection } from '@unreel/provider-testkit';
import omegastream, { omegastreamSettingsSchema, type OmegastreamSettingsInput } from '@unreel/plugin-omegastream';
import { classifyReason } from '../src/omegastream-errors.js';
import { parseFailedVideos } from '../src/omegastream-failed-videos.js';
import { outcomeOfRefusal } from '../src/omegastream-refusal.js';
import { OMEGASTREAM_PRODUCTION_BASE_URL } from '../src/omegastream-settings.js';
import {
  startSimulator,
  type OmegastreamSimulator,
  type OmegastreamSimulatorOptions,
} from '@unreel/plugin-omegastream/simulator';

const HOUR = 3_600_000;
const running: OmegastreamSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

async function start(options: OmegastreamSimulatorOptions = {}): Promise<OmegastreamSimulator> {
  const simulator = await startSimulator({ videoCount: 5, rateLimit: false, ...options });
  running.push(simulator);
  return simulator;
}

function providerFor(
  simulator: OmegastreamSimulator,
  settings: Partial<OmegastreamSettingsInput> = {},
  logger = new CapturingLogger(),
): VideoProviderV1 {
  const parsed = omegastreamSettingsSchema.parse({
    baseUrl: simulator.url,
    apiKey: simulator.credentials.apiKey,
    ...settings,
  });
  return omegastream.create(parsed, { account: 'test', fetch: globalThis.fetch, logger });
}

function summary(outcomes: readonly DeleteOutcome[]): string[] {
  return outcomes.map((outcome) => (outcome.status === 'FAILED' ? `FAILED:${outcome.error.code}` : outcome.status));
}

/** Requests that reached the video API, as `METHOD path?query`, after `since`. */
function requests(simulator: OmegastreamSimulator, since = 0): string[] {
  return simulator
    .calls()
    .slice(since)
    .map((recorded) => {
      const query = new URLSearchParams(recorded.query as Record<string, string>).toString();
      return `${recorded.method} ${recorded.path.replace('/company/client/video', '{base}')}${query ? `?${query}` : ''}`;
    });
}

describe('omegastream settings', () => {
  it('defaults to the production base and the current bulk path', () => {
    const settings = omegastreamSettingsSchema.parse({ apiKey: 'omega_sk_example' });
    expect(settings).toEqual({
      apiKey: 'omega_sk_example',
      baseUrl: OMEGASTREAM_PRODUCTION_BASE_URL,
      bulkPath: 'delete_videos',
      timeoutMs: 10_000,
    });
    expect(OMEGASTREAM_PRODUCTION_BASE_URL).toBe('https://api.omegastream.net/company/client/video');
    expect(omegastream.secretSettings).toEqual(['apiKey']);
  });

  it('refuses bad settings naming the field and what is wrong', () => {
    const problems = (input: unknown): string[] => {
      const result = omegastreamSettingsSchema.safeParse(input);
      expect(result.success).toBe(false);
      return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    expect(problems({})).toEqual([
      'apiKey: apiKey is required: the API key from the OmegaStream dashboard (Developer page)',
    ]);
    expect(problems({ apiKey: '  ' })).toEqual(['apiKey: apiKey must not be empty']);
    expect(problems({ apiKey: 'k', bulkPath: 'bulk' })).toEqual([
      'bulkPath: bulkPath must be one of delete_videos, bulk_delete',
    ]);
    expect(problems({ apiKey: 'k', baseUrl: 'ftp://api.omegastream.net' })[0]).toMatch(
      /^baseUrl: baseUrl must be an http\(s\) URL/,
    );
    expect(problems({ apiKey: 'k', apikey: 'typo' })[0]).toMatch(/apikey/);
  });

  it('declares 50 per batch and a restore without a documented window, unless told otherwise', async () => {
    const simulator = await start();
    const listFilters = { status: ['PROCESSING', 'READY', 'FAILED'] };
    expect(providerFor(simulator).capabilities).toEqual({ maxBatchSize: 50, restore: {}, listFilters });
    expect(providerFor(simulator, { requestsPerSecond: 5, restoreWindowDays: 30 }).capabilities).toEqual({
      maxBatchSize: 50,
      restore: { windowDays: 30 },
      requestsPerSecond: 5,
      listFilters,
    });
  });
});

describe('omegastream doDeleteVideos', () => {
  it('deletes one video through DELETE /:uuid and more through one DELETE /delete_videos', async () => {
    const simulator = await start();
    const provider = providerFor(simulator);
    const [one, two, three] = simulator.seed([{ state: 'READY' }, { state: 'READY' }, { state: 'READY' }]) as [
      string,
      string,
      string,
    ];
    expect(await provider.doDeleteVideos([one], callOptions())).toEqual([{ status: 'DELETED' }]);
    expect(await provider.doDeleteVideos([two, three], callOptions())).toEqual([
      { status: 'DELETED' },
      { status: 'DELETED' },
    ]);
    expect(requests(simulator)).toEqual([`DELETE {base}/${one}`, 'DELETE {base}/delete_videos']);
    expect(simulator.calls()[1]?.ids).toEqual([two, three]);
    for (const id of [one, two, three]) expect(simulator.stateOf(id)).toBe('SOFT_DELETED');
  });

  it('uses the legacy bulk_delete path when set to, and names the setting when the path is not served', async () => {
    const legacy = await start({ bulkPaths: ['bulk_delete'] });
    const ids = legacy.seed([{ state: 'READY' }, { state: 'READY' }]);
    expect(summary(await providerFor(legacy, { bulkPath: 'bulk_delete' }).doDeleteVideos(ids, callOptions()))).toEqual([
      'DELETED',
      'DELETED',
    ]);
    expect(requests(legacy)).toEqual(['DELETE {base}/bulk_delete']);

    const error = await providerRejection(
      providerFor(legacy).doDeleteVideos(legacy.seed([{ state: 'READY' }, { state: 'READY' }]), callOptions()),
    );
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('bulkPath "delete_videos"');
    expect(error.message).toContain('"bulk_delete"');
  });

  it('accepts the older 200 {"message"} answers as well as 204', async () => {
    const simulator = await start({ answerStyle: 'old' });
    const provider = providerFor(simulator);
    const [id] = simulator.seed([{ state: 'READY' }]) as [string];
    expect(await provider.doDeleteVideos([id], callOptions())).toEqual([{ status: 'DELETED' }]);
    expect(simulator.stateOf(id)).toBe('SOFT_DELETED');
  });

  for (const shape of ['map-string', 'map-object', 'uuid-list', 'object-list', 'empty'] as const) {
    it(`maps each refused video to its outcome when failed_videos is ${shape}`, async () => {
      const simulator = await start({ failedVideosShape: shape });
      const logger = new CapturingLogger();
      const provider = providerFor(simulator, {}, logger);
      const ids = simulator.addVideos([
        { status: 'process-completed' },
        { status: 'uploaded' },
        { status: 'process-completed', coid: simulator.foreignCoid },
        { status: 'process-completed', settledAgoMs: HOUR },
        { status: 'process-failed', settledAgoMs: 5 * HOUR },
        { status: 'ready-to-upload' },
        { status: 'process-failed', settledAgoMs: HOUR / 2 },
      ]);
      const missing = simulator.missingId();
      const batch = [ids[0]!, ids[1]!, missing, ...ids.slice(2)];
      const outcomes = await provider.doDeleteVideos(batch, callOptions());
      expect(summary(outcomes)).toEqual([
        'DELETED',
        'FAILED:IN_PROCESSING',
        'NOT_FOUND',
        'FAILED:FORBIDDEN',
        'FAILED:TOO_RECENT',
        'DELETED',
        'FAILED:IN_PROCESSING',
        'FAILED:TOO_RECENT',
      ]);
      const deletes = simulator.calls().filter((recorded) => recorded.method === 'DELETE');
      expect(deletes, 'one bulk request, nothing retried').toHaveLength(1);
      expect(deletes[0]?.ids).toEqual(batch);

      const recent = outcomes[4] as Extract<DeleteOutcome, { status: 'FAILED' }>;
      const deletableAt = new Date(simulator.video(ids[3]!)!.updatedAt + 4 * HOUR);
      expect(recent.error.message).toContain(deletableAt.toISOString());
      // Deletable later, from a known time, and not worth retrying now: hours away.
      expect(recent.error).toMatchObject({ retryable: true, transient: false, retryAfter: deletableAt });
      expect(recent.error.retryAfterMs).toBeGreaterThan(2 * HOUR);
      expect(recent.error.retryAfterMs).toBeLessThanOrEqual(3 * HOUR);
      const processing = outcomes[1] as Extract<DeleteOutcome, { status: 'FAILED' }>;
      expect(processing.error.message).toContain('status uploaded');
      // Deletable once processing ends, at a time nobody knows.
      expect(processing.error).toMatchObject({ retryable: true, transient: false });
      expect(processing.error.retryAfter).toBeUndefined();
      const forbidden = outcomes[3] as Extract<DeleteOutcome, { status: 'FAILED' }>;
      expect(forbidden.error.retryable).toBe(false);
      expect(forbidden.error.message).toContain('another company');
      expect(simulator.stateOf(ids[1]!)).toBe('PRESENT');
      expect(simulator.stateOf(ids[2]!)).toBe('PRESENT');
      // Only the answer that names no failed video makes the plugin ask about every video.
      const warned = logger.lines.some((line) => line.includes('does not say which videos failed'));
      expect(warned).toBe(shape === 'empty');
    });
  }

  it('refuses a too recent video with the time it becomes deletable, and deletes it once that time has come', async () => {
    let offset = 0;
    const simulator = await start({ now: () => Date.now() + offset });
    const provider = providerFor(simulator);
    const [id] = simulator.addVideos([{ status: 'process-completed', settledAgoMs: HOUR }]) as [string];
    const [refused] = await provider.doDeleteVideos([id], callOptions());
    expect(refused?.status).toBe('FAILED');
    const error = (refused as Extract<DeleteOutcome, { status: 'FAILED' }>).error;
    expect(error.code).toBe('TOO_RECENT');
    expect(error.message).toContain(`before ${new Date(simulator.video(id)!.updatedAt + 4 * HOUR).toISOString()}`);
    expect(error.retryAfterMs).toBeGreaterThan(2 * HOUR);
    expect(error).toMatchObject({
      retryable: true,
      transient: false,
      retryAfter: new Date(simulator.video(id)!.updatedAt + 4 * HOUR),
    });
    expect(requests(simulator)).toEqual([`DELETE {base}/${id}`, `GET {base}/${id}`]);

    offset = 3 * HOUR + 60_000;
    expect(await provider.doDeleteVideos([id], callOptions())).toEqual([{ status: 'DELETED' }]);
  });

  it('maps single-delete refusals: processing, another company, not found, already deleted', async () => {
    const simulator = await start({ errorBody: 'error' });
    const provider = providerFor(simulator);
    const [processing, foreign, ready] = simulator.addVideos([
      { status: 'in-progress' },
      { status: 'process-completed', coid: simulator.foreignCoid },
      { status: 'process-completed' },
    ]) as [string, string, string];
    expect(summary(await provider.doDeleteVideos([processing], callOptions()))).toEqual(['FAILED:IN_PROCESSING']);
    expect(summary(await provider.doDeleteVideos([foreign], callOptions()))).toEqual(['FAILED:FORBIDDEN']);
    expect(summary(await provider.doDeleteVideos([simulator.missingId()], callOptions()))).toEqual(['NOT_FOUND']);
    expect(summary(await provider.doDeleteVideos([ready], callOptions()))).toEqual(['DELETED']);
    expect(summary(await provider.doDeleteVideos([ready], callOptions()))).toEqual(['NOT_FOUND']);
  });

  it('answers ids that cannot be uuids as not found without sending them, and each duplicate once', async () => {
    const simulator = await start();
    const provider = providerFor(simulator);
    const [a, b] = simulator.seed([{ state: 'READY' }, { state: 'READY' }]) as [string, string];
    expect(summary(await provider.doDeleteVideos(['deleted', a, 'x/y', ' '], callOptions()))).toEqual([
      'NOT_FOUND',
      'DELETED',
      'NOT_FOUND',
      'NOT_FOUND',
    ]);
    expect(requests(simulator)).toEqual([`DELETE {base}/${a}`]);
    simulator.resetCalls();
    const [c] = simulator.seed([{ state: 'READY' }]) as [string];
    expect(summary(await provider.doDeleteVideos([b, c, b], callOptions()))).toEqual(['DELETED', 'DELETED', 'DELETED']);
    expect(simulator.calls()[0]?.ids).toEqual([b, c]);
  });

  it('refuses an empty or oversized batch without a request', async () => {
    const simulator = await start();
    const provider = providerFor(simulator);
    expect((await providerRejection(provider.doDeleteVideos([], callOptions()))).code).toBe('INVALID_REQUEST');
    const error = await providerRejection(
      provider.doDeleteVideos(
        Array.from({ length: 51 }, () => simulator.missingId()),
        callOptions(),
      ),
    );
    expect(error.message).toBe('omegastream deletes 1 to 50 videos per call, got 51');
    expect(simulator.calls()).toHaveLength(0);
  });

  it('falls back to the reason when looking a refused video up fails, and still reports the deleted ones', async () => {
    // One request per key for years: the bulk call gets through and every lookup after it is throttled.
    const simulator = await start({
      rateLimit: { limit: 1, windowMs: 10 * 365 * 24 * HOUR },
      throttle: { retryAfter: 'none' },
    });
    const logger = new CapturingLogger();
    const provider = providerFor(simulator, {}, logger);
    const [ready, recent] = simulator.addVideos([
      { status: 'process-completed' },
      { status: 'process-completed', settledAgoMs: HOUR },
    ]) as [string, string];
    const outcomes = await provider.doDeleteVideos([ready, recent], callOptions());
    expect(summary(outcomes)).toEqual(['DELETED', 'FAILED:IN_PROCESSING']);
    const refused = outcomes[1] as Extract<DeleteOutcome, { status: 'FAILED' }>;
    expect(refused.error.message).toContain('still processing, or finished less than 4 hours ago');
    expect(refused.error.message).toContain('the video should be completed processing or failed for more than 4 hours');
    expect(simulator.stateOf(ready)).toBe('SOFT_DELETED');
    expect(
      logger.lines.some((line) => line.includes('lookup of a refused video failed') && line.includes('RATE_LIMITED')),
    ).toBe(true);
  });
});

describe('omegastream whole-call failures', () => {
  it('throws UNAUTHORIZED for a wrong key, naming no key', async () => {
    const simulator = await start();
    const provider = providerFor(simulator, { apiKey: 'omega_sk_wrong_key_123' });
    const error = await providerRejection(provider.doDeleteVideos(simulator.videoIds.slice(0, 2), callOptions()));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toBe('omegastream answered 401: invalid api key');
    expect(errorText(error)).not.toContain('omega_sk_wrong_key_123');
  });

  it('throws RATE_LIMITED with the wait the simulator asked for, without retrying the write', async () => {
    const simulator = await start({ rateLimit: { limit: 1, windowMs: 60_000 } });
    const provider = providerFor(simulator);
    const ids = simulator.seed([{ state: 'READY' }, { state: 'READY' }]);
    await provider.doDeleteVideos([ids[0]!], callOptions());
    const error = await providerRejection(provider.doDeleteVideos([ids[1]!], callOptions()));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(simulator.calls().filter((recorded) => recorded.status === 429)).toHaveLength(1);
    expect(simulator.stateOf(ids[1]!)).toBe('PRESENT');
  });

  it('counts a throttling message under another status as throttling, and reads an HTTP-date Retry-After', async () => {
    const simulator = await start({ throttle: { status: 503, retryAfter: 'http-date' } });
    const provider = providerFor(simulator);
    simulator.failNext('throttle', 1);
    const error = await providerRejection(provider.doDeleteVideos(simulator.seed([{ state: 'READY' }]), callOptions()));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfterMs).toBeTypeOf('number');
  });

  it('throws a retryable PROVIDER_ERROR on a 500, after one request', async () => {
    const simulator = await start();
    const provider = providerFor(simulator);
    simulator.failNext('server-error', 1);
    const error = await providerRejection(
      provider.doDeleteVideos(simulator.seed([{ state: 'READY' }, { state: 'READY' }]), callOptions()),
    );
    expect(error.code).toBe('PROVIDER_ERROR');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('omegastream answered 500: internal server error');
    expect(simulator.calls()).toHaveLength(1);
  });
});

describe('omegastream doRestoreVideo', () => {
  it('reverts with the status the video had when deleted, read from the video itself', async () => {
    const simulator = await start();
    const provider = providerFor(simulator);
    const [id] = simulator.addVideos([{ status: 'process-failed', settledAgoMs: 10 * HOUR }]) as [string];
    await provider.doDeleteVideos([id], callOptions());
    simulator.resetCalls();
    const outcome = await provider.doRestoreVideo!(id, callOptions());
    expect(outcome).toMatchObject({ status: 'RESTORED', video: { id, status: 'FAILED', deletedAt: null } });
    expect(requests(simulator)).toEqual([
      `GET {base}/${id}`,
      `POST {base}/revert_deletion/${id}?status=process-failed`,
    ]);
    expect(simulator.video(id)?.status).toBe('process-failed');
    expect(simulator.stateOf(id)).toBe('PRESENT');
  });

  it('finds the status in the deleted list, page by page, when lookups hide deleted videos', async () => {
    const simulator = await start({ deletedLookup: 'hidden', maxPageSize: 2, answerStyle: 'old' });
    const provider = providerFor(simulator);
    const ids = simulator.addVideos(
      Array.from({ length: 5 }, () => ({ status: 'process-completed' as const, deletedAgoMs: HOUR })),
    );
    const outcome = await provider.doRestoreVideo!(ids[4]!, callOptions());
    expect(outcome.status).toBe('RESTORED');
    expect(requests(simulator)).toEqual([
      `GET {base}/${ids[4]}`,
      'GET {base}/deleted?page=1&limit=100',
      'GET {base}/deleted?page=2&limit=100',
      'GET {base}/deleted?page=3&limit=100',
      `POST {base}/revert_deletion/${ids[4]}?status=process-completed`,
    ]);
  });

  it('reverts without a status when the deleted list is too long to search, letting OmegaStream decide', async () => {
    const simulator = await start({ deletedLookup: 'hidden', maxPageSize: 1, revertStatus: 'optional', videoCount: 0 });
    const provider = providerFor(simulator);
    const ids = simulator.addVideos(
      Array.from({ length: 25 }, () => ({ status: 'process-completed' as const, deletedAgoMs: HOUR })),
    );
    const outcome = await provider.doRestoreVideo!(ids[24]!, callOptions());
    expect(outcome).toEqual({ status: 'RESTORED', video: null });
    const sent = requests(simulator);
    expect(sent.filter((request) => request.startsWith('GET {base}/deleted'))).toHaveLength(20);
    expect(sent.at(-1)).toBe(`POST {base}/revert_deletion/${ids[24]}`);
  });

  it('answers NOT_FOUND for a video it does not have, or one purged after the retention', async () => {
    let offset = 0;
    const simulator = await start({ retentionMs: 24 * HOUR, now: () => Date.now() + offset });
    const provider = providerFor(simulator);
    expect(await provider.doRestoreVideo!(simulator.missingId(), callOptions())).toEqual({ status: 'NOT_FOUND' });
    const [id] = simulator.seed([{ state: 'READY' }]) as [string];
    await provider.doDeleteVideos([id], callOptions());
    offset = 25 * HOUR;
    expect(await provider.doRestoreVideo!(id, callOptions())).toEqual({ status: 'NOT_FOUND' });
    expect(await provider.doRestoreVideo!('deleted', callOptions())).toEqual({ status: 'NOT_FOUND' });
  });

  it('refuses a video that is not deleted, unless a retry finds its own earlier revert done', async () => {
    const simulator = await start();
    const provider = providerFor(simulator);
    const [id] = simulator.seed([{ state: 'READY' }]) as [string];
    const first = await provider.doRestoreVideo!(id, callOptions({ attempt: 1 }));
    expect(first).toMatchObject({ status: 'FAILED', error: { code: 'NOT_DELETED', retryable: false } });
    expect(await provider.doRestoreVideo!(id, callOptions({ attempt: 2 }))).toMatchObject({
      status: 'RESTORED',
      video: { id, status: 'READY' },
    });
    expect(simulator.calls().filter((recorded) => recorded.method === 'POST')).toHaveLength(0);
  });

  it("refuses another company's video as FORBIDDEN", async () => {
    const simulator = await start();
    const [id] = simulator.addVideos([
      { status: 'process-completed', coid: simulator.foreignCoid, deletedAgoMs: HOUR },
    ]) as [string];
    expect(await providerFor(simulator).doRestoreVideo!(id, callOptions())).toMatchObject({
      status: 'FAILED',
      error: { code: 'FORBIDDEN', retryable: false },
    });
  });
});

describe('omegastream doGetVideos and doListVideos', () => {
  it('maps every status, deleted_at, and answers null for missing, foreign and impossible ids', async () => {
    const simulator = await start();
    const provider = providerFor(simulator, { restoreWindowDays: 30 });
    const ids = simulator.addVideos([
      { status: 'ready-to-upload', title: 'a' },
      { status: 'uploaded' },
      { status: 'in-progress' },
      { status: 'process-failed' },
      { status: 'process-completed', title: 'done' },
      { status: 'process-completed', deletedAgoMs: HOUR },
      { status: 'process-completed', coid: simulator.foreignCoid },
    ]);
    const videos = await provider.doGetVideos([...ids, simulator.missingId(), 'deleted'], callOptions());
    expect(videos.map((video) => video?.status ?? null)).toEqual([
      'PROCESSING',
      'PROCESSING',
      'PROCESSING',
      'FAILED',
      'READY',
      'DELETED',
      null,
      null,
      null,
    ]);
    expect(videos[0]).toMatchObject({ id: ids[0], title: 'a', deletedAt: null, restorableUntil: null });
    expect(videos[4]?.createdAt).toEqual(new Date(simulator.video(ids[4]!)!.createdAt));
    const deletedAt = simulator.video(ids[5]!)!.deletedAt!;
    expect(videos[5]).toMatchObject({
      deletedAt: new Date(deletedAt),
      restorableUntil: new Date(deletedAt + 30 * 86_400_000),
    });
    expect(simulator.calls().map((recorded) => recorded.ids[0])).not.toContain('deleted');
  });

  it('leaves a throttled lookup to the host: one request, RATE_LIMITED with the wait asked for', async () => {
    const simulator = await start();
    const provider = providerFor(simulator);
    simulator.failNext('throttle', 1);
    const error = await provider
      .doGetVideos([simulator.videoIds[0]!], callOptions())
      .catch((reason: unknown) => reason);
    expect(UnreelProviderError.isInstance(error) && error.code).toBe('RATE_LIMITED');
    expect((error as UnreelProviderError).retryAfterMs).toBeTypeOf('number');
    expect(simulator.calls().map((recorded) => recorded.status)).toEqual([429]);
    // The host's next attempt, after the pause, succeeds.
    const [video] = await provider.doGetVideos([simulator.videoIds[0]!], callOptions());
    expect(video?.id).toBe(simulator.videoIds[0]);
  });

  it('pages through its own live videos once each, in the page size the server serves', async () => {
    const simulator = await start({ videoCount: 12, maxPageSize: 2 });
    const provider = providerFor(simulator);
    const own = simulator.videoIds.filter((id) => simulator.video(id)?.coid === simulator.coid);
    const [gone] = simulator.seed([{ state: 'READY' }]) as [string];
    await provider.doDeleteVideos([gone], callOptions());
    simulator.resetCalls();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await provider.doListVideos!(
        { limit: 5, ...(cursor === undefined ? {} : { cursor }) },
        callOptions(),
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((video) => video.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    // Deleted and foreign videos are not listed.
    expect(seen).toEqual(own);
    const limits = simulator.calls().map((recorded) => recorded.query.limit);
    expect(limits).toEqual(['5', ...limits.slice(1).map(() => '2')]);
    expect(limits.length).toBe(Math.ceil(own.length / 2));
  });

  it('refuses a malformed cursor and one counted in larger pages than asked', async () => {
    const simulator = await start({ videoCount: 10 });
    const provider = providerFor(simulator);
    expect(
      (await providerRejection(provider.doListVideos!({ limit: 5, cursor: 'not-a-cursor' }, callOptions()))).code,
    ).toBe('INVALID_REQUEST');
    const first = await provider.doListVideos!({ limit: 4 }, callOptions());
    const error = await providerRejection(
      provider.doListVideos!({ limit: 2, cursor: first.nextCursor! }, callOptions()),
    );
    expect(error.message).toBe('omegastream: this cursor pages by 4 videos; ask for at least 4 per page');
  });
});

describe('omegastream reading of undocumented answers', () => {
  const variants = JSON.parse(
    readFileSync(new URL('./fixtures/failed-videos-variants.json', import.meta.url), 'utf8'),
  ) as Record<string, { value: unknown; reasons: Record<string, string | null>; unreadable: number }>;
  for (const [name, variant] of Object.entries(variants)) {
    it(`reads failed_videos as ${name}`, () => {
      const parsed = parseFailedVideos(variant.value);
      expect(Object.fromEntries([...parsed.reasons].map(([uuid, reason]) => [uuid, reason ?? null]))).toEqual(
        variant.reasons,
      );
      expect(parsed.unreadable).toBe(variant.unreadable);
    });
  }

  it('says when a too recent video becomes deletable, and lets the host retry at once only when that is within a minute', () => {
    const now = Date.parse('2026-05-01T12:00:00.000Z');
    const settledAgo = (ms: number) => ({
      found: 'video' as const,
      video: { uuid: 'v', status: 'process-completed', updated_at: new Date(now - ms).toISOString() },
    });
    const refusal = { id: 'v', reason: undefined, kind: 'TOO_RECENT' as const };
    const hoursAway = outcomeOfRefusal(refusal, settledAgo(HOUR), now, []);
    expect(hoursAway).toMatchObject({
      status: 'FAILED',
      error: { code: 'TOO_RECENT', retryable: true, transient: false, retryAfter: new Date(now + 3 * HOUR) },
    });
    const soon = outcomeOfRefusal(refusal, settledAgo(4 * HOUR - 30_000), now, []);
    expect(soon).toMatchObject({
      status: 'FAILED',
      error: { retryable: true, transient: true, retryAfterMs: 30_000, retryAfter: new Date(now + 30_000) },
    });
    // Without the video's own times, only the refusal's words: deletable later, from a time nobody said.
    const unknown = outcomeOfRefusal(refusal, { found: 'unknown' }, now, []);
    expect(unknown).toMatchObject({ status: 'FAILED', error: { retryable: true, transient: false } });
    expect((unknown as Extract<DeleteOutcome, { status: 'FAILED' }>).error.retryAfter).toBeUndefined();
  });

  it('classifies refusal wordings', () => {
    expect(classifyReason('the video should be completed processing or failed for more than 4 hours')).toBe(
      'NOT_YET_DELETABLE',
    );
    expect(classifyReason('video not found')).toBe('NOT_FOUND');
    expect(classifyReason('video_not_found: no such video')).toBe('NOT_FOUND');
    expect(classifyReason("video doesn't exist")).toBe('NOT_FOUND');
    expect(classifyReason('video does not belong to your company')).toBe('FORBIDDEN');
    expect(classifyReason('forbidden')).toBe('FORBIDDEN');
    expect(classifyReason('video is not owned by this company')).toBe('FORBIDDEN');
    expect(classifyReason('video is still processing')).toBe('IN_PROCESSING');
    expect(classifyReason('video status is in-progress')).toBe('IN_PROCESSING');
    expect(classifyReason('video was processed too recently')).toBe('TOO_RECENT');
    expect(classifyReason('video completed less than 4h ago')).toBe('TOO_RECENT');
    expect(classifyReason('videos can only be deleted more than 4 hours after processing')).toBe('NOT_YET_DELETABLE');
    expect(classifyReason('video is already deleted')).toBe('ALREADY_DELETED');
    expect(classifyReason('video is not marked for deletion')).toBe('NOT_DELETED');
    expect(classifyReason('video is not deleted')).toBe('NOT_DELETED');
    expect(classifyReason('database timeout')).toBe('UNKNOWN');
    expect(classifyReason(undefined)).toBe('UNKNOWN');
  });
});

describe('omegastream doListVideos with a status filter', () => {
  async function listAll(provider: VideoProviderV1, status: readonly ProviderVideoStatus[]): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await provider.doListVideos!(
        { limit: 100, filter: { status }, ...(cursor === undefined ? {} : { cursor }) },
        callOptions(),
      );
      ids.push(...page.items.map((video) => video.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return ids;
  }

  it('lists PROCESSING as one listing per OmegaStream status, exactly, over a 20,000-video library', async () => {
    const simulator = await start({ videoCount: 20_000 });
    const provider = providerFor(simulator);
    const ids = await listAll(provider, ['PROCESSING']);
    const ours = simulator.videoIds
      .map((uuid) => simulator.video(uuid)!)
      .filter((video) => video.coid === simulator.coid);
    const expected = ['ready-to-upload', 'uploaded', 'in-progress'].flatMap((status) =>
      ours.filter((video) => video.status === status).map((video) => video.uuid),
    );
    expect(expected.length).toBeGreaterThan(100);
    expect(ids).toEqual(expected);
    const asked = simulator.calls().map((call) => call.query.status);
    expect(new Set(asked)).toEqual(new Set(['ready-to-upload', 'uploaded', 'in-progress']));
    expect(await listAll(provider, [])).toEqual([]);
  });

  it('shifts: videos deleted from page 1 pull the next ones up, so page 2 starts later and skips them', async () => {
    const simulator = await start({ videoCount: 0 });
    const provider = providerFor(simulator);
    const original = simulator.seed(Array.from({ length: 300 }, () => ({ state: 'READY' as const })));
    const filter = { status: ['READY'] as ProviderVideoStatus[] };
    const first = await provider.doListVideos!({ limit: 100, filter }, callOptions());
    expect(first.items.map((video) => video.id)).toEqual(original.slice(0, 100));
    // One DELETE /delete_videos of 20 videos from page 1, as a selection deleting while it lists would send.
    const outcomes = await provider.doDeleteVideos(original.slice(0, 20), callOptions());
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(20).fill('DELETED'));
    const second = await provider.doListVideos!({ limit: 100, filter, cursor: first.nextCursor! }, callOptions());
    // Page 2 counts in what is left: the 20 videos after page 1 moved onto it, and this pass never sees them.
    expect(second.items.map((video) => video.id)).toEqual(original.slice(120, 220));
  });
});
