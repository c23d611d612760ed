import {
  FaultSchedule,
  SimulatorBodyError,
  parseAuthorization,
  seededRandom,
  startSimulatorServer,
  type RunningSimulator,
  type SimulatedVideoState,
  type SimulatorReply,
  type SimulatorRequest,
} from '@unreel/provider-kit/simulator';
import { ApiVideoLibrary, type IngestPhase, type LibraryVideo } from './api-video-library.js';
import { listVideos } from './api-video-list.js';
import * as problems from './api-video-problems.js';
import { ApiVideoRateLimits, DOCUMENTED_LIMITS, type RequestKind } from './api-video-rate-limits.js';
import { RETENTION_DAYS, type ApiVideoSimulatorOptions } from './api-video-simulator-options.js';
import { ApiVideoTokens } from './api-video-tokens.js';
import { statusJson, videoJson } from './api-video-wire.js';

export interface ApiVideoSimulator extends RunningSimulator<{ apiKey: string }> {
  readonly videoRestore: boolean;
  /** Every access and refresh token handed out, for tests that prove none leaks. */
  issuedTokens(): readonly string[];
  /** Invalidates every bearer token (access and refresh) at once. */
  revokeTokens(): void;
  /** Moves a video along its pipeline, e.g. from 'encoding' to 'ready'. */
  setPhase(videoId: string, phase: IngestPhase): void;
}

const DAY_MS = 86_400_000;
const KEY_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A node:http fake of api.video's video endpoints, as documented (providers.md §2). */
export async function startSimulator(options: ApiVideoSimulatorOptions = {}): Promise<ApiVideoSimulator> {
  const seed = options.seed ?? 1;
  const now = options.now ?? Date.now;
  const videoRestore = options.videoRestore ?? false;
  const apiKey = options.apiKey ?? generatedKey(seed);
  const documented = DOCUMENTED_LIMITS[options.environment ?? 'production'];
  const limits =
    options.rateLimit === false
      ? undefined
      : new ApiVideoRateLimits(
          options.rateLimit ?? { limit: documented.write, readLimit: documented.read, windowMs: 60_000 },
          now,
        );
  const library = new ApiVideoLibrary({
    seed,
    videoCount: options.videoCount ?? 50,
    now,
    retentionMs: RETENTION_DAYS * DAY_MS,
  });
  const tokens = new ApiVideoTokens({ ttlSeconds: options.tokenTtlSeconds ?? 3_600, now });
  const faults = new FaultSchedule({ errorRate: options.errorRate ?? 0, random: seededRandom(seed + 7) });
  const videoIds = library.live().map((video) => video.videoId);
  let baseUrl = '';

  function handle(request: SimulatorRequest): SimulatorReply {
    const segments = request.path.split('/').filter((segment) => segment !== '');
    // The /auth endpoints are not rate limited (Node client README), carry no X-RateLimit headers and no faults.
    if (segments[0] === 'auth' && segments.length === 2) return authenticateEndpoint(request, segments[1] as string);

    const key = callerKey(request.headers.authorization);
    const kind: RequestKind = request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write';
    const verdict = limits?.take(kind, key ?? 'anonymous') ?? { allowed: true, headers: {} };
    if (key === undefined) return unauthorizedReply(verdict.headers, request.headers.authorization);
    if (!verdict.allowed) return problem(problems.tooManyRequests(), verdict.headers);
    const fault = faults.next();
    if (fault === 'throttle') return problem(problems.tooManyRequests(), limits?.exhaustedHeaders(kind) ?? {});
    if (fault === 'server-error') return problem(problems.serverError(), verdict.headers);

    const reply = route(request, segments);
    return { ...reply, headers: { ...verdict.headers, ...reply.headers } };
  }

  function route(request: SimulatorRequest, segments: string[]): SimulatorReply {
    const { method } = request;
    const [first, second, third, ...rest] = segments;
    if (rest.length > 0) return problem(problems.unrecognizedUrl());
    if (first === 'videos' && second === undefined) {
      return method === 'GET' ? listReply(request, library.live(), '/videos') : problem(problems.methodNotAllowed());
    }
    if (first === 'videos' && second !== undefined && third === undefined) {
      if (method === 'GET') return getVideo(second);
      if (method === 'DELETE') return deleteVideo(second);
      return problem(problems.methodNotAllowed());
    }
    if (first === 'videos' && second !== undefined && third === 'status') {
      return method === 'GET' ? getStatus(second) : problem(problems.methodNotAllowed());
    }
    if (first === 'discarded' && second === 'videos' && third === undefined) {
      return method === 'GET'
        ? listReply(request, library.discarded(), '/discarded/videos')
        : problem(problems.methodNotAllowed());
    }
    if (first === 'discarded' && second === 'videos' && third !== undefined) {
      if (method === 'GET') return getDiscardedVideo(third);
      if (method === 'PATCH') return restoreVideo(request, third);
      return problem(problems.methodNotAllowed());
    }
    return problem(problems.unrecognizedUrl());
  }

  function getVideo(videoId: string): SimulatorReply {
    const video = library.find(videoId);
    if (!video) return problem(problems.notFound());
    if (video.discardedAt !== null && (options.getDiscarded ?? '404') === '404') return problem(problems.notFound());
    return { status: 200, json: videoJson(video) };
  }

  function getStatus(videoId: string): SimulatorReply {
    const video = library.find(videoId);
    if (!video || video.discardedAt !== null) return problem(problems.notFound());
    return { status: 200, json: statusJson(video) };
  }

  function deleteVideo(videoId: string): SimulatorReply {
    const video = library.find(videoId);
    if (!video) return problem(problems.notFound());
    if (video.discardedAt !== null) {
      return (options.deleteDiscarded ?? '404') === '204' ? { status: 204 } : problem(problems.notFound());
    }
    if (
      (options.deleteIngesting ?? 'allowed') === 'refused' &&
      (video.phase === 'uploading' || video.phase === 'ingesting')
    ) {
      return problem(problems.ingestInProgress());
    }
    if (videoRestore) library.discard(video);
    else library.remove(videoId);
    return { status: 204 };
  }

  function getDiscardedVideo(videoId: string): SimulatorReply {
    const video = library.find(videoId);
    if (!video || video.discardedAt === null) return problem(problems.notFound());
    return { status: 200, json: videoJson(video) };
  }

  /** `PATCH /discarded/videos/{id}` takes exactly `{"discarded": false}`; anything else is the documented 400. */
  function restoreVideo(request: SimulatorRequest, videoId: string): SimulatorReply {
    const body = jsonObject(request);
    if (!body) return problem(problems.invalidPayload());
    const unexpected = Object.keys(body).find((key) => key !== 'discarded');
    if (unexpected !== undefined) return problem(problems.unexpectedAttribute(unexpected));
    if (body.discarded !== false) return problem(problems.discardedMustBeFalse());
    const video = library.find(videoId);
    if (!video || video.discardedAt === null) return problem(problems.notFound());
    library.restore(video);
    return { status: 200, json: videoJson(video) };
  }

  function listReply(request: SimulatorRequest, videos: LibraryVideo[], path: string): SimulatorReply {
    const result = listVideos(videos, request.query, `${baseUrl}${path}`);
    return 'problem' in result ? problem(result.problem) : { status: 200, json: result.page };
  }

  function authenticateEndpoint(request: SimulatorRequest, action: string): SimulatorReply {
    if (action !== 'api-key' && action !== 'refresh') return problem(problems.unrecognizedUrl());
    if (request.method !== 'POST') return problem(problems.methodNotAllowed());
    const body = jsonObject(request);
    if (!body) return problem(problems.invalidPayload());
    const field = action === 'api-key' ? 'apiKey' : 'refreshToken';
    const value = body[field];
    if (typeof value !== 'string' || value === '') return problem(problems.attributeRequired(field));
    const grant = action === 'api-key' ? (value === apiKey ? tokens.issue(apiKey) : undefined) : tokens.refresh(value);
    return grant ? { status: 200, json: grant } : problem(echoing(problems.invalidUserCredentials(), value));
  }

  /** Basic with the key as username (the password is ignored), or a live bearer token. */
  function callerKey(authorization: string | undefined): string | undefined {
    const presented = parseAuthorization(authorization);
    if (presented?.scheme === 'bearer') return tokens.apiKeyOf(presented.token);
    return presented?.username === apiKey ? apiKey : undefined;
  }

  function unauthorizedReply(headers: Record<string, string>, authorization: string | undefined): SimulatorReply {
    const body = options.unauthorizedBody === undefined ? problems.unauthorized() : options.unauthorizedBody;
    return body === null ? { status: 401, headers } : { status: 401, headers, json: echoing(body, authorization) };
  }

  /** The `echoCredentials` switch: the refused credential in `detail`. */
  function echoing<T extends Record<string, unknown>>(body: T, credential: string | undefined): T {
    return options.echoCredentials && credential !== undefined
      ? { ...body, detail: `Refused credential: ${credential}` }
      : body;
  }

  const server = await startSimulatorServer({
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
    random: seededRandom(seed + 13),
    handle,
    idsOf: (request) => {
      const segments = request.path.split('/').filter((segment) => segment !== '');
      if (segments[0] === 'videos' && segments[1] !== undefined) return [segments[1]];
      if (segments[0] === 'discarded' && segments[1] === 'videos' && segments[2] !== undefined) return [segments[2]];
      return [];
    },
  });
  baseUrl = server.url;

  return {
    url: server.url,
    credentials: { apiKey },
    videoIds,
    videoRestore,
    seed: (videos) => videos.map((video) => library.add(phaseFor(video.state), video.title).videoId),
    missingId: () => library.missingId(),
    failNext: (kind, count) => faults.failNext(kind, count),
    stateOf: (videoId) => library.stateOf(videoId),
    calls: () => server.calls(),
    resetCalls: () => server.resetCalls(),
    close: () => server.close(),
    issuedTokens: () => tokens.issued(),
    revokeTokens: () => tokens.revokeAll(),
    setPhase: (videoId, phase) => {
      const video = library.find(videoId);
      if (!video) throw new Error(`api.video simulator: no video ${videoId}`);
      video.phase = phase;
    },
  };
}

/** The JSON object a body holds; undefined for malformed JSON or anything else, which api.video calls an invalid payload. */
function jsonObject(request: SimulatorRequest): Record<string, unknown> | undefined {
  let body: unknown;
  try {
    body = request.json();
  } catch (error) {
    if (error instanceof SimulatorBodyError) return undefined;
    throw error;
  }
  return body !== null && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

function problem(body: problems.Problem, headers: Record<string, string> = {}): SimulatorReply {
  return { status: body.status, headers, json: body };
}

function phaseFor(state: SimulatedVideoState): IngestPhase {
  if (state === 'READY') return 'ready';
  // Fully received and encoding: the usual reason a fresh video is not playable yet.
  if (state === 'PROCESSING') return 'encoding';
  throw new Error('api.video has no notion of a video this account may not delete: it cannot seed a FORBIDDEN video');
}

function generatedKey(seed: number): string {
  const random = seededRandom(seed ^ 0x0a11_1de0);
  let key = '';
  for (let index = 0; index < 43; index += 1) key += KEY_ALPHABET[Math.floor(random() * KEY_ALPHABET.length)];
  return key;
}
