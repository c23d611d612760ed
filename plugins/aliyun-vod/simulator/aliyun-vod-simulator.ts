import {
  FaultSchedule,
  WindowRateLimiter,
  type WindowRateLimiterOptions,
  retryAfterSeconds,
  seededRandom,
  startSimulatorServer,
  type RunningSimulator,
  type SimulatedFault,
  type SimulatorReply,
  type SimulatorRequest,
  type StartSimulatorOptions,
} from '@unreel/provider-kit/simulator';
import { parseAliyunTimestamp } from '../src/aliyun-timestamp.js';
import { CallbackSender, type CallbackTarget, type WebhookDelivery } from './aliyun-vod-callbacks.js';
import { AliyunVodLibrary, VOD_STATUSES, type VodStatus } from './aliyun-vod-library.js';
import { requestId, rpcErrorReply, rpcReply, type ResponseFormat, type RpcError } from './aliyun-vod-replies.js';
import { RequestAuthenticator } from './aliyun-vod-request-auth.js';

const API_VERSION = '2017-03-21';
const MAX_IDS = 20;
const MAX_PAGE_SIZE = 100;

export interface AliyunVodSimulatorOptions extends StartSimulatorOptions {
  accessKeyId?: string;
  accessKeySecret?: string;
  /** Makes the key pair an STS one: every request must then carry this token. */
  securityToken?: string;
  /** Per-request latency, uniformly in [min, max] ms. Default none. */
  latencyMs?: readonly [number, number];
  /** Fraction of acting requests answered with a 5xx (ServiceUnAvailable / DeleteVideoFailed) without acting. */
  errorRate?: number;
  /** Fraction of seeded videos still uploading or transcoding. Default 0.06. */
  processingRatio?: number;
  /** Fraction of seeded videos owned by another user (ForbiddenVideoIds). Default 0.04. */
  forbiddenRatio?: number;
  /**
   * The QPS quota per AccessKey, shared by every action. Default 30 per second in fixed windows; `rolling` counts a
   * rolling window at arrival instead; false turns it off.
   */
  rateLimit?: Omit<WindowRateLimiterOptions, 'now'> | false;
  /** HTTP status of a Throttling.User answer: not documented anywhere; default 503 (see README). */
  throttleStatus?: number;
  /** Code of a throttled answer. Default Throttling.User, the per-user QPS quota VOD documents. */
  throttleCode?: 'Throttling.User' | 'Throttling' | 'Throttling.Api';
  /** Add a Retry-After header to throttled answers. Default false: VOD documents none. */
  throttleRetryAfter?: boolean;
  /** The server clock, for timestamps and nonce expiry. Default Date.now. */
  now?: () => number;
  /** How far a request's timestamp may be from the server clock. Default 15 minutes. */
  timestampToleranceMs?: number;
  /** Answer forbidden ids under the old name UnRemoveableVideoIds (the old doc's XML sample). Default false. */
  legacyForbiddenField?: boolean;
  /** HostId of error bodies. Default vod.cn-shanghai.aliyuncs.com. */
  hostId?: string;
  /** Deliver a signed DeleteMediaComplete HTTP callback per deleted video. */
  callback?: CallbackTarget;
  /** Send every callback twice (a duplicate delivery). Default false. */
  callbackTwice?: boolean;
}

export interface AliyunVodCredentials extends Record<string, string> {
  accessKeyId: string;
  accessKeySecret: string;
}

/** One authentication decision, so tests can see nonces and schemes without reading headers. */
export interface AuthRecord {
  scheme: 'v2' | 'v3' | 'none';
  accessKeyId: string | undefined;
  nonce: string | undefined;
  /** `accepted`, or the error Code the request got. */
  outcome: string;
  at: number;
}

export interface AliyunVodSimulator extends RunningSimulator<AliyunVodCredentials> {
  library: AliyunVodLibrary;
  /** Adds one video in any VOD status; returns its id. */
  addVideo(video?: { status?: VodStatus; owner?: 'self' | 'other'; title?: string }): string;
  /** The next `count` acting requests get this error (any documented code, any status, 200 included) without acting. */
  failNextWith(error: RpcError, count?: number): void;
  authLog(): readonly AuthRecord[];
  webhookDeliveries(): readonly WebhookDelivery[];
  /** Waits for callbacks in flight, retries included. */
  flushWebhooks(): Promise<void>;
}

const DEFAULT_ACCESS_KEY_ID = 'LTAI5tSimulatorVodKey0001';
const DEFAULT_ACCESS_KEY_SECRET = 'simulator-vod-secret-0123456789abcdef';

/** A node:http ApsaraVideo VOD: the RPC API at `/`, signed with V2 or V3, as GET query or POST form. */
export async function startSimulator(options: AliyunVodSimulatorOptions = {}): Promise<AliyunVodSimulator> {
  const seed = options.seed ?? 1;
  const now = options.now ?? Date.now;
  const hostId = options.hostId ?? 'vod.cn-shanghai.aliyuncs.com';
  const credentials: AliyunVodCredentials = {
    accessKeyId: options.accessKeyId ?? DEFAULT_ACCESS_KEY_ID,
    accessKeySecret: options.accessKeySecret ?? DEFAULT_ACCESS_KEY_SECRET,
    ...(options.securityToken === undefined ? {} : { securityToken: options.securityToken }),
  };
  const library = new AliyunVodLibrary({
    seed,
    videoCount: options.videoCount ?? 50,
    processingRatio: options.processingRatio ?? 0.06,
    forbiddenRatio: options.forbiddenRatio ?? 0.04,
  });
  const videoIds = library.ordered().map((video) => video.id);
  const authenticator = new RequestAuthenticator({
    credentials: [
      {
        accessKeyId: credentials.accessKeyId,
        accessKeySecret: credentials.accessKeySecret,
        ...(options.securityToken === undefined ? {} : { securityToken: options.securityToken }),
      },
    ],
    now,
    toleranceMs: options.timestampToleranceMs ?? 15 * 60_000,
  });
  const rateLimit = options.rateLimit === undefined ? { limit: 30, windowMs: 1_000 } : options.rateLimit;
  const limiter = rateLimit === false ? undefined : new WindowRateLimiter({ ...rateLimit, now });
  const faults = new FaultSchedule({ errorRate: options.errorRate ?? 0, random: seededRandom(seed + 1) });
  const customFaults: RpcError[] = [];
  const callbacks = options.callback
    ? new CallbackSender(options.callback, { twice: options.callbackTwice ?? false, now })
    : undefined;
  const auth: AuthRecord[] = [];

  function handle(request: SimulatorRequest): SimulatorReply {
    const params = collectParams(request);
    const fail = (error: RpcError, format: ResponseFormat = 'JSON') => rpcErrorReply(error, { hostId, format });
    if (request.path !== '/' || (request.method !== 'GET' && request.method !== 'POST')) return fail(apiNotFound());
    const authenticated = authenticator.authenticate(request, params);
    auth.push({
      scheme: authenticated.scheme,
      accessKeyId: authenticated.accessKeyId,
      nonce: authenticated.nonce,
      outcome: authenticated.ok ? 'accepted' : authenticated.error.code,
      at: now(),
    });
    // V2 answers XML unless told otherwise (Format's documented default); ACS3 answers JSON.
    const requested = params.get('Format') ?? (authenticated.scheme === 'v2' ? 'XML' : 'JSON');
    const format: ResponseFormat = requested.toUpperCase() === 'XML' ? 'XML' : 'JSON';
    if (!authenticated.ok) return fail(authenticated.error, format);
    if (requested.toUpperCase() !== 'XML' && requested.toUpperCase() !== 'JSON')
      return fail(invalidParameter('Format'), 'JSON');
    if (authenticated.version !== API_VERSION) {
      return fail(
        { status: 400, code: 'InvalidVersion', message: 'Specified parameter Version is not valid.' },
        format,
      );
    }
    const action = authenticated.action;
    if (action !== 'DeleteVideo' && action !== 'GetVideoInfos' && action !== 'GetVideoList')
      return fail(apiNotFound(), format);

    const custom = customFaults.shift();
    if (custom) return fail(custom, format);
    const fault = faults.next();
    if (fault) return fail(faultError(fault, action), format);
    const decision = limiter?.take(authenticated.accessKeyId);
    if (decision && !decision.allowed) return fail(throttled(decision.retryAfterMs), format);

    const reply = (body: Record<string, unknown>) => rpcReply(action, { RequestId: requestId(), ...body }, format);
    switch (action) {
      case 'DeleteVideo':
        return deleteVideo(params, reply, fail, format);
      case 'GetVideoInfos':
        return getVideoInfos(params, reply, fail, format);
      case 'GetVideoList':
        return getVideoList(params, reply, fail, format);
    }
  }

  type Reply = (body: Record<string, unknown>) => SimulatorReply;
  type Fail = (error: RpcError, format?: ResponseFormat) => SimulatorReply;

  function deleteVideo(
    params: ReadonlyMap<string, string>,
    reply: Reply,
    fail: Fail,
    format: ResponseFormat,
  ): SimulatorReply {
    const ids = splitIds(params.get('VideoIds'));
    const referenceIds = splitIds(params.get('ReferenceIds'));
    if (ids.length === 0 && referenceIds.length === 0) return fail(missingParameter('VideoIds'), format);
    if (ids.length > MAX_IDS || referenceIds.length > MAX_IDS) {
      return fail({ status: 400, code: 'VideoIdsExceededMax', message: 'The VideoIds exceeded maximum.' }, format);
    }
    const forbidden: string[] = [];
    const missing: string[] = [];
    const deleted: string[] = [];
    for (const id of new Set(ids)) {
      const result = library.delete(id);
      if (result === 'FORBIDDEN') forbidden.push(id);
      else if (result === 'MISSING') missing.push(id);
      else deleted.push(id);
    }
    // This library has no custom reference ids, so every ReferenceId is unknown.
    if (forbidden.length === 0 && deleted.length === 0) {
      return fail({ status: 404, code: 'InvalidVideo.NotFound', message: 'The video does not exist.' }, format);
    }
    callbacks?.deleted(deleted);
    return reply({
      [options.legacyForbiddenField ? 'UnRemoveableVideoIds' : 'ForbiddenVideoIds']: forbidden,
      NonExistVideoIds: missing,
      ...(referenceIds.length > 0 ? { NonExistReferenceIds: referenceIds } : {}),
    });
  }

  function getVideoInfos(
    params: ReadonlyMap<string, string>,
    reply: Reply,
    fail: Fail,
    format: ResponseFormat,
  ): SimulatorReply {
    const ids = splitIds(params.get('VideoIds'));
    if (ids.length === 0) return fail(missingParameter('VideoIds'), format);
    if (ids.length > MAX_IDS)
      return fail({ status: 400, code: 'VideoIdsExceededMax', message: 'The VideoIds exceeded maximum.' }, format);
    const found = ids.map((id) => library.videos.get(id)).filter((video) => video !== undefined);
    return reply({
      VideoList: found.map((video) => library.toApi(video)),
      NonExistVideoIds: ids.filter((id) => !library.videos.has(id)),
    });
  }

  function getVideoList(
    params: ReadonlyMap<string, string>,
    reply: Reply,
    fail: Fail,
    format: ResponseFormat,
  ): SimulatorReply {
    const pageNo = integerParam(params.get('PageNo'), 1);
    const pageSize = integerParam(params.get('PageSize'), 10);
    if (pageNo === undefined || pageNo < 1) return fail(invalidParameter('PageNo'), format);
    if (pageSize === undefined || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
      return fail(invalidParameter('PageSize'), format);
    const sortBy = params.get('SortBy') ?? 'CreationTime:Desc';
    if (sortBy !== 'CreationTime:Desc' && sortBy !== 'CreationTime:Asc')
      return fail(invalidParameter('SortBy'), format);
    const statuses = splitIds(params.get('Status'));
    if (statuses.some((status) => !(VOD_STATUSES as readonly string[]).includes(status)))
      return fail(invalidParameter('Status'), format);
    const start = params.has('StartTime') ? parseAliyunTimestamp(params.get('StartTime')!) : undefined;
    const end = params.has('EndTime') ? parseAliyunTimestamp(params.get('EndTime')!) : undefined;
    if (params.has('StartTime') && start === undefined) return fail(invalidParameter('StartTime'), format);
    if (params.has('EndTime') && end === undefined) return fail(invalidParameter('EndTime'), format);
    let videos = library
      .ordered()
      .filter(
        (video) =>
          (statuses.length === 0 || statuses.includes(video.status)) &&
          (start === undefined || video.creationTime >= start) &&
          (end === undefined || video.creationTime <= end),
      );
    if (sortBy === 'CreationTime:Desc') videos = videos.reverse();
    const page = videos.slice((pageNo - 1) * pageSize, pageNo * pageSize);
    return reply({ Total: videos.length, VideoList: { Video: page.map((video) => library.toApi(video)) } });
  }

  function throttled(waitMs: number): RpcError {
    const code = options.throttleCode ?? 'Throttling.User';
    return {
      status: options.throttleStatus ?? 503,
      code,
      message:
        code === 'Throttling.User'
          ? 'Request was denied due to user flow control.'
          : 'Request was denied due to request throttling.',
      ...(options.throttleRetryAfter ? { headers: { 'retry-after': String(retryAfterSeconds(waitMs)) } } : {}),
    };
  }

  function faultError(fault: SimulatedFault, action: string): RpcError {
    if (fault === 'throttle') return throttled(1_000);
    if (action === 'DeleteVideo') {
      return {
        status: 503,
        code: 'DeleteVideoFailed',
        message: 'Deleting video has failed due to some unknown error.',
      };
    }
    return {
      status: 503,
      code: 'ServiceUnAvailable',
      message: 'The request has failed due to a temporary failure of the server.',
    };
  }

  const server = await startSimulatorServer({
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
    random: seededRandom(seed + 2),
    handle,
    idsOf: (request) => splitIds(collectParams(request).get('VideoIds')),
  });

  return {
    url: server.url,
    credentials,
    videoIds,
    library,
    seed: (videos) =>
      videos.map(
        (video) =>
          library.add({
            status: video.state === 'PROCESSING' ? 'Uploading' : 'Normal',
            owner: video.state === 'FORBIDDEN' ? 'other' : 'self',
            ...(video.title === undefined ? {} : { title: video.title }),
          }).id,
      ),
    addVideo: (video = {}) => library.add(video).id,
    missingId: () => library.missingId(),
    failNext: (kind, count) => faults.failNext(kind, count),
    failNextWith: (error, count = 1) => {
      for (let index = 0; index < count; index += 1) customFaults.push(error);
    },
    stateOf: (id) => library.presence(id),
    calls: () => server.calls(),
    resetCalls: () => server.resetCalls(),
    authLog: () => auth,
    webhookDeliveries: () => callbacks?.deliveries() ?? [],
    flushWebhooks: async () => callbacks?.flush(),
    close: async () => {
      await callbacks?.flush();
      await server.close();
    },
  };
}

/** RPC parameters: the query, plus a form body on POST (the official SDK posts everything as a form). */
function collectParams(request: SimulatorRequest): Map<string, string> {
  const params = new Map<string, string>(request.query);
  const type = String(request.headers['content-type'] ?? '');
  if (request.method === 'POST' && type.includes('application/x-www-form-urlencoded')) {
    for (const [name, value] of request.form()) params.set(name, value);
  }
  return params;
}

function splitIds(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
}

function integerParam(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  return /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

function apiNotFound(): RpcError {
  return {
    status: 404,
    code: 'InvalidAction.NotFound',
    message: 'Specified api is not found, please check your url and method.',
  };
}

function missingParameter(name: string): RpcError {
  return {
    status: 400,
    code: 'MissingParameter',
    message: `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  };
}

function invalidParameter(name: string): RpcError {
  return { status: 400, code: 'InvalidParameter', message: `The specified parameter "${name}" is not valid.` };
}
