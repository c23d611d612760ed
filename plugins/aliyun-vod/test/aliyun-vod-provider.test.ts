import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { aliyunVodSettingsSchema } from '@unreel/plugin-aliyun-vod';
import { classifyAliyunCode } from '../src/aliyun-vod-errors.js';
import { resolveVodEndpoint } from '../src/aliyun-vod-settings.js';
import { startSimulator, type AliyunVodSimulator, type VodStatus } from '@unreel/plugin-aliyun-vod/simulator';
import { callOptions, errorText, providerRejection } from '@unreel/provider-testkit';
import { createProvider, logger, providerFor } from './aliyun-vod-test-provider.js';

const variants = [
  { signatureVersion: 'v3', method: 'POST' },
  { signatureVersion: 'v3', method: 'GET' },
  { signatureVersion: 'v2', method: 'POST' },
  { signatureVersion: 'v2', method: 'GET' },
] as const;

describe.each(variants)('signature $signatureVersion over $method', (variant) => {
  let simulator: AliyunVodSimulator;
  beforeAll(async () => {
    simulator = await startSimulator({ videoCount: 0, rateLimit: false });
  });
  afterAll(() => simulator.close());

  it('deletes a batch in one signed request with one outcome per id, in order', async () => {
    const provider = providerFor(simulator, variant);
    const [ready, uploading, forbidden] = await simulator.seed([
      { state: 'READY' },
      { state: 'PROCESSING' },
      { state: 'FORBIDDEN' },
    ]);
    const missing = simulator.missingId();
    simulator.resetCalls();
    const outcomes = await provider.doDeleteVideos([ready!, missing, forbidden!, uploading!], callOptions());
    expect(
      outcomes.map((outcome) => (outcome.status === 'FAILED' ? `FAILED:${outcome.error.code}` : outcome.status)),
    ).toEqual(['DELETED', 'NOT_FOUND', 'FAILED:FORBIDDEN', 'DELETED']);
    expect(outcomes[0]).toEqual({ status: 'DELETED', restorableUntil: null });
    const calls = simulator.calls();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      method: variant.method,
      path: '/',
      status: 200,
      ids: [ready, missing, forbidden, uploading],
    });
    expect(simulator.authLog().at(-1)).toMatchObject({ scheme: variant.signatureVersion, outcome: 'accepted' });
    expect([ready, uploading].map((id) => simulator.stateOf(id!))).toEqual(['GONE', 'GONE']);
    expect(simulator.stateOf(forbidden!)).toBe('PRESENT');
    expect(await provider.doGetVideos([ready!, forbidden!], callOptions())).toMatchObject([
      null,
      { id: forbidden, status: 'READY' },
    ]);
  });

  it('answers UNAUTHORIZED to a wrong secret, without the secret or the signature in the error', async () => {
    const secret = 'a-wrong-but-long-secret-value';
    const provider = providerFor(simulator, { ...variant, accessKeySecret: secret });
    const [id] = await simulator.seed([{ state: 'READY' }]);
    const error = await providerRejection(provider.doDeleteVideos([id!], callOptions()));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(400);
    expect(error.message).toContain('SignatureDoesNotMatch');
    // Alibaba echoes its string to sign, which may carry an STS token: the plugin drops it.
    expect(error.message).not.toMatch(/string ?to ?sign/i);
    expect(errorText(error)).not.toContain(secret);
    expect(simulator.stateOf(id!)).toBe('PRESENT');
  });

  it('answers UNAUTHORIZED to an unknown AccessKeyId, whose 404 is not an all-missing answer', async () => {
    const provider = providerFor(simulator, { ...variant, accessKeyId: 'LTAI-nobody' });
    const [id] = await simulator.seed([{ state: 'READY' }]);
    const error = await providerRejection(provider.doDeleteVideos([id!], callOptions()));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toContain('InvalidAccessKeyId.NotFound');
    expect((await providerRejection(provider.doGetVideos([id!], callOptions()))).code).toBe('UNAUTHORIZED');
  });

  it('works with STS credentials, the token signed along', async () => {
    const sts = await startSimulator({
      videoCount: 0,
      rateLimit: false,
      securityToken: 'CAIS-simulated-sts-token-0001',
    });
    try {
      const [id] = await sts.seed([{ state: 'READY' }]);
      const withToken = providerFor(sts, { ...variant, securityToken: 'CAIS-simulated-sts-token-0001' });
      expect((await withToken.doGetVideos([id!], callOptions()))[0]?.id).toBe(id);
      const withoutToken = providerFor(sts, variant);
      const error = await providerRejection(withoutToken.doDeleteVideos([id!], callOptions()));
      expect(error.code).toBe('UNAUTHORIZED');
      const wrongToken = providerFor(sts, { ...variant, securityToken: 'CAIS-some-other-token-9999' });
      const wrong = await providerRejection(wrongToken.doDeleteVideos([id!], callOptions()));
      expect(wrong.code).toBe('UNAUTHORIZED');
      expect(errorText(wrong)).not.toContain('CAIS-some-other-token-9999');
      expect(sts.stateOf(id!)).toBe('PRESENT');
    } finally {
      await sts.close();
    }
  });
});

describe('aliyun-vod provider', () => {
  let simulator: AliyunVodSimulator;
  beforeAll(async () => {
    simulator = await startSimulator({ videoCount: 0, rateLimit: false });
  });
  afterAll(() => simulator.close());
  afterEach(() => simulator.resetCalls());

  describe('capabilities and settings', () => {
    it('declares 20 ids per call, physical deletion, the 30 QPS quota and what GetVideoList filters', () => {
      const provider = providerFor(simulator);
      expect(provider.capabilities).toEqual({
        maxBatchSize: 20,
        restore: false,
        requestsPerSecond: 30,
        maxLookupBatchSize: 20,
        listFilters: { createdBefore: true, createdAfter: true, status: ['PROCESSING', 'READY', 'FAILED'] },
      });
      expect(provider.doRestoreVideo).toBeUndefined();
      expect(providerFor(simulator, { requestsPerSecond: 100 }).capabilities.requestsPerSecond).toBe(100);
    });

    it('defaults to V3 over POST in cn-shanghai, and resolves regions as the official SDK does', () => {
      const settings = aliyunVodSettingsSchema.parse({ accessKeyId: 'id', accessKeySecret: 'secret' });
      expect(settings).toMatchObject({
        signatureVersion: 'v3',
        method: 'POST',
        regionId: 'cn-shanghai',
        timeoutMs: 10_000,
      });
      expect(resolveVodEndpoint(settings)).toBe('https://vod.cn-shanghai.aliyuncs.com');
      expect(resolveVodEndpoint({ regionId: 'ap-southeast-1' })).toBe('https://vod.ap-southeast-1.aliyuncs.com');
      expect(resolveVodEndpoint({ regionId: 'cn-hangzhou' })).toBe('https://vod.cn-shanghai.aliyuncs.com');
      expect(resolveVodEndpoint({ regionId: 'us-east-1' })).toBe('https://vod.aliyuncs.com');
      expect(resolveVodEndpoint({ regionId: 'cn-beijing', endpoint: 'http://127.0.0.1:9000/' })).toBe(
        'http://127.0.0.1:9000',
      );
    });

    it('refuses bad settings naming the field', () => {
      const issues = (input: unknown) =>
        aliyunVodSettingsSchema.safeParse(input).error?.issues.map((issue) => issue.path.join('.')) ?? [];
      expect(issues({ accessKeyId: 'id' })).toEqual(['accessKeySecret']);
      expect(issues({ accessKeyId: 'id', accessKeySecret: 's', regionId: 'CN Shanghai' })).toEqual(['regionId']);
      expect(issues({ accessKeyId: 'id', accessKeySecret: 's', signatureVersion: 'v4' })).toEqual(['signatureVersion']);
      expect(issues({ accessKeyId: 'id', accessKeySecret: 's', endpoint: 'ftp://x' })).toEqual(['endpoint']);
      expect(issues({ accessKeyId: 'id', accessKeySecret: 's', callbackAuthKey: 'k' })).toEqual(['callbackUrl']);
      expect(issues({ accessKeyId: 'id', accessKeySecret: 's', apiKey: 'x' })).toEqual(['']);
    });
  });

  describe('doDeleteVideos', () => {
    it('answers NOT_FOUND for every id when VOD answers the all-missing 404', async () => {
      const provider = providerFor(simulator);
      const ids = [simulator.missingId(), simulator.missingId()];
      expect(await provider.doDeleteVideos(ids, callOptions())).toEqual([
        { status: 'NOT_FOUND' },
        { status: 'NOT_FOUND' },
      ]);
      expect(simulator.calls().map((call) => call.status)).toEqual([404]);
    });

    it('reads the old UnRemoveableVideoIds field as forbidden', async () => {
      const legacy = await startSimulator({ videoCount: 0, rateLimit: false, legacyForbiddenField: true });
      try {
        const [forbidden, ready] = await legacy.seed([{ state: 'FORBIDDEN' }, { state: 'READY' }]);
        const outcomes = await providerFor(legacy).doDeleteVideos([forbidden!, ready!], callOptions());
        expect(outcomes[0]).toMatchObject({ status: 'FAILED', error: { code: 'FORBIDDEN', retryable: false } });
        expect(outcomes[1]?.status).toBe('DELETED');
      } finally {
        await legacy.close();
      }
    });

    it('refuses an id that would corrupt the comma-separated list, and sends the others', async () => {
      const provider = providerFor(simulator);
      const [id] = await simulator.seed([{ state: 'READY' }]);
      const outcomes = await provider.doDeleteVideos(['a,b', id!, ' '], callOptions());
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['FAILED', 'DELETED', 'FAILED']);
      expect(outcomes[0]).toMatchObject({ error: { code: 'INVALID_REQUEST', retryable: false } });
      expect(simulator.calls().map((call) => call.ids)).toEqual([[id]]);
      simulator.resetCalls();
      expect((await provider.doDeleteVideos(['x,y'], callOptions()))[0]?.status).toBe('FAILED');
      expect(simulator.calls()).toHaveLength(0);
    });

    it('refuses more than 20 ids before calling VOD', async () => {
      const provider = providerFor(simulator);
      const ids = Array.from({ length: 21 }, () => simulator.missingId());
      const error = await providerRejection(provider.doDeleteVideos(ids, callOptions()));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toContain('1 to 20 ids');
      expect(simulator.calls()).toHaveLength(0);
    });

    it('never retries a write, not even one sent as GET', async () => {
      const provider = providerFor(simulator, { method: 'GET' });
      const [id] = await simulator.seed([{ state: 'READY' }]);
      simulator.failNext('server-error', 1);
      const error = await providerRejection(provider.doDeleteVideos([id!], callOptions()));
      expect(error).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true, status: 503 });
      expect(error.message).toContain('DeleteVideoFailed');
      expect(simulator.calls()).toHaveLength(1);
      expect(simulator.stateOf(id!)).toBe('PRESENT');
    });
  });

  describe('errors are classified by the body Code, whatever the HTTP status', () => {
    const cases = [
      { status: 200, code: 'Throttling.Api', expected: 'RATE_LIMITED', retryable: true },
      { status: 400, code: 'Throttling.User', expected: 'RATE_LIMITED', retryable: true },
      { status: 429, code: 'Throttling', expected: 'RATE_LIMITED', retryable: true },
      { status: 500, code: 'InternalError', expected: 'PROVIDER_ERROR', retryable: true },
      { status: 503, code: 'ServiceUnAvailable', expected: 'PROVIDER_ERROR', retryable: true },
      { status: 503, code: 'DeleteVideoFailed', expected: 'PROVIDER_ERROR', retryable: true },
      { status: 403, code: 'Forbidden', expected: 'FORBIDDEN', retryable: false },
      { status: 403, code: 'OperationDenied.Suspended', expected: 'FORBIDDEN', retryable: false },
      { status: 200, code: 'OperationDenied', expected: 'FORBIDDEN', retryable: false },
      { status: 404, code: 'InvalidAccessKeyId.NotFound', expected: 'UNAUTHORIZED', retryable: false },
      { status: 400, code: 'SignatureDoesNotMatch', expected: 'UNAUTHORIZED', retryable: false },
      { status: 400, code: 'IncompleteSignature', expected: 'UNAUTHORIZED', retryable: false },
      { status: 400, code: 'InvalidTimeStamp.Expired', expected: 'UNAUTHORIZED', retryable: false },
      { status: 400, code: 'SignatureNonceUsed', expected: 'UNAUTHORIZED', retryable: true },
      { status: 400, code: 'VideoIdsExceededMax', expected: 'INVALID_REQUEST', retryable: false },
      { status: 400, code: 'MissingParameter', expected: 'INVALID_REQUEST', retryable: false },
      { status: 400, code: 'InvalidParameter', expected: 'INVALID_REQUEST', retryable: false },
      { status: 502, code: 'SomethingUnheardOf', expected: 'PROVIDER_ERROR', retryable: true },
      { status: 200, code: 'SomethingUnheardOf', expected: 'PROVIDER_ERROR', retryable: false },
    ] as const;

    it.each(cases)('$code at HTTP $status -> $expected', async ({ status, code, expected, retryable }) => {
      const provider = providerFor(simulator);
      const [id] = await simulator.seed([{ state: 'READY' }]);
      simulator.failNextWith({ status, code, message: `simulated ${code}` });
      const error = await providerRejection(provider.doDeleteVideos([id!], callOptions()));
      expect({ code: error.code, retryable: error.retryable, status: error.status }).toEqual({
        code: expected,
        retryable,
        status,
      });
      expect(error.message).toContain(code);
      expect(error.message).toMatch(/RequestId [0-9A-F-]{36}/);
      expect(simulator.stateOf(id!)).toBe('PRESENT');
    });

    it('counts the success codes the official SDK accepts as success', () => {
      expect(classifyAliyunCode('Throttling.Whatever')?.code).toBe('RATE_LIMITED');
      expect(classifyAliyunCode('InvalidSecurityToken.Expired')?.code).toBe('UNAUTHORIZED');
      expect(classifyAliyunCode('MissingVideoIds')?.code).toBe('INVALID_REQUEST');
      expect(classifyAliyunCode('NoSuchThing')).toBeUndefined();
    });
  });

  describe('signing per attempt', () => {
    it.each(['v3', 'v2'] as const)(
      'signs every attempt afresh: a %s read the client retries after a 503 gets a new nonce and succeeds',
      async (signatureVersion) => {
        const provider = providerFor(simulator, { signatureVersion, method: 'GET' });
        const [id] = await simulator.seed([{ state: 'READY' }]);
        simulator.failNext('server-error', 1);
        const before = simulator.authLog().length;
        const [video] = await provider.doGetVideos([id!], callOptions());
        expect(video?.id).toBe(id);
        const attempts = simulator.authLog().slice(before);
        expect(attempts).toHaveLength(2);
        // The first attempt's nonce was spent when VOD accepted its signature, so a replay would be SignatureNonceUsed.
        expect(attempts.map((attempt) => [attempt.scheme, attempt.outcome])).toEqual([
          [signatureVersion, 'accepted'],
          [signatureVersion, 'accepted'],
        ]);
        expect(attempts[0]?.nonce).not.toBe(attempts[1]?.nonce);
        expect(simulator.calls().map((call) => call.status)).toEqual([503, 200]);
      },
    );

    it('fails fast with a word about the clock when VOD finds the timestamp expired', async () => {
      const skewed = await startSimulator({ videoCount: 1, rateLimit: false, now: () => Date.now() + 20 * 60_000 });
      try {
        for (const signatureVersion of ['v3', 'v2'] as const) {
          const error = await providerRejection(
            providerFor(skewed, { signatureVersion }).doDeleteVideos(skewed.videoIds, callOptions()),
          );
          expect(error).toMatchObject({ code: 'UNAUTHORIZED', retryable: false });
          expect(error.message).toContain('InvalidTimeStamp.Expired');
          expect(error.message).toContain('clock');
        }
        expect(skewed.stateOf(skewed.videoIds[0]!)).toBe('PRESENT');
      } finally {
        await skewed.close();
      }
    });
  });

  describe('throttling', () => {
    it('answers RATE_LIMITED when the account exceeds its QPS quota, shared by every action', async () => {
      // A pinned clock: the quota's window cannot end between these requests, however slow the machine.
      const pinned = Date.now();
      const limited = await startSimulator({
        videoCount: 3,
        rateLimit: { limit: 2, windowMs: 60_000 },
        now: () => pinned,
      });
      try {
        const provider = providerFor(limited);
        await provider.doListVideos!({ limit: 10 }, callOptions());
        await provider.doGetVideos(limited.videoIds, callOptions());
        const error = await providerRejection(provider.doDeleteVideos(limited.videoIds, callOptions()));
        expect(error).toMatchObject({ code: 'RATE_LIMITED', retryable: true, status: 503 });
        expect(error.message).toContain('Throttling.User: Request was denied due to user flow control.');
        // VOD documents no Retry-After, so the provider has nothing to say about when.
        expect(error.retryAfterMs).toBeUndefined();
        expect(limited.videoIds.map((id) => limited.stateOf(id))).toEqual(['PRESENT', 'PRESENT', 'PRESENT']);
      } finally {
        await limited.close();
      }
    });

    it('passes a Retry-After hint on when the simulator is told to send one, at any status', async () => {
      // A pinned clock: the quota's window cannot end between these requests, however slow the machine.
      const pinned = Date.now();
      const limited = await startSimulator({
        videoCount: 1,
        rateLimit: { limit: 1, windowMs: 60_000 },
        throttleStatus: 429,
        throttleRetryAfter: true,
        now: () => pinned,
      });
      try {
        const provider = providerFor(limited);
        await provider.doGetVideos(limited.videoIds, callOptions());
        const error = await providerRejection(provider.doDeleteVideos(limited.videoIds, callOptions()));
        expect(error).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
        expect(error.retryAfterMs).toBeGreaterThan(0);
        expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
      } finally {
        await limited.close();
      }
    });
  });

  describe('doGetVideos and doListVideos', () => {
    const expectedStatus: Record<VodStatus, string> = {
      Uploading: 'PROCESSING',
      UploadSucc: 'PROCESSING',
      Transcoding: 'PROCESSING',
      checking: 'PROCESSING',
      Normal: 'READY',
      Blocked: 'READY',
      UploadFail: 'FAILED',
      TranscodeFail: 'FAILED',
      ProduceFail: 'FAILED',
    };

    it('maps every VOD status, keeps titles and creation times, in the order asked', async () => {
      const provider = providerFor(simulator);
      const statuses = Object.keys(expectedStatus) as VodStatus[];
      const ids = statuses.map((status) => simulator.addVideo({ status, title: `a ${status} video` }));
      const asked = [...ids].reverse();
      const videos = await provider.doGetVideos(asked, callOptions());
      expect(videos.map((video) => video?.id)).toEqual(asked);
      for (const [index, video] of videos.entries()) {
        const status = [...statuses].reverse()[index]!;
        expect(video).toMatchObject({ status: expectedStatus[status], title: `a ${status} video` });
        expect(video?.createdAt).toBeInstanceOf(Date);
      }
      expect(simulator.calls()).toHaveLength(1);
    });

    it('answers null for a missing id and refuses more than 20 ids', async () => {
      const provider = providerFor(simulator);
      const [id] = await simulator.seed([{ state: 'READY' }]);
      expect(await provider.doGetVideos([simulator.missingId(), id!, 'not,an,id'], callOptions())).toMatchObject([
        null,
        { id },
        null,
      ]);
      expect(
        (
          await providerRejection(
            provider.doGetVideos(
              Array.from({ length: 21 }, () => id!),
              callOptions(),
            ),
          )
        ).code,
      ).toBe('INVALID_REQUEST');
    });

    it('pages oldest first with an opaque cursor, even when the host changes its limit', async () => {
      const listed = await startSimulator({ videoCount: 23, rateLimit: false });
      try {
        const provider = providerFor(listed, { method: 'GET' });
        const seen: string[] = [];
        let cursor: string | undefined;
        for (const limit of [10, 7, 3, 100]) {
          const page = await provider.doListVideos!(
            { limit, ...(cursor === undefined ? {} : { cursor }) },
            callOptions(),
          );
          expect(page.items.length).toBeLessThanOrEqual(limit);
          seen.push(...page.items.map((video) => video.id));
          cursor = page.nextCursor ?? undefined;
          if (cursor === undefined) break;
        }
        expect(cursor).toBeUndefined();
        expect(seen).toEqual(listed.videoIds);
        expect(listed.calls().map((call) => call.query.SortBy)).toEqual([
          'CreationTime:Asc',
          'CreationTime:Asc',
          'CreationTime:Asc',
          'CreationTime:Asc',
        ]);
        expect(listed.calls().map((call) => [call.query.PageNo, call.query.PageSize])).toEqual([
          ['1', '10'],
          // offset 10 sits on page 2 of 7 (rows 7-13, 3 skipped); offset 14 on page 5 of 3 (rows 12-14, 2 skipped).
          ['2', '7'],
          ['5', '3'],
          ['1', '100'],
        ]);
      } finally {
        await listed.close();
      }
    });

    it('asks for at most 100 per page and refuses a cursor it did not make', async () => {
      const provider = providerFor(simulator, { method: 'GET' });
      await provider.doListVideos!({ limit: 500 }, callOptions());
      expect(simulator.calls().at(-1)?.query.PageSize).toBe('100');
      expect(
        (await providerRejection(provider.doListVideos!({ limit: 5, cursor: 'not-a-cursor' }, callOptions()))).code,
      ).toBe('INVALID_REQUEST');
    });
  });

  describe('transport failures', () => {
    it('times out without the signed V2 URL, its signature or the STS token anywhere in the error', async () => {
      const slow = await startSimulator({
        videoCount: 1,
        rateLimit: false,
        latencyMs: [500, 500],
        securityToken: 'CAIS-slow-sts-token-0001',
      });
      try {
        const provider = providerFor(slow, {
          signatureVersion: 'v2',
          method: 'GET',
          securityToken: 'CAIS-slow-sts-token-0001',
          timeoutMs: 100,
        });
        const error = await providerRejection(provider.doGetVideos(slow.videoIds, callOptions()));
        expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
        // The transport's error goes on as the cause, scrubbed: a logger that follows causes shows nothing either.
        expect(error.cause).toMatchObject({ name: 'TimeoutError' });
        expect(errorText(error)).not.toMatch(/CAIS-|Signature=|AccessKeyId=/);
        expect(errorText(error.cause as Error)).not.toMatch(/CAIS-|Signature=|AccessKeyId=/);
      } finally {
        await slow.close();
      }
    });

    it('answers NETWORK_ERROR when VOD cannot be reached', async () => {
      const closed = await startSimulator({ videoCount: 0 });
      const url = closed.url;
      await closed.close();
      const provider = createProvider({
        accessKeyId: 'id',
        accessKeySecret: 'secret-value',
        endpoint: url,
        signatureVersion: 'v2',
        method: 'GET',
      });
      const error = await providerRejection(
        provider.doDeleteVideos(['0123456789abcdef0123456789abcdef'], callOptions()),
      );
      expect(error).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
      expect(error.cause).toMatchObject({ code: 'ECONNREFUSED' });
      expect(errorText(error)).not.toContain('Signature=');
      expect(errorText(error.cause as Error)).not.toContain('Signature=');
    });
  });

  it('never logs a credential', () => {
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const line of logger.lines) {
      expect(line).not.toContain(simulator.credentials.accessKeySecret);
      expect(line).not.toContain('CAIS-');
    }
  });
});
