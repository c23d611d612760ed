import {
  FaultSchedule,
  WindowRateLimiter,
  parseAuthorization,
  retryAfterSeconds,
  seededRandom,
  startSimulatorServer,
  type RunningSimulator,
  type SimulatorReply,
  type SimulatorRequest,
  type StartSimulatorOptions,
} from '@unreel/provider-kit/simulator';
import {
  faultReply,
  forbiddenReply,
  mediaNotFoundReply,
  processingRefusalReply,
  routeNotFoundReply,
  throttledReply,
  unauthorizedReply,
  validationReply,
  type FaultStatus,
} from './fastpix-answers.js';
import {
  FastPixLibrary,
  IN_FLIGHT_STATUSES,
  mediaJson,
  type MediaSeed,
  type SimulatedMedia,
} from './fastpix-library.js';
import {
  FastPixWebhookSender,
  type FastPixWebhookDelivery,
  type FastPixWebhookTarget,
  type WebhookSigningKey,
} from './fastpix-webhook-sender.js';

export interface FastPixCredentials extends Record<string, string> {
  accessTokenId: string;
  secretKey: string;
}

/** Every switch is for behaviour FastPix's docs leave open; the README says what each reproduces. */
export interface FastPixSimulatorOptions extends StartSimulatorOptions {
  /** Default: derived from `seed`. */
  credentials?: FastPixCredentials;
  /** Added to every answer, uniformly in [min, max] ms. */
  latencyMs?: readonly [number, number];
  /** Share of requests answered with `faultStatus` without acting. */
  errorRate?: number;
  /** Status of `failNext('server-error')` and `errorRate` faults. Default 500. */
  faultStatus?: FaultStatus;
  /** ASSUMED limit per access token (FastPix documents none). Default 20 requests per 1,000 ms; false: none. */
  rateLimit?: { limit: number; windowMs: number } | false | undefined;
  /** The clock those windows are counted on. Default Date.now. */
  now?: () => number;
  /** Whether a 429 carries `Retry-After` (seconds). Default true. */
  throttleRetryAfter?: boolean;
  /** Deleting a media still processing: docs are silent. Default 'allowed'. */
  processingDelete?: 'allowed' | 'refused';
  /** The status of that refusal. Default 409 ("Data Conflict"). */
  processingRefusalStatus?: 409 | 422;
  /** Status of the credentials refusal: 401 as the SDK maps it, or 403 as its example's `code` says. Default 401. */
  unauthorizedStatus?: 401 | 403;
  /** Shares of the seeded library (defaults 0.08, 0.04, 0.04); the rest is `Ready`. */
  processingRatio?: number;
  failedRatio?: number;
  forbiddenRatio?: number;
  /** Where to POST a signed `video.media.deleted` after each successful delete. */
  webhook?: FastPixWebhookTarget;
  /** Send every webhook delivery twice, as a redelivery would, to test de-duplication. Default false. */
  webhookDuplicates?: boolean;
  /** Default 'decoded-secret' (FastPix's scheme); 'raw-secret' signs the way some third-party code verifies. */
  webhookSigningKey?: WebhookSigningKey;
}

export interface FastPixSimulator extends RunningSimulator<FastPixCredentials> {
  readonly library: FastPixLibrary;
  /** Adds media in FastPix's own terms (any status string, forbidden or not); returns them in order. */
  addMedia(media: readonly MediaSeed[]): SimulatedMedia[];
  /** Every delivery made to `webhook.url`, with the receiver's answer. */
  webhookDeliveries(): readonly FastPixWebhookDelivery[];
  /** Resolves once every delivery started so far is answered or failed. */
  webhooksIdle(): Promise<void>;
  /** Sends FastPix's unsigned `{}` endpoint check to `webhook.url`. */
  sendValidationProbe(): Promise<FastPixWebhookDelivery>;
}

export const ASSUMED_RATE_LIMIT = { limit: 20, windowMs: 1_000 } as const;
const API_PREFIX = '/v1';
const MEDIA_PATH = /^\/on-demand\/([^/]+)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IN_FLIGHT = new Set<string>(IN_FLIGHT_STATUSES);

export async function startSimulator(options: FastPixSimulatorOptions = {}): Promise<FastPixSimulator> {
  const seed = options.seed ?? 1;
  const random = seededRandom(seed ^ 0x5f3759df);
  const credentials = options.credentials ?? deriveCredentials(random);
  const library = new FastPixLibrary({
    seed,
    videoCount: options.videoCount ?? 50,
    processingRatio: options.processingRatio ?? 0.08,
    failedRatio: options.failedRatio ?? 0.04,
    forbiddenRatio: options.forbiddenRatio ?? 0.04,
  });
  const videoIds = library.ids();
  const faults = new FaultSchedule({ errorRate: options.errorRate ?? 0, random });
  const rateLimit = options.rateLimit === undefined ? ASSUMED_RATE_LIMIT : options.rateLimit;
  const limiter =
    rateLimit === false ? undefined : new WindowRateLimiter({ ...rateLimit, now: options.now ?? Date.now });
  const sayWhen = options.throttleRetryAfter ?? true;
  const sender = options.webhook
    ? new FastPixWebhookSender({
        target: options.webhook,
        duplicate: options.webhookDuplicates ?? false,
        signingKey: options.webhookSigningKey ?? 'decoded-secret',
        workspace: { id: library.workspaceId, name: 'Simulated workspace' },
      })
    : undefined;

  const server = await startSimulatorServer({
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
    handle,
    idsOf: (request) => {
      const match = MEDIA_PATH.exec(apiPath(request.path) ?? '');
      return match ? [match[1] as string] : [];
    },
  });

  function handle(request: SimulatorRequest): SimulatorReply {
    const path = apiPath(request.path);
    if (path === undefined) return routeNotFoundReply(request.method, request.path);
    if (!authorized(request.headers.authorization)) return unauthorizedReply(options.unauthorizedStatus ?? 401);
    const fault = faults.next();
    if (fault === 'throttle') return throttledReply(sayWhen ? 1 : undefined);
    if (fault === 'server-error') return faultReply(options.faultStatus ?? 500);
    const decision = limiter?.take(credentials.accessTokenId);
    if (decision && !decision.allowed)
      return throttledReply(sayWhen ? retryAfterSeconds(decision.retryAfterMs) : undefined);

    if (path === '/on-demand' && request.method === 'GET') return listMedia(request.query);
    const match = MEDIA_PATH.exec(path);
    if (match) {
      const mediaId = match[1] as string;
      if (request.method === 'GET') return getMedia(mediaId);
      if (request.method === 'DELETE') return deleteMedia(mediaId);
    }
    return routeNotFoundReply(request.method, request.path);
  }

  function authorized(header: string | undefined): boolean {
    const presented = parseAuthorization(header);
    return (
      presented?.scheme === 'basic' &&
      presented.username === credentials.accessTokenId &&
      presented.password === credentials.secretKey
    );
  }

  function getMedia(mediaId: string): SimulatorReply {
    if (!UUID.test(mediaId)) return invalidMediaId();
    const media = library.get(mediaId);
    if (!media) return mediaNotFoundReply();
    return { status: 200, json: { success: true, data: mediaJson(media, library.workspaceId) } };
  }

  function deleteMedia(mediaId: string): SimulatorReply {
    if (!UUID.test(mediaId)) return invalidMediaId();
    const media = library.resolve(mediaId);
    if (!media) return mediaNotFoundReply();
    if (media.forbidden) return forbiddenReply();
    if (IN_FLIGHT.has(media.status) && options.processingDelete === 'refused') {
      return processingRefusalReply(options.processingRefusalStatus ?? 409, media.status);
    }
    const snapshot = mediaJson(media, library.workspaceId);
    library.remove(media);
    sender?.mediaDeleted({ ...snapshot, id: media.id });
    return { status: 200, json: { success: true } };
  }

  function listMedia(query: URLSearchParams): SimulatorReply {
    const problems: { field: string; message: string }[] = [];
    const limit = integerParam(query, 'limit', 10, 1, 50, problems);
    const offset = integerParam(query, 'offset', 1, 1, Number.MAX_SAFE_INTEGER, problems);
    const orderBy = query.get('orderBy') ?? 'desc';
    if (orderBy !== 'asc' && orderBy !== 'desc')
      problems.push({ field: 'orderBy', message: 'must be one of [asc, desc]' });
    if (problems.length > 0) return validationReply(problems);
    const all = library.list(orderBy as 'asc' | 'desc');
    // `offset` is the page number: page `offset` of `limit` media each.
    const page = all.slice((offset - 1) * limit, offset * limit);
    return {
      status: 200,
      json: {
        success: true,
        data: page.map((media) => mediaJson(media, library.workspaceId)),
        pagination: { totalRecords: all.length, currentOffset: offset, offsetCount: Math.ceil(all.length / limit) },
      },
    };
  }

  return {
    url: `${server.url}${API_PREFIX}`,
    credentials,
    videoIds,
    library,
    seed: (videos) => videos.map((video) => library.addState(video.state, video.title).id),
    addMedia: (media) => media.map((entry) => library.add(entry)),
    missingId: () => library.unusedId(),
    failNext: (kind, count) => faults.failNext(kind, count),
    stateOf: (id) => library.stateOf(id),
    calls: () => server.calls(),
    resetCalls: () => server.resetCalls(),
    webhookDeliveries: () => sender?.deliveries() ?? [],
    webhooksIdle: async () => sender?.idle(),
    sendValidationProbe: async () => {
      if (!sender) throw new Error('fastpix simulator: sendValidationProbe needs the webhook option ({ url, secret })');
      return sender.validationProbe();
    },
    close: async () => {
      await sender?.idle();
      await server.close();
    },
  };
}

function apiPath(path: string): string | undefined {
  if (path !== API_PREFIX && !path.startsWith(`${API_PREFIX}/`)) return undefined;
  const rest = path.slice(API_PREFIX.length);
  // The SDK's base URL ends in a slash, so a trailing one is tolerated as a real API gateway would.
  return rest.length > 1 && rest.endsWith('/') ? rest.slice(0, -1) : rest;
}

function invalidMediaId(): SimulatorReply {
  return validationReply([{ field: 'mediaId', message: 'must be a valid UUID' }]);
}

function integerParam(
  query: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: { field: string; message: string }[],
): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    problems.push({
      field: name,
      message:
        max === Number.MAX_SAFE_INTEGER
          ? `must be an integer of at least ${min}`
          : `must be an integer from ${min} to ${max}`,
    });
    return fallback;
  }
  return value;
}

/** FastPix access token ids are UUIDs; secret keys are long opaque strings. */
function deriveCredentials(random: () => number): FastPixCredentials {
  const hex = (length: number): string => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const secret = Array.from({ length: 48 }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  return {
    accessTokenId: `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`,
    secretKey: secret,
  };
}
