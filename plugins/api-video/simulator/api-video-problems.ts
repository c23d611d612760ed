/**
 * api.video's error bodies: problem details `{type, title, name, status, detail?, problems?}` served as
 * `application/json`. Bodies the OAS shows are copied from its examples (providers.md §2.5); the others are marked
 * as inferred and can be replaced through the simulator's switches where the docs leave them open.
 */
export type Problem = Record<string, unknown> & { status: number };

const DOCS = 'https://docs.api.video/reference';

/** OAS example of every `404` on a video path. */
export function notFound(name = 'videoId'): Problem {
  return { type: `${DOCS}/resource-not-found`, title: 'The requested resource was not found.', name, status: 404 };
}

/** OAS example of every `429`. */
export function tooManyRequests(): Problem {
  return { type: `${DOCS}/too-many-requests`, title: 'Too many requests.', status: 429 };
}

/** OAS example of `POST /auth/api-key` and `/auth/refresh` with bad credentials. */
export function invalidUserCredentials(): Problem {
  return {
    type: `${DOCS}/authentication-invalid-user-credentials`,
    title: 'The user credentials were incorrect.',
    name: '',
    status: 400,
  };
}

/**
 * The docs say a bad or wrong-environment key gets `401` "with the corresponding JSON body" but show none (inferred:
 * the invalid-credentials problem with status 401). The `unauthorizedBody` switch replaces it.
 */
export function unauthorized(): Problem {
  return {
    type: `${DOCS}/authentication-invalid-user-credentials`,
    title: 'The user credentials were incorrect.',
    name: '',
    status: 401,
  };
}

/** OAS example of `PATCH /discarded/videos/{videoId}` with anything but `{"discarded": false}`. */
export function discardedMustBeFalse(): Problem {
  return {
    type: `${DOCS}/invalid-attribute`,
    title: 'An attribute is invalid.',
    detail: 'Value must be false.',
    name: 'discarded',
    status: 400,
  };
}

/** As the OAS `attribute-required` examples. */
export function attributeRequired(name: string): Problem {
  return { type: `${DOCS}/attribute-required`, title: 'This attribute is required.', name, status: 400 };
}

/** An attribute the endpoint does not take (general errors: "Invalid attributes."). */
export function unexpectedAttribute(name: string): Problem {
  return {
    type: `${DOCS}/invalid-attribute`,
    title: 'An attribute is invalid.',
    detail: 'This field was not expected.',
    name,
    status: 400,
  };
}

/** General errors: "The payload is invalid." when the body is missing or is not JSON (no example: type inferred). */
export function invalidPayload(): Problem {
  return { type: `${DOCS}/invalid-attribute`, title: 'The payload is invalid.', name: '', status: 400 };
}

/** The `GET /videos` 400 example: range errors name the parameter and its range, once more under `problems`. */
export function outOfRange(name: string, range: { min: number; max?: number }): Problem {
  const title = 'This parameter is out of the allowed range of values.';
  return {
    type: `${DOCS}/request-invalid-query-parameter`,
    title,
    name,
    status: 400,
    range,
    problems: [{ title, name, range }],
  };
}

/** As the OAS `request-invalid-query-parameter` examples. */
export function invalidQueryParameter(name: string, detail: string): Problem {
  return {
    type: `${DOCS}/request-invalid-query-parameter`,
    title: 'A query parameter is invalid.',
    detail,
    name,
    status: 400,
  };
}

/** As the OAS `unrecognized-request-url` example. */
export function unrecognizedUrl(): Problem {
  return { type: `${DOCS}/unrecognized-request-url`, title: 'Unrecognized request URL.', status: 404 };
}

/** General errors: "Method is not allowed for this route." (no example: type inferred). */
export function methodNotAllowed(): Problem {
  return { type: 'about:blank', title: 'Method is not allowed for this route.', status: 405 };
}

/** General errors: "Server error" (no example: type inferred). */
export function serverError(): Problem {
  return { type: 'about:blank', title: 'Server error', status: 500 };
}

/**
 * Only behind the `deleteIngesting: 'refused'` switch: the docs never say a video being ingested cannot be deleted,
 * so this body is invented in the OAS `conflict-error` shape.
 */
export function ingestInProgress(): Problem {
  return {
    type: 'about:blank',
    title: 'The video source is still being ingested.',
    name: 'videoId',
    status: 409,
    detail: 'Wait until the video is ingested, then delete it.',
  };
}
