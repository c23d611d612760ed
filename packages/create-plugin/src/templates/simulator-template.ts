import type { PluginNames } from '../plugin-names.js';

export function simulatorTemplate({ id, pascal, displayName }: PluginNames): string {
  return `import {
  FaultSchedule,
  WindowRateLimiter,
  parseAuthorization,
  retryAfterSeconds,
  seededRandom,
  startSimulatorServer,
  titleWord,
  type RateLimitDecision,
  type RunningSimulator,
  type SimulatedVideoState,
  type SimulatorReply,
  type SimulatorRequest,
  type StartSimulatorOptions,
} from '@unreel/provider-kit/simulator';

/**
 * An HTTP fake of ${displayName}'s API, for the plugin's tests, the conformance suite and anyone's client
 * (\`unreel-simulate\`). It should reproduce what the provider documents (paths, auth, bodies, statuses, limits,
 * preconditions), written from the provider's docs and not from the plugin, so a mistake in one shows in the other.
 */
export interface ${pascal}SimulatorOptions extends StartSimulatorOptions {
  /** The one valid key. Default: derived from \`seed\`. */
  apiKey?: string;
  /** Requests a minute per key before 429; \`false\` turns the limit off. Default 600. */
  requestsPerMinute?: number | false;
  /** Added to every answer, uniformly in [min, max] ms. */
  latencyMs?: readonly [number, number];
  /** Fraction of video requests answered 500, on top of \`failNext\`. */
  errorRate?: number;
}

export type ${pascal}Simulator = RunningSimulator<{ apiKey: string }>;

type VideoStatus = 'processing' | 'ready' | 'failed';
const STATUSES: readonly VideoStatus[] = ['processing', 'ready', 'failed'];

interface SimulatedVideo {
  id: string;
  title: string | null;
  status: VideoStatus;
  createdAt: string;
  /** Visible to another account only: this one may not delete it (403) and does not see it. */
  foreign: boolean;
}

const VIDEO_PATH = /^\\/v1\\/videos\\/([^/]+)$/;
const LIST_PATH = /^\\/v1\\/videos\\/?$/;
const CREATED_FROM = Date.UTC(2026, 0, 1);

export async function startSimulator(options: ${pascal}SimulatorOptions = {}): Promise<${pascal}Simulator> {
  const seed = options.seed ?? 1;
  const random = seededRandom(seed);
  const hex = (): string => Math.floor(random() * 2 ** 32).toString(16).padStart(8, '0');
  const apiKey = options.apiKey ?? \`${id}_key_\${hex()}\${hex()}\`;
  const limiter = new WindowRateLimiter({ limit: options.requestsPerMinute || 600, windowMs: 60_000 });
  const limiting = options.requestsPerMinute !== false;
  const faults = new FaultSchedule({ errorRate: options.errorRate ?? 0, random });
  const videos = new Map<string, SimulatedVideo>();

  function newId(): string {
    let candidate: string;
    do candidate = \`v\${hex()}\`;
    while (videos.has(candidate));
    return candidate;
  }

  function add(status: VideoStatus, title: string | null, foreign = false): string {
    const video = { id: newId(), title, status, createdAt: new Date(CREATED_FROM + videos.size * 3_600_000).toISOString(), foreign };
    videos.set(video.id, video);
    return video.id;
  }

  const videoIds = Array.from({ length: options.videoCount ?? 20 }, (_, index) =>
    add(index % 5 === 4 ? 'processing' : 'ready', \`\${titleWord(random())} \${index + 1}\`),
  );

  const error = (status: number, code: string, message: string, headers?: Record<string, string>): SimulatorReply => ({
    status,
    json: { error: { code, message } },
    ...(headers ? { headers } : {}),
  });

  const throttled = (decision: RateLimitDecision): SimulatorReply =>
    error(429, 'rate_limited', 'Too many requests', {
      'retry-after': String(retryAfterSeconds(decision.retryAfterMs)),
      'x-ratelimit-limit': String(decision.limit),
      'x-ratelimit-remaining': '0',
    });

  const videoJson = ({ id: videoId, title, status, createdAt }: SimulatedVideo) => ({ id: videoId, title, status, createdAt });

  function handle(request: SimulatorRequest): SimulatorReply {
    const auth = parseAuthorization(request.headers.authorization);
    if (auth?.scheme !== 'bearer' || auth.token !== apiKey) return error(401, 'unauthorized', 'Invalid or missing API key');
    const match = VIDEO_PATH.exec(request.path);
    const isList = LIST_PATH.test(request.path);
    if (!match && !isList) return error(404, 'route_not_found', \`No route for \${request.method} \${request.path}\`);
    if (limiting) {
      const decision = limiter.take(apiKey);
      if (!decision.allowed) return throttled(decision);
    }
    const fault = faults.next();
    if (fault === 'throttle') return throttled(limiter.exhausted());
    if (fault === 'server-error') return error(500, 'internal_error', 'Something went wrong on our side');

    if (isList) {
      if (request.method !== 'GET') return error(405, 'method_not_allowed', \`\${request.method} is not allowed here\`);
      const offset = Number(request.query.get('offset') ?? 0);
      const limit = Number(request.query.get('limit') ?? 20);
      if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > 100) {
        return error(400, 'invalid_parameter', 'offset must be 0 or more and limit from 1 to 100');
      }
      const status = request.query.get('status')?.split(',');
      if (status?.some((value) => !STATUSES.includes(value as VideoStatus))) {
        return error(400, 'invalid_parameter', \`status must be a comma-separated list of \${STATUSES.join(', ')}\`);
      }
      const visible = [...videos.values()].filter((video) => !video.foreign && (!status || status.includes(video.status)));
      return { status: 200, json: { videos: visible.slice(offset, offset + limit).map(videoJson), total: visible.length } };
    }

    const videoId = match?.[1] ?? '';
    const video = videos.get(videoId);
    if (!video || (video.foreign && request.method === 'GET')) {
      return error(404, 'video_not_found', \`Video \${videoId} does not exist\`);
    }
    if (request.method === 'GET') return { status: 200, json: videoJson(video) };
    if (request.method !== 'DELETE') return error(405, 'method_not_allowed', \`\${request.method} is not allowed here\`);
    if (video.foreign) return error(403, 'forbidden', 'This video belongs to another account');
    if (video.status === 'processing') return error(409, 'video_processing', 'The video is still processing; delete it once it is ready or failed');
    videos.delete(videoId);
    return { status: 204 };
  }

  const server = await startSimulatorServer({
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
    random,
    handle,
    idsOf: (request) => {
      const videoId = VIDEO_PATH.exec(request.path)?.[1];
      return videoId === undefined ? [] : [videoId];
    },
  });

  const states: Record<SimulatedVideoState, { status: VideoStatus; foreign: boolean }> = {
    READY: { status: 'ready', foreign: false },
    PROCESSING: { status: 'processing', foreign: false },
    FORBIDDEN: { status: 'ready', foreign: true },
  };

  return {
    url: \`\${server.url}/v1\`,
    credentials: { apiKey },
    videoIds,
    seed: (entries) => entries.map(({ state, title }) => add(states[state].status, title ?? null, states[state].foreign)),
    missingId: newId,
    failNext: (kind, count) => faults.failNext(kind, count),
    stateOf: (videoId) => (videos.has(videoId) ? 'PRESENT' : 'GONE'),
    calls: server.calls,
    resetCalls: server.resetCalls,
    close: server.close,
  };
}
`;
}
