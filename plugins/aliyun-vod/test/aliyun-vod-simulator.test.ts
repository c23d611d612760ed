import { randomUUID } from 'node:crypto';
import RPCClient from '@alicloud/pop-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type AliyunVodSimulator } from '@unreel/plugin-aliyun-vod/simulator';
import { canonicalQueryString, percentEncode } from '../src/aliyun-percent-encode.js';
import { rpcV2CommonParams, signRpcV2 } from '../src/aliyun-signature-v2.js';
import { sha256Hex, signRpcV3 } from '../src/aliyun-signature-v3.js';
import { formatAliyunTimestamp } from '../src/aliyun-timestamp.js';

interface SdkError extends Error {
  code: string;
  data: Record<string, unknown>;
}

function sdk(
  simulator: AliyunVodSimulator,
  accessKeySecret = simulator.credentials.accessKeySecret,
  accessKeyId = simulator.credentials.accessKeyId,
) {
  return new RPCClient({ accessKeyId, accessKeySecret, endpoint: simulator.url, apiVersion: '2017-03-21' });
}

async function sdkError(promise: Promise<unknown>): Promise<SdkError> {
  return promise.then(
    () => {
      throw new Error('expected the SDK to throw');
    },
    (error: unknown) => error as SdkError,
  );
}

/** A V2 request signed by hand: the URL for GET, or the form body for POST. */
function v2(
  simulator: AliyunVodSimulator,
  params: Record<string, string>,
  options: { method?: 'GET' | 'POST'; timestamp?: Date; format?: string | null } = {},
) {
  const method = options.method ?? 'GET';
  const common = rpcV2CommonParams({
    version: '2017-03-21',
    accessKeyId: simulator.credentials.accessKeyId,
    nonce: randomUUID(),
    timestamp: formatAliyunTimestamp(options.timestamp ?? new Date()),
  });
  if (options.format === null) delete common.Format;
  else if (options.format !== undefined) common.Format = options.format;
  const signed = signRpcV2({
    method,
    params: { ...common, ...params },
    accessKeySecret: simulator.credentials.accessKeySecret,
  });
  const wire = `${signed.canonicalQuery}&Signature=${percentEncode(signed.signature)}`;
  return method === 'GET'
    ? { url: `${simulator.url}/?${wire}`, init: { method } }
    : {
        url: `${simulator.url}/`,
        init: { method, body: wire, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      };
}

/** A V3 POST with a form body, signed by hand; `tamper` changes the request after signing. */
function v3(
  simulator: AliyunVodSimulator,
  action: string,
  params: Record<string, string>,
  tamper: { body?: string; signedHeaders?: (value: string) => string } = {},
) {
  const body = canonicalQueryString(Object.entries(params));
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'x-acs-action': action,
    'x-acs-version': '2017-03-21',
    'x-acs-date': formatAliyunTimestamp(new Date()),
    'x-acs-signature-nonce': randomUUID(),
    'x-acs-content-sha256': sha256Hex(body),
  };
  const signed = signRpcV3({
    method: 'POST',
    host: new URL(simulator.url).host,
    query: [],
    headers: Object.entries(headers),
    hashedPayload: headers['x-acs-content-sha256']!,
    accessKeyId: simulator.credentials.accessKeyId,
    accessKeySecret: simulator.credentials.accessKeySecret,
  });
  const authorization = tamper.signedHeaders
    ? signed.authorization.replace(/SignedHeaders=[^,]+/, (value) => tamper.signedHeaders!(value))
    : signed.authorization;
  return fetch(`${simulator.url}/`, {
    method: 'POST',
    body: tamper.body ?? body,
    headers: { ...headers, authorization },
  });
}

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

describe('aliyun-vod simulator', () => {
  let simulator: AliyunVodSimulator;
  beforeAll(async () => {
    simulator = await startSimulator({ rateLimit: false });
  });
  afterAll(() => simulator.close());

  describe('with the official SDK (@alicloud/pop-core)', () => {
    it.each(['GET', 'POST'] as const)('answers GetVideoInfos and DeleteVideo sent as %s', async (method) => {
      const [ready, forbidden] = await simulator.seed([{ state: 'READY', title: 'sdk' }, { state: 'FORBIDDEN' }]);
      const missing = simulator.missingId();
      const client = sdk(simulator);
      const infos = await client.request<Record<string, unknown>>(
        'GetVideoInfos',
        { VideoIds: `${ready},${missing}` },
        { method },
      );
      expect(infos).toMatchObject({
        VideoList: [{ VideoId: ready, Title: 'sdk', Status: 'Normal' }],
        NonExistVideoIds: [missing],
      });
      const deleted = await client.request<Record<string, unknown>>(
        'DeleteVideo',
        { VideoIds: [ready, forbidden, missing].join(',') },
        { method },
      );
      expect(deleted).toMatchObject({ ForbiddenVideoIds: [forbidden], NonExistVideoIds: [missing] });
      expect(deleted.RequestId).toMatch(/^[0-9A-F-]{36}$/);
      expect(simulator.stateOf(ready!)).toBe('GONE');
      expect(simulator.stateOf(forbidden!)).toBe('PRESENT');
      expect(simulator.calls().at(-1)).toMatchObject({ method, ids: [ready, forbidden, missing] });
    });

    it('refuses a wrong secret with SignatureDoesNotMatch and an unknown key with InvalidAccessKeyId.NotFound', async () => {
      const [id] = await simulator.seed([{ state: 'READY' }]);
      const wrongSecret = await sdkError(sdk(simulator, 'not-the-secret').request('DeleteVideo', { VideoIds: id }));
      expect(wrongSecret.code).toBe('SignatureDoesNotMatch');
      expect(wrongSecret.data).toMatchObject({ HostId: 'vod.cn-shanghai.aliyuncs.com', Code: 'SignatureDoesNotMatch' });
      expect(String(wrongSecret.data.Message)).toMatch(
        /^Specified signature is not matched with our calculation\. server string to sign is:GET&%2F&/,
      );
      const unknownKey = await sdkError(
        sdk(simulator, 'whatever', 'LTAI-unknown').request('DeleteVideo', { VideoIds: id }, { method: 'POST' }),
      );
      expect(unknownKey.code).toBe('InvalidAccessKeyId.NotFound');
      expect(simulator.stateOf(id!)).toBe('PRESENT');
    });

    it('enforces 20 ids per call', async () => {
      const ids = Array.from({ length: 21 }, () => simulator.missingId());
      const error = await sdkError(sdk(simulator).request('DeleteVideo', { VideoIds: ids.join(',') }));
      expect(error.code).toBe('VideoIdsExceededMax');
      expect(error.data.Message).toBe('The VideoIds exceeded maximum.');
    });
  });

  describe('the wire', () => {
    it('answers an unsigned request with the RPC error body', async () => {
      const response = await fetch(`${simulator.url}/?Action=DeleteVideo&VideoIds=x`);
      expect(response.status).toBe(400);
      const body = await json(response);
      expect(Object.keys(body).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
      expect(body).toMatchObject({
        Code: 'IncompleteSignature',
        Recommend: 'https://api.aliyun.com/troubleshoot?q=IncompleteSignature&product=vod',
      });
    });

    it('answers V2 requests from the query and from a form body', async () => {
      const [a, b] = await simulator.seed([{ state: 'READY' }, { state: 'READY' }]);
      for (const [method, id] of [
        ['GET', a],
        ['POST', b],
      ] as const) {
        const request = v2(simulator, { Action: 'DeleteVideo', VideoIds: id! }, { method });
        const response = await fetch(request.url, request.init);
        expect(response.status, method).toBe(200);
        expect(simulator.stateOf(id!)).toBe('GONE');
      }
    });

    it('refuses a replayed nonce with SignatureNonceUsed', async () => {
      const request = v2(simulator, { Action: 'GetVideoInfos', VideoIds: simulator.videoIds[0]! });
      expect((await fetch(request.url, request.init)).status).toBe(200);
      const replay = await fetch(request.url, request.init);
      expect(replay.status).toBe(400);
      expect(await json(replay)).toMatchObject({
        Code: 'SignatureNonceUsed',
        Message: 'Specified signature nonce was used already.',
      });
    });

    it('refuses a timestamp more than 15 minutes from its clock, and one that is not yyyy-MM-ddTHH:mm:ssZ', async () => {
      const old = v2(
        simulator,
        { Action: 'GetVideoInfos', VideoIds: 'x' },
        { timestamp: new Date(Date.now() - 16 * 60_000) },
      );
      const response = await fetch(old.url, old.init);
      expect(response.status).toBe(400);
      expect(await json(response)).toMatchObject({
        Code: 'InvalidTimeStamp.Expired',
        Message: 'Specified time stamp or date value is expired.',
      });
      const recent = v2(
        simulator,
        { Action: 'GetVideoInfos', VideoIds: 'x' },
        { timestamp: new Date(Date.now() - 14 * 60_000) },
      );
      expect((await fetch(recent.url, recent.init)).status).toBe(200);
      const malformed = v2(simulator, { Action: 'GetVideoInfos', VideoIds: 'x', Timestamp: '2024-01-01 00:00:00' });
      expect(await json(await fetch(malformed.url, malformed.init))).toMatchObject({ Code: 'InvalidTimeStamp.Format' });
    });

    it('judges timestamps against the clock it is given', async () => {
      let now = Date.now();
      const clocked = await startSimulator({ videoCount: 1, rateLimit: false, now: () => now });
      try {
        const request = v2(clocked, { Action: 'GetVideoInfos', VideoIds: clocked.videoIds[0]! });
        now += 16 * 60_000;
        expect(await json(await fetch(request.url, request.init))).toMatchObject({ Code: 'InvalidTimeStamp.Expired' });
      } finally {
        await clocked.close();
      }
    });

    it('answers XML when Format is XML or, for V2, absent; JSON when asked', async () => {
      const id = simulator.videoIds[1]!;
      for (const format of ['XML', null] as const) {
        const request = v2(simulator, { Action: 'GetVideoInfos', VideoIds: id }, { format });
        const response = await fetch(request.url, request.init);
        expect(response.headers.get('content-type')).toContain('text/xml');
        const text = await response.text();
        expect(text).toMatch(
          /^<\?xml version="1\.0" encoding="UTF-8"\?><GetVideoInfosResponse><RequestId>[0-9A-F-]{36}<\/RequestId><VideoList><VideoId>/,
        );
        expect(text).toContain(`<VideoId>${id}</VideoId>`);
      }
      const refused = v2(simulator, { Action: 'NoSuchAction' }, { format: 'XML' });
      const error = await fetch(refused.url, refused.init);
      expect(error.status).toBe(404);
      expect(await error.text()).toContain('<Error><RequestId>');
    });

    it('verifies ACS3 from the Authorization header, the signed headers and the body hash', async () => {
      const [id] = await simulator.seed([{ state: 'READY' }]);
      const tampered = await v3(
        simulator,
        'DeleteVideo',
        { VideoIds: id! },
        { body: `VideoIds=${simulator.videoIds[2]}` },
      );
      expect(tampered.status).toBe(400);
      const tamperedBody = await json(tampered);
      expect(tamperedBody.Code).toBe('SignatureDoesNotMatch');
      expect(String(tamperedBody.Message)).toMatch(
        /^Specified signature does not match our calculation\. server StringToSign is \[ACS3-HMAC-SHA256\n[0-9a-f]{64}\]$/,
      );
      const unsignedDate = await v3(
        simulator,
        'DeleteVideo',
        { VideoIds: id! },
        { signedHeaders: (value) => value.replace(';x-acs-date', '') },
      );
      expect(await json(unsignedDate)).toMatchObject({ Code: 'IncompleteSignature' });
      expect(simulator.stateOf(id!)).toBe('PRESENT');
      const genuine = await v3(simulator, 'DeleteVideo', { VideoIds: id! });
      expect(genuine.status).toBe(200);
      expect(simulator.stateOf(id!)).toBe('GONE');
      expect(simulator.authLog().at(-1)).toMatchObject({ scheme: 'v3', outcome: 'accepted' });
    });

    it('answers the all-missing DeleteVideo with 404 InvalidVideo.NotFound', async () => {
      const response = await v3(simulator, 'DeleteVideo', {
        VideoIds: `${simulator.missingId()},${simulator.missingId()}`,
      });
      expect(response.status).toBe(404);
      expect(await json(response)).toMatchObject({
        Code: 'InvalidVideo.NotFound',
        Message: 'The video does not exist.',
      });
    });

    it('validates GetVideoList paging and sorts newest first by default', async () => {
      expect(await json(await v3(simulator, 'GetVideoList', { PageSize: '101' }))).toMatchObject({
        Code: 'InvalidParameter',
      });
      expect(await json(await v3(simulator, 'GetVideoList', { SortBy: 'Title:Asc' }))).toMatchObject({
        Code: 'InvalidParameter',
      });
      const page = await json(await v3(simulator, 'GetVideoList', { PageSize: '3' }));
      const videos = (page.VideoList as { Video: { CreationTime: string }[] }).Video;
      expect(videos).toHaveLength(3);
      expect(videos.map((video) => video.CreationTime)).toEqual(
        videos
          .map((video) => video.CreationTime)
          .sort()
          .reverse(),
      );
      const filtered = await json(
        await v3(simulator, 'GetVideoList', { Status: 'Uploading,Transcoding', PageSize: '100' }),
      );
      for (const video of (filtered.VideoList as { Video: { Status: string }[] }).Video)
        expect(['Uploading', 'Transcoding']).toContain(video.Status);
    });

    it('answers MissingParameter without VideoIds, and an unknown Version or Action', async () => {
      expect(await json(await v3(simulator, 'DeleteVideo', {}))).toMatchObject({ Code: 'MissingParameter' });
      const wrongVersion = v2(simulator, { Action: 'GetVideoInfos', VideoIds: 'x', Version: '2014-05-26' });
      expect(await json(await fetch(wrongVersion.url, wrongVersion.init))).toMatchObject({ Code: 'InvalidVersion' });
      expect(await json(await v3(simulator, 'SubmitTranscodeJobs', {}))).toMatchObject({
        Code: 'InvalidAction.NotFound',
      });
    });

    it('answers planned faults with VOD bodies without acting', async () => {
      const [id] = await simulator.seed([{ state: 'READY' }]);
      simulator.failNext('throttle', 1);
      const throttled = await v3(simulator, 'DeleteVideo', { VideoIds: id! });
      expect(throttled.status).toBe(503);
      expect(throttled.headers.get('retry-after')).toBeNull();
      expect(await json(throttled)).toMatchObject({
        Code: 'Throttling.User',
        Message: 'Request was denied due to user flow control.',
      });
      simulator.failNext('server-error', 1);
      expect(await json(await v3(simulator, 'DeleteVideo', { VideoIds: id! }))).toMatchObject({
        Code: 'DeleteVideoFailed',
      });
      simulator.failNext('server-error', 1);
      expect(await json(await v3(simulator, 'GetVideoInfos', { VideoIds: id! }))).toMatchObject({
        Code: 'ServiceUnAvailable',
      });
      expect(simulator.stateOf(id!)).toBe('PRESENT');
    });
  });

  describe('the QPS quota', () => {
    it('throttles the 31st request of a second, whatever the action, with Throttling.User at 503 and no Retry-After', async () => {
      // A pinned clock: the quota's window cannot end between these requests, however slow the machine.
      const pinned = Date.now();
      const limited = await startSimulator({
        videoCount: 1,
        rateLimit: { limit: 30, windowMs: 60_000 },
        now: () => pinned,
      });
      try {
        const statuses: number[] = [];
        for (let index = 0; index < 31; index += 1) {
          const action = index % 2 === 0 ? 'GetVideoInfos' : 'GetVideoList';
          statuses.push(
            (await v3(limited, action, action === 'GetVideoInfos' ? { VideoIds: limited.videoIds[0]! } : {})).status,
          );
        }
        expect(statuses.slice(0, 30).every((status) => status === 200)).toBe(true);
        expect(statuses[30]).toBe(503);
        const response = await v3(limited, 'DeleteVideo', { VideoIds: limited.videoIds[0]! });
        expect(response.headers.get('retry-after')).toBeNull();
        expect(await json(response)).toMatchObject({
          Code: 'Throttling.User',
          Message: 'Request was denied due to user flow control.',
        });
        expect(limited.stateOf(limited.videoIds[0]!)).toBe('PRESENT');
      } finally {
        await limited.close();
      }
    });

    it('uses the configured status and code, and adds Retry-After on the switch', async () => {
      // A pinned clock: the quota's window cannot end between these requests, however slow the machine.
      const pinned = Date.now();
      const limited = await startSimulator({
        videoCount: 1,
        rateLimit: { limit: 1, windowMs: 60_000 },
        throttleStatus: 429,
        throttleCode: 'Throttling.Api',
        throttleRetryAfter: true,
        now: () => pinned,
      });
      try {
        await v3(limited, 'GetVideoList', {});
        const response = await v3(limited, 'GetVideoList', {});
        expect(response.status).toBe(429);
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await json(response)).toMatchObject({
          Code: 'Throttling.Api',
          Message: 'Request was denied due to request throttling.',
        });
      } finally {
        await limited.close();
      }
    });
  });

  describe('the library', () => {
    it('is reproducible from its seed, with processing, failed and forbidden videos among the 50', async () => {
      const again = await startSimulator({ rateLimit: false });
      try {
        expect(again.videoIds).toEqual(simulator.videoIds.slice(0, 50));
        const videos = again.videoIds.map((id) => again.library.videos.get(id)!);
        expect(videos).toHaveLength(50);
        expect(videos.some((video) => video.owner === 'other')).toBe(true);
        expect(
          videos.some((video) => ['Uploading', 'Transcoding', 'UploadSucc', 'checking'].includes(video.status)),
        ).toBe(true);
        expect(videos.every((video) => /^[0-9a-f]{32}$/.test(video.id))).toBe(true);
        expect(again.videoIds).not.toContain(again.missingId());
      } finally {
        await again.close();
      }
    });
  });
});
