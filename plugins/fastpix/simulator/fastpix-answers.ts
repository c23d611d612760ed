import type { SimulatorReply } from '@unreel/provider-kit/simulator';

/**
 * FastPix's answers, in its `Default-Error` shape. The 401, 403 and 404 bodies are FastPix's published examples word
 * for word, including the 401 example's `code: 403`; the others follow the same shape with wording of our own.
 */
function errorReply(
  status: number,
  error: { code?: number; message: string; description?: string; fields?: { field: string; message: string }[] },
  headers?: Record<string, string>,
): SimulatorReply {
  return {
    status,
    ...(headers ? { headers } : {}),
    json: {
      success: false,
      error: {
        code: error.code ?? status,
        message: error.message,
        ...(error.description === undefined ? {} : { description: error.description }),
        ...(error.fields === undefined ? {} : { fields: error.fields }),
      },
    },
  };
}

export function unauthorizedReply(status: 401 | 403): SimulatorReply {
  return errorReply(status, {
    code: 403,
    message: 'unauthorized',
    description:
      'This happens because of 1)Miss match between access token and secret key 2)Miss match between access token and workspace 3)No valid Access token provided.',
  });
}

export function forbiddenReply(): SimulatorReply {
  return errorReply(403, {
    message: 'forbidden',
    description:
      "The Access token does not have permissions to perform the request. Check access token's permissions. Read more https://docs.fastpix.io/docs/user-roles",
  });
}

export function mediaNotFoundReply(): SimulatorReply {
  return errorReply(404, {
    message: 'media workspace relation not found',
    description: "The requested resource (eg:mediaId) doesn't exist in the workspace",
  });
}

export function validationReply(fields: { field: string; message: string }[]): SimulatorReply {
  return errorReply(422, { message: 'payload validation failed', fields });
}

/** Undocumented: what a refused delete of a media still processing looks like here (`processingDelete: 'refused'`). */
export function processingRefusalReply(status: 409 | 422, mediaStatus: string): SimulatorReply {
  return errorReply(status, {
    message: status === 409 ? 'media is being processed' : 'media is not in a deletable state',
    description: `The media can't be deleted while it is processing (status: ${mediaStatus}). Try again once its status is Ready or Failed.`,
  });
}

/** Undocumented (FastPix lists no 429): the simulator's throttled answer, with or without Retry-After. */
export function throttledReply(retryAfterSeconds: number | undefined): SimulatorReply {
  return errorReply(
    429,
    {
      message: 'too many requests',
      description:
        retryAfterSeconds === undefined
          ? 'The request rate limit of this workspace has been exceeded.'
          : `The request rate limit of this workspace has been exceeded. Retry after ${retryAfterSeconds} seconds.`,
    },
    retryAfterSeconds === undefined ? undefined : { 'retry-after': String(retryAfterSeconds) },
  );
}

export type FaultStatus = 408 | 500 | 502 | 503 | 504 | 524;

const faultMessages: Record<FaultStatus, string> = {
  408: 'request timeout',
  500: 'internal server error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
  524: 'a timeout occurred',
};

export function faultReply(status: FaultStatus): SimulatorReply {
  return errorReply(status, {
    message: faultMessages[status],
    description: 'Something went wrong on our side. Please try again.',
  });
}

export function routeNotFoundReply(method: string, path: string): SimulatorReply {
  return errorReply(404, {
    message: 'route not found',
    description: `${method} ${path} is not an endpoint of this API`,
  });
}
