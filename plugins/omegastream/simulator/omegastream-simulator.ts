import {
  FaultSchedule,
  SimulatorBodyError,
  WindowRateLimiter,
  parseAuthorization,
  retryAfterDate,
  retryAfterSeconds,
  seededRandom,
  startSimulatorServer,
  type RunningSimulator,
  type SimulatedVideoState,
  type SimulatorReply,
  type SimulatorRequest,
} from '@unreel/provider-kit/simulator';
import {
  OmegastreamLibrary,
  SIMULATED_STATUSES,
  type SimulatedStatus,
  type SimulatedVideo,
  type VideoSpec,
} from './omegastream-library.js';
import {
  REFUSALS,
  errorReply,
  failedVideosBody,
  pageEnvelope,
  videoModel,
  type Refusal,
} from './omegastream-responses.js';
import {
  resolveSimulatorOptions,
  type OmegastreamSimulatorOptions,
  type ResolvedSimulatorOptions,
} from './omegastream-simulator-options.js';

/** Where the video API lives on the host, as on https://api.omegastream.net. */
const VIDEO_BASE_PATH = '/company/client/video';
/** `{"uuids":[...]}` takes 1 to 50 uuids (delete_multiple_videos.md). */
const MAX_BULK_UUIDS = 50;

export interface OmegastreamSimulator extends RunningSimulator<{ apiKey: string }> {
  /** `url` is the video base (`…/company/client/video`, the plugin's `baseUrl`); this is the host alone. */
  origin: string;
  /** Our company (the API key's) and the other one, whose videos answer 403. */
  coid: string;
  foreignCoid: string;
  /** Synchronous here: the library is in this process. */
  seed(videos: readonly { state: SimulatedVideoState; title?: string }[]): string[];
  /** Adds videos in any state the model allows (e.g. completed 1 hour ago); returns their uuids in order. */
  addVideos(specs: readonly VideoSpec[]): string[];
  /** A copy of what the simulator holds for a uuid, for assertions. */
  video(uuid: string): SimulatedVideo | undefined;
}

type Route = { name: 'list' | 'deleted' | 'bulk' } | { name: 'get' | 'delete' | 'revert'; uuid: string };

/**
 * A node:http fake of OmegaStream's video API as documented (docs.omegastream.net, see providers.md §1), with
 * switches for what the docs leave open: error bodies, the shape of `failed_videos`, old or new success answers,
 * throttling, whether a deleted video shows in `GET /:uuid`, retention after delete.
 */
export async function startSimulator(options: OmegastreamSimulatorOptions = {}): Promise<OmegastreamSimulator> {
  const seed = options.seed ?? 1;
  const now = options.now ?? Date.now;
  const library = new OmegastreamLibrary({ seed, now, retentionMs: options.retentionMs ?? false });
  const config = resolveSimulatorOptions(options, `omega_sk_${library.hex(40)}`);
  const videoIds = library.seedLibrary(options.videoCount ?? 50);
  const faults = new FaultSchedule({ errorRate: options.errorRate ?? 0, random: seededRandom(seed + 1) });
  // Throttling is about how fast requests really arrive, so it keeps real time whatever the simulated clock says.
  const limiter = config.rateLimit ? new WindowRateLimiter(config.rateLimit) : undefined;
  let origin = '';
  const handlers = new Handlers(library, config, () => origin);

  const server = await startSimulatorServer({
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
    handle(request) {
      const route = routeOf(request.method, request.path, config);
      if (!route) return errorReply(404, REFUSALS.routeNotFound, config.errorBody);
      const refused = checkKey(request.headers.authorization, config);
      if (refused) return refused;
      const fault = faults.next();
      if (fault === 'throttle') return throttled(1_000, config);
      if (fault === 'server-error') return errorReply(500, REFUSALS.serverError, config.errorBody);
      const decision = limiter?.take(config.apiKey);
      if (decision && !decision.allowed) return throttled(decision.retryAfterMs, config);
      return handlers.handle(route, request);
    },
    idsOf(request) {
      const route = routeOf(request.method, request.path, config);
      if (!route) return [];
      if (route.name === 'bulk') return uuidsIn(request);
      return 'uuid' in route ? [route.uuid] : [];
    },
  });
  origin = server.url;

  return {
    url: `${server.url}${VIDEO_BASE_PATH}`,
    origin: server.url,
    credentials: { apiKey: config.apiKey },
    videoIds,
    coid: library.coid,
    foreignCoid: library.foreignCoid,
    seed: (videos) => videos.map((video) => library.add(specFor(video.state, video.title, library.foreignCoid)).uuid),
    addVideos: (specs) => specs.map((spec) => library.add(spec).uuid),
    video: (uuid) => {
      const video = library.get(uuid);
      return video ? { ...video } : undefined;
    },
    missingId: () => library.missingId(),
    failNext: (kind, count) => faults.failNext(kind, count),
    stateOf: (uuid) => library.stateOf(uuid),
    calls: () => server.calls(),
    resetCalls: () => server.resetCalls(),
    close: () => server.close(),
  };
}

/** The conformance suite's three states in OmegaStream's terms. */
function specFor(state: SimulatedVideoState, title: string | undefined, foreignCoid: string): VideoSpec {
  const named = title === undefined ? {} : { title };
  if (state === 'PROCESSING') return { status: 'in-progress', ...named };
  if (state === 'FORBIDDEN') return { status: 'process-completed', coid: foreignCoid, ...named };
  return { status: 'process-completed', ...named };
}

/**
 * `deleted`, `delete_videos` and `bulk_delete` are matched before `:uuid`, as the paths clash. A bulk path that is
 * switched off falls through to `DELETE /:uuid`, as a removed route would on the real server.
 */
function routeOf(method: string, path: string, config: ResolvedSimulatorOptions): Route | undefined {
  if (path !== VIDEO_BASE_PATH && !path.startsWith(`${VIDEO_BASE_PATH}/`)) return undefined;
  const rest = path.slice(VIDEO_BASE_PATH.length).replace(/^\/+|\/+$/g, '');
  const segments = rest === '' ? [] : rest.split('/');
  const [first, second] = segments as [string?, string?];
  if (first === undefined) return method === 'GET' ? { name: 'list' } : undefined;
  if (segments.length === 1) {
    if (method === 'GET' && first === 'deleted') return { name: 'deleted' };
    if (method === 'DELETE' && (first === 'delete_videos' || first === 'bulk_delete') && config.bulkPaths.has(first))
      return { name: 'bulk' };
    if (method === 'GET') return { name: 'get', uuid: first };
    if (method === 'DELETE') return { name: 'delete', uuid: first };
    return undefined;
  }
  if (segments.length === 2 && method === 'POST' && first === 'revert_deletion' && second)
    return { name: 'revert', uuid: second };
  return undefined;
}

function checkKey(header: string | undefined, config: ResolvedSimulatorOptions): SimulatorReply | undefined {
  const presented = parseAuthorization(header);
  if (presented?.scheme !== 'bearer') return errorReply(401, REFUSALS.missingKey, config.errorBody);
  if (presented.token !== config.apiKey) return errorReply(401, REFUSALS.wrongKey, config.errorBody);
  return undefined;
}

function throttled(retryAfterMs: number, config: ResolvedSimulatorOptions): SimulatorReply {
  const headers: Record<string, string> = {};
  if (config.retryAfter === 'seconds') headers['retry-after'] = String(retryAfterSeconds(retryAfterMs));
  if (config.retryAfter === 'http-date') headers['retry-after'] = retryAfterDate(retryAfterMs);
  return errorReply(config.throttleStatus, REFUSALS.tooManyRequests, config.errorBody, headers);
}

function uuidsIn(request: SimulatorRequest): string[] {
  const body = request.json() as { uuids?: unknown } | undefined;
  return Array.isArray(body?.uuids) ? body.uuids.filter((uuid): uuid is string => typeof uuid === 'string') : [];
}

/** What each route does once the request is authenticated and admitted. */
class Handlers {
  constructor(
    private readonly library: OmegastreamLibrary,
    private readonly config: ResolvedSimulatorOptions,
    private readonly origin: () => string,
  ) {}

  handle(route: Route, request: SimulatorRequest): SimulatorReply {
    switch (route.name) {
      case 'list':
        return this.list(request, false);
      case 'deleted':
        return this.list(request, true);
      case 'bulk':
        return this.bulkDelete(request);
      case 'get':
        return this.get(route.uuid);
      case 'delete':
        return this.deleteOne(route.uuid);
      case 'revert':
        return this.revert(route.uuid, request);
    }
  }

  private list(request: SimulatorRequest, deleted: boolean): SimulatorReply {
    const page = positiveInteger(request.query.get('page'), 1);
    const limit = positiveInteger(request.query.get('limit'), 10);
    if (page === undefined) return this.badRequest('page must be a positive integer');
    if (limit === undefined) return this.badRequest('limit must be a positive integer');
    const status = deleted ? null : request.query.get('status');
    if (status !== null && status !== '' && !SIMULATED_STATUSES.includes(status as SimulatedStatus)) {
      return this.badRequest(`status must be one of ${SIMULATED_STATUSES.join(', ')}`);
    }
    const collection = request.query.get('collection');
    const videos = this.library.list({
      coid: this.library.coid,
      deleted,
      ...(status ? { status } : {}),
      ...(collection ? { collection } : {}),
    });
    return { status: 200, json: pageEnvelope(videos, page, Math.min(limit, this.config.maxPageSize), this.origin()) };
  }

  private get(uuid: string): SimulatorReply {
    const video = this.library.get(uuid);
    if (!video || (video.deletedAt !== null && this.config.deletedLookup === 'hidden'))
      return this.refuse(404, REFUSALS.notFound);
    if (video.coid !== this.library.coid) return this.refuse(403, REFUSALS.forbidden);
    return { status: 200, json: videoModel(video, this.origin()) };
  }

  private deleteOne(uuid: string): SimulatorReply {
    const verdict = this.library.deletability(uuid, this.library.coid);
    if (verdict === 'not-found') return this.refuse(404, REFUSALS.notFound);
    if (verdict === 'forbidden') return this.refuse(403, REFUSALS.forbidden);
    // No status is documented for the 4-hour precondition; 400 is this simulator's choice.
    if (verdict === 'not-deletable') return this.refuse(400, REFUSALS.notDeletable);
    this.library.markDeleted(this.library.get(uuid)!);
    return this.done('video is not available anymore');
  }

  private bulkDelete(request: SimulatorRequest): SimulatorReply {
    let body: unknown;
    try {
      body = request.json();
    } catch (error) {
      if (error instanceof SimulatorBodyError) return this.badRequest('invalid JSON body');
      throw error;
    }
    const uuids = (body as { uuids?: unknown } | undefined)?.uuids;
    if (!Array.isArray(uuids) || uuids.some((uuid) => typeof uuid !== 'string' || uuid === '')) {
      return this.badRequest('uuids must be an array of video uuids');
    }
    if (uuids.length < 1 || uuids.length > MAX_BULK_UUIDS)
      return this.badRequest(`uuids must hold 1 to ${MAX_BULK_UUIDS} video uuids`);
    const unique = [...new Set(uuids as string[])];
    const failures: { uuid: string; refusal: Refusal }[] = [];
    for (const uuid of unique) {
      const verdict = this.library.deletability(uuid, this.library.coid);
      if (verdict === 'ok') this.library.markDeleted(this.library.get(uuid)!);
      else
        failures.push({
          uuid,
          refusal:
            verdict === 'not-found'
              ? REFUSALS.notFound
              : verdict === 'forbidden'
                ? REFUSALS.forbidden
                : REFUSALS.notDeletable,
        });
    }
    return {
      status: 200,
      json: {
        has_error: failures.length > 0,
        videos_count: unique.length,
        updated_count: unique.length - failures.length,
        failed_count: failures.length,
        failed_videos: failedVideosBody(failures, this.config.failedVideosShape),
      },
    };
  }

  private revert(uuid: string, request: SimulatorRequest): SimulatorReply {
    const video = this.library.get(uuid);
    if (!video) return this.refuse(404, REFUSALS.notFound);
    if (video.coid !== this.library.coid) return this.refuse(403, REFUSALS.forbidden);
    if (video.deletedAt === null) return this.refuse(400, REFUSALS.notDeleted);
    const status = request.query.get('status');
    if ((status === null || status === '') && this.config.revertStatus === 'required')
      return this.badRequest('status is required');
    if (status !== null && status !== '' && !SIMULATED_STATUSES.includes(status as SimulatedStatus)) {
      return this.badRequest(`status must be one of ${SIMULATED_STATUSES.join(', ')}`);
    }
    this.library.revert(video, status ? (status as SimulatedStatus) : undefined);
    return this.done('video is not available again');
  }

  /** 204 No Content in the current docs; 200 with a message in the older ones. */
  private done(oldMessage: string): SimulatorReply {
    return this.config.answerStyle === 'old' ? { status: 200, json: { message: oldMessage } } : { status: 204 };
  }

  private refuse(status: number, refusal: Refusal): SimulatorReply {
    return errorReply(status, refusal, this.config.errorBody);
  }

  private badRequest(message: string): SimulatorReply {
    return errorReply(400, { code: 'bad_request', message }, this.config.errorBody);
  }
}

function positiveInteger(raw: string | null, fallback: number): number | undefined {
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  return Number.isInteger(value) && value >= 1 ? value : undefined;
}
