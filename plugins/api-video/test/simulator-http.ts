import type { ApiVideoSimulator } from '@unreel/plugin-api-video/simulator';

export interface RawAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: any;
  text: string;
}

/** Raw HTTP against the simulator, to check its wire behaviour without any client in between. */
export async function raw(
  simulator: ApiVideoSimulator,
  method: string,
  path: string,
  options: { authorization?: string | null; body?: string } = {},
): Promise<RawAnswer> {
  const headers: Record<string, string> = {};
  const authorization =
    options.authorization === undefined ? basic(simulator.credentials.apiKey) : options.authorization;
  if (authorization !== null) headers.authorization = authorization;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${simulator.url}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text), text };
}

export function basic(apiKey: string, password = ''): string {
  return `Basic ${Buffer.from(`${apiKey}:${password}`).toString('base64')}`;
}

export function rateHeaders(answer: RawAnswer): {
  limit: string | null;
  remaining: string | null;
  retryAfter: string | null;
} {
  return {
    limit: answer.headers.get('x-ratelimit-limit'),
    remaining: answer.headers.get('x-ratelimit-remaining'),
    retryAfter: answer.headers.get('x-ratelimit-retry-after'),
  };
}
