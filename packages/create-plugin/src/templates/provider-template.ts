import type { PluginNames } from '../plugin-names.js';

export function providerTemplate({ id, pascal, displayName }: PluginNames): string {
  return `import {
  InvalidRequestError,
  type CallOptions,
  type DeleteOutcome,
  type ListVideosRequest,
  type PluginContextV1,
  type ProviderCapabilitiesV1,
  type ProviderVideo,
  type ProviderVideoStatus,
  type VideoPage,
  type VideoProviderV1,
} from '@unreel/provider-spec';
import {
  createProviderClient,
  itemFailure,
  offsetCursor,
  parseResponse,
  providerStatusesFor,
  type ProviderHttpClient,
} from '@unreel/provider-kit';
import { z } from 'zod';
import type { ${pascal}Settings } from './${id}-settings.js';

/** A video as \`GET /videos/{id}\` and \`GET /videos\` answer it. */
const videoBody = z.object({
  id: z.string(),
  title: z.string().nullable(),
  status: z.string(),
  createdAt: z.iso.datetime().optional(),
});
const videoListBody = z.object({ videos: z.array(videoBody), total: z.number().int().nonnegative() });
/** Every error answer: \`{ "error": { "code", "message" } }\`. */
const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

const statuses: Readonly<Record<string, ProviderVideoStatus>> = {
  processing: 'PROCESSING',
  ready: 'READY',
  failed: 'FAILED',
};

/** \`GET /videos\` takes \`limit\` up to this. */
const MAX_PAGE_SIZE = 100;
/** The list cursor is the API's \`offset\`, marked as this plugin's so a foreign cursor is refused. */
const listCursor = offsetCursor('${id}', 'o');

/**
 * One ${displayName} account. It makes exactly one attempt per call and throws provider-spec errors for whole-call
 * failures; the host does the rest (batching, concurrency, rate limits, retries, timeouts, journaling, redaction).
 */
export class ${pascal}Provider implements VideoProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly provider = '${id}';
  readonly capabilities: ProviderCapabilitiesV1;
  private readonly client: ProviderHttpClient;
  private readonly secrets: readonly string[];

  constructor(settings: ${pascal}Settings, context: PluginContextV1) {
    this.secrets = [settings.apiKey];
    this.capabilities = {
      // One DELETE per video. With a bulk endpoint: the most ids it takes, and one request per doDeleteVideos call.
      maxBatchSize: 1,
      // Deletion is permanent. With soft delete: { windowDays } and a doRestoreVideo method.
      restore: false,
      requestsPerSecond: settings.requestsPerSecond,
      // What doListVideos filters at the provider; declare only what it applies exactly (the suite checks each part).
      listFilters: { status: ['PROCESSING', 'READY', 'FAILED'] },
    };
    this.client = createProviderClient({
      provider: '${id}',
      baseUrl: settings.baseUrl,
      // The host's fetch, so it controls the transport.
      fetch: context.fetch,
      headers: { authorization: \`Bearer \${settings.apiKey}\`, accept: 'application/json' },
      timeoutMs: settings.timeoutMs,
      // Scrubbed from every error message, whatever the provider echoes back.
      secrets: this.secrets,
    });
  }

  async doDeleteVideos(ids: readonly string[], options: CallOptions): Promise<DeleteOutcome[]> {
    // The host never sends more than maxBatchSize ids; a loop here could fail halfway and lose outcomes.
    if (ids.length !== 1) {
      throw new InvalidRequestError({ message: \`${id} deletes one video per call (maxBatchSize 1), got \${ids.length} ids\` });
    }
    const id = ids[0] as string;
    // 401, 429, 5xx, timeouts and network failures are thrown by the client as provider-spec errors (the whole call
    // failed); these statuses are answers about this one video, so they come back as data.
    const response = await this.client.request(videoPath(id), {
      method: 'DELETE',
      signal: options.signal,
      allowStatus: [403, 404, 409],
    });
    switch (response.status) {
      case 404:
        assertVideoNotFound(response.body, \`DELETE /videos/\${id}\`);
        return [{ status: 'NOT_FOUND' }];
      case 403:
        return [itemFailure('FORBIDDEN', errorMessage(response.body, 'forbidden'), { secrets: this.secrets })];
      case 409:
        // Not now, later: deleting again once processing ends may succeed (retryable), but not at once (transient).
        return [
          itemFailure('IN_PROCESSING', errorMessage(response.body, 'still processing'), {
            secrets: this.secrets,
            retryable: true,
            transient: false,
          }),
        ];
      default:
        return [{ status: 'DELETED' }];
    }
  }

  /** One entry per id, in order, \`null\` for a video the provider does not have. */
  async doGetVideos(ids: readonly string[], options: CallOptions): Promise<(ProviderVideo | null)[]> {
    const videos: (ProviderVideo | null)[] = [];
    for (const id of ids) {
      const where = \`GET /videos/\${id}\`;
      const response = await this.client.request(videoPath(id), { method: 'GET', signal: options.signal, allowStatus: [404] });
      if (response.status === 404) {
        assertVideoNotFound(response.body, where);
        videos.push(null);
      } else {
        videos.push(toProviderVideo(await this.readBody(videoBody, response, where)));
      }
    }
    return videos;
  }

  /**
   * Applies what \`GET /videos\` can filter (\`status\`, comma-separated) and leaves the rest (dates) to the host, which
   * re-checks every listed video against the whole filter. Offset paging: a video deleted between two pages moves the
   * later ones up, which the plugin's README says (the host lists again until a pass finds nothing new).
   */
  async doListVideos(page: ListVideosRequest, options: CallOptions): Promise<VideoPage> {
    const offset = listCursor.decode(page.cursor);
    const limit = Math.min(Math.max(1, Math.floor(page.limit)), MAX_PAGE_SIZE);
    const wanted = providerStatusesFor(page.filter?.status, statuses);
    if (wanted?.length === 0) return { items: [], nextCursor: null };
    const searchParams = { offset, limit, ...(wanted ? { status: wanted.join(',') } : {}) };
    const response = await this.client.request('/videos', { method: 'GET', signal: options.signal, searchParams });
    const { videos, total } = await this.readBody(videoListBody, response, 'GET /videos');
    const next = offset + videos.length;
    // An empty page ends the listing whatever \`total\` says, so a stale total cannot loop forever.
    return { items: videos.map(toProviderVideo), nextCursor: videos.length > 0 && next < total ? listCursor.encode(next) : null };
  }


  /**
   * A 2xx body read through its schema: one this plugin cannot read (the provider changed, or something between us
   * answered) is INVALID_RESPONSE (ProviderResponseError), which the host retries like a 5xx.
   */
  private readBody<T>(schema: z.ZodType<T>, response: { status: number; body: unknown }, where: string): Promise<T> {
    return parseResponse(schema, response, { provider: '${id}', request: where, secrets: this.secrets });
  }
}

/** Encoded, so an id holding \`/\` or \`?\` cannot reach another endpoint. */
function videoPath(id: string): string {
  return \`/videos/\${encodeURIComponent(id)}\`;
}

function toProviderVideo(video: z.infer<typeof videoBody>): ProviderVideo {
  return {
    id: video.id,
    title: video.title,
    status: statuses[video.status] ?? 'UNKNOWN',
    ...(video.createdAt === undefined ? {} : { createdAt: new Date(video.createdAt) }),
  };
}

function errorMessage(body: unknown, fallback: string): string {
  const parsed = errorBody.safeParse(body);
  return parsed.success ? parsed.data.error.message : fallback;
}

/**
 * A 404 means "no such video" only when the API says so: a wrong baseUrl also answers 404, and reading that as
 * NOT_FOUND would report every video as already deleted.
 */
function assertVideoNotFound(body: unknown, where: string): void {
  const parsed = errorBody.safeParse(body);
  if (!parsed.success || parsed.data.error.code !== 'video_not_found') {
    throw new InvalidRequestError({ message: \`${id} answered 404 to \${where} without video_not_found: check the plugin's baseUrl\` });
  }
}
`;
}
