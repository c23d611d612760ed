import {
  FaultSchedule,
  WindowRateLimiter,
  type WindowRateLimiterOptions,
  parseAuthorization,
  seededRandom,
  startSimulatorServer,
  type RunningSimulator,
  type SimulatorReply,
  type SimulatorRequest,
  type StartSimulatorOptions,
} from '@unreel/provider-kit/simulator';
import { ElytronLibrary, type ElytronVideoStatus } from './elytron-library.js';
import {
  dataReply,
  errorReply,
  rateLimitHeaders,
  statusJson,
  videoJson,
  type ElytronErrorStyle,
  type ElytronMeta,
  type ElytronResetFormat,
} from './elytron-responses.js';

/**
 * Requests per minute by plan, from the docs. Kept apart from the plugin's copy on purpose: the simulator stands for
 * Elytron, so a wrong number in the plugin must not be mirrored here.
 */
const PLAN_LIMITS = { free: 10, pro: 100, enterprise: 1_000 } as const;

export interface ElytronSimulatorOptions extends StartSimulatorOptions {
  /** The one valid key. Default: derived from `seed`. */
  apiKey?: string;
  /** Decides the per-minute limit. Default 'free' (10 a minute), as a new account has. */
  plan?: keyof typeof PLAN_LIMITS;
  /**
   * Replaces the plan's limit (e.g. a 1 s window for benchmarks, `rolling` for a window that slides with each
   * arrival); `false` turns limiting and its headers off.
   */
  rateLimit?: Omit<WindowRateLimiterOptions, 'now'> | false | undefined;
  /** Format of X-RateLimit-Reset, which the docs leave open. Default 'epoch-seconds'. */
  resetFormat?: ElytronResetFormat;
  /** Error body shape: the docs' prose ('nested', default) or their schema panels ('flat'). */
  errorStyle?: ElytronErrorStyle;
  /** `error.code` of a 429, which the docs do not name. Default RATE_LIMIT_EXCEEDED. */
  throttleCode?: string;
  /** `GET /videos`: `{data:{videos,…}}` as in the prose (default) or bare `{videos,…}` as in the schema panel. */
  listShape?: 'wrapped' | 'bare';
  /** `GET /videos/{id}`, whose docs are cut short: the video as `data` (default) or as `data.video`. */
  videoShape?: 'data' | 'data.video';
  /** Added to every answer, uniformly in [min, max] ms. */
  latencyMs?: readonly [number, number];
  /** Fraction of video requests answered 500, on top of `failNext`. */
  errorRate?: number;
  /** The clock of the rate limiter and of `meta.timestamp`; tests pin it to assert exact headers. */
  now?: () => number;
}

export interface ElytronSimulator extends RunningSimulator<{ apiKey: string }> {
  /** The account's videos, for tests that need statuses the conformance verbs do not cover (pending, failed). */
  readonly library: ElytronLibrary;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUSES: readonly ElytronVideoStatus[] = ['pending', 'processing', 'completed', 'failed'];
const VIDEO_PATH = /^\/v1\/videos\/([^/]+)(\/status)?$/;
const LIST_PATH = /^\/v1\/videos\/?$/;

type Route = { name: 'list' } | { name: 'delete' | 'get' | 'status'; id: string };

/** The documented endpoints this simulator serves; anything else is an unknown route. */
function routeOf(method: string, path: string): Route | undefined {
  if (method === 'GET' && LIST_PATH.test(path)) return { name: 'list' };
  const match = VIDEO_PATH.exec(path);
  if (!match) return undefined;
  const [, id = '', status] = match;
  if (method === 'GET') return { name: status ? 'status' : 'get', id };
  if (method === 'DELETE' && !status) return { name: 'delete', id };
  return undefined;
}

/** An HTTP fake of api.elytron.com/v1 as docs.elytron.ai documents it (providers.md §3). */
export async function startSimulator(options: ElytronSimulatorOptions = {}): Promise<ElytronSimulator> {
  const seed = options.seed ?? 1;
  const now = options.now ?? Date.now;
  const apiKey =
    options.apiKey ?? `ely_sim_${(seed >>> 0).toString(16).padStart(8, '0')}${hex(seededRandom(seed ^ 0x5eed), 24)}`;
  const errorStyle = options.errorStyle ?? 'nested';
  const resetFormat = options.resetFormat ?? 'epoch-seconds';
  const planWindow = { limit: PLAN_LIMITS[options.plan ?? 'free'], windowMs: 60_000 };
  const limiter =
    options.rateLimit === false ? undefined : new WindowRateLimiter({ ...(options.rateLimit ?? planWindow), now });
  // A planned throttle looks like the real one, even with limiting switched off: nothing left until the window ends.
  const throttleWindow = limiter ?? new WindowRateLimiter({ ...planWindow, now });
  const library = new ElytronLibrary({ seed, videoCount: options.videoCount ?? 50 });
  const random = seededRandom(seed + 1);
  const faults = new FaultSchedule({ errorRate: options.errorRate ?? 0, random });
  const videoIds = library.list().map((video) => video.video_id);
  let requests = 0;
  let url = '';

  const meta = (): ElytronMeta => {
    requests += 1;
    return { timestamp: new Date(now()).toISOString(), request_id: `req_${String(requests).padStart(9, '0')}` };
  };
  const fail = (status: number, code: string, message: string, details?: Record<string, unknown>): SimulatorReply =>
    errorReply(errorStyle, status, { code, message, ...(details ? { details } : {}) }, meta());
  const invalid = (field: string, reason: string): SimulatorReply =>
    fail(400, 'INVALID_REQUEST', `Invalid ${field}`, { field, reason });
  const throttled = (): SimulatorReply =>
    fail(429, options.throttleCode ?? 'RATE_LIMIT_EXCEEDED', 'Rate limit exceeded. Please retry later.');

  function handle(request: SimulatorRequest): SimulatorReply {
    const at = now();
    const presented = parseAuthorization(request.headers.authorization);
    const token = presented?.scheme === 'bearer' ? presented.token : undefined;
    // Counted per presented key before authentication, so every answer (a 401 too) carries the headers.
    const decision = limiter?.take(token ?? '');
    const reply = decision?.allowed === false ? throttled() : route(request, token, at);
    return decision ? withHeaders(reply, rateLimitHeaders(decision, resetFormat, at)) : reply;
  }

  function route(request: SimulatorRequest, token: string | undefined, at: number): SimulatorReply {
    if (token !== apiKey) return fail(401, 'UNAUTHORIZED', 'Invalid API key');
    const found = routeOf(request.method, request.path);
    if (!found) return fail(404, 'NOT_FOUND', `No route for ${request.method} ${request.path}`);
    // Only requests about videos take planned faults, as the testkit's contract says.
    const fault = faults.next();
    if (fault === 'throttle')
      return withHeaders(throttled(), rateLimitHeaders(throttleWindow.exhausted(), resetFormat, at));
    if (fault === 'server-error') return fail(500, 'INTERNAL_ERROR', 'An unexpected error occurred');
    if (found.name === 'list') return listVideos(request.query);
    if (!UUID.test(found.id)) return invalid('video_id', 'must be a UUID');
    if (found.name === 'delete') return deleteVideo(found.id);
    return found.name === 'status' ? videoStatus(found.id) : getVideo(found.id);
  }

  function deleteVideo(id: string): SimulatorReply {
    switch (library.delete(id)) {
      case 'deleted':
        return { status: 204 };
      case 'not-found':
        return fail(404, 'VIDEO_NOT_FOUND', 'Video not found');
      case 'forbidden':
        return fail(403, 'FORBIDDEN', 'You do not have permission to delete this video');
      case 'in-processing':
        return fail(400, 'VIDEO_IN_PROCESSING', 'Cannot delete video while it is being processed');
    }
  }

  function getVideo(id: string): SimulatorReply {
    const video = library.get(id);
    if (!video) return fail(404, 'VIDEO_NOT_FOUND', 'Video not found');
    const json = videoJson(video, url);
    return dataReply(200, options.videoShape === 'data.video' ? { video: json } : json, meta());
  }

  function videoStatus(id: string): SimulatorReply {
    const video = library.get(id);
    return video ? dataReply(200, statusJson(video), meta()) : fail(404, 'VIDEO_NOT_FOUND', 'Video not found');
  }

  function listVideos(query: URLSearchParams): SimulatorReply {
    const limit = integerParam(query, 'limit', 20);
    if (limit === undefined || limit < 1 || limit > 100) return invalid('limit', 'must be an integer from 1 to 100');
    const offset = integerParam(query, 'offset', 0);
    if (offset === undefined) return invalid('offset', 'must be an integer of 0 or more');
    const status = query.get('status');
    if (status !== null && !STATUSES.includes(status as ElytronVideoStatus)) {
      return invalid('status', `must be one of ${STATUSES.join(', ')}`);
    }
    const matching = library.list(status === null ? undefined : (status as ElytronVideoStatus));
    const page = {
      videos: matching.slice(offset, offset + limit).map((video) => videoJson(video, url)),
      total: matching.length,
      limit,
      offset,
    };
    return options.listShape === 'bare' ? { status: 200, json: page } : dataReply(200, page, meta());
  }

  const server = await startSimulatorServer({
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
    random,
    handle,
    idsOf: (request) => {
      const found = routeOf(request.method, request.path);
      return found && found.name !== 'list' ? [found.id] : [];
    },
  });
  // The real base URL ends in /v1, so `baseUrl: simulator.url` is a drop-in replacement for it.
  url = `${server.url}/v1`;

  return {
    url,
    credentials: { apiKey },
    videoIds,
    library,
    seed: (videos) => videos.map((video) => library.addInState(video.state, video.title).video_id),
    missingId: () => library.missingId(),
    failNext: (kind, count) => faults.failNext(kind, count),
    stateOf: (id) => library.stateOf(id),
    calls: () => server.calls(),
    resetCalls: () => server.resetCalls(),
    close: () => server.close(),
  };
}

function withHeaders(reply: SimulatorReply, headers: Record<string, string>): SimulatorReply {
  return { ...reply, headers: { ...headers, ...reply.headers } };
}

/** Absent means the documented default; present but not a whole number means a 400. */
function integerParam(query: URLSearchParams, name: string, fallback: number): number | undefined {
  const raw = query.get(name);
  if (raw === null) return fallback;
  return /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
}

function hex(random: () => number, length: number): string {
  return Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
}
