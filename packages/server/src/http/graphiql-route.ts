import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Request, RequestHandler } from 'express';
import { graphqlErrorBody } from './graphql-error-body.js';
import { GRAPHIQL_PAGE_FILE } from './graphiql-page.js';

const gunzipAsync = promisify(gunzip);

/**
 * The page allows nothing from elsewhere: every script, style, font and worker is inline (the workers from blob:
 * URLs the page makes), and it talks only to this server (same-origin fetches and the WebSocket). Framing is refused,
 * since the page can send mutations with whatever key is typed into it.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'unsafe-inline' blob:",
  'worker-src blob:',
  "style-src 'unsafe-inline'",
  'font-src data:',
  'img-src data:',
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface GraphiqlPage {
  gzipped: Buffer;
  etag: string;
  /** Unzipped only for a client that takes no gzip (browsers all do). */
  html(): Promise<Buffer>;
}

/**
 * GraphiQL at `GET /graphql` for a browser (a request that prefers text/html, as Apollo decides for its landing page):
 * GraphiQL 5 as graphql-yoga renders it, the whole application inline in one page (no CDN, so it works offline),
 * queries and mutations POSTed as JSON to the page's own URL (which Apollo's CSRF prevention accepts) and
 * subscriptions over graphql-ws at the same URL, both derived from `location`. Served only with introspection on,
 * since without it GraphiQL has no schema to work with; then such a request is answered 406 saying why.
 */
export function graphiqlRoute(options: { enabled: boolean }): RequestHandler {
  let page: Promise<GraphiqlPage> | undefined;
  return (request, response, next) => {
    if (!prefersHtml(request)) {
      next();
      return;
    }
    if (!options.enabled) {
      response
        .status(406)
        .json(
          graphqlErrorBody(
            'GraphiQL is served only with introspection on (server.introspection); ' +
              'send GraphQL requests as JSON (POST application/json) or over the WebSocket',
            'NOT_ACCEPTABLE',
          ),
        );
      return;
    }
    // Rendered and gzipped at build time (9 MB of HTML, about 2.4 MB gzipped), read once, on the first visit.
    page ??= readPage();
    page.catch(() => {
      page = undefined;
    });
    page.then((served) => {
      response.vary('Accept').vary('Accept-Encoding');
      response.set({
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        etag: served.etag,
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
      if (request.fresh) {
        response.status(304).end();
        return;
      }
      if (request.acceptsEncodings('gzip') === 'gzip') {
        response.set('content-encoding', 'gzip').end(served.gzipped);
        return;
      }
      served.html().then((html) => response.end(html), next);
    }, next);
  };
}

/** Apollo's rule for its landing page: a GET whose Accept ranks text/html above every GraphQL response type. */
function prefersHtml(request: Request): boolean {
  if (request.method !== 'GET' || request.headers.accept === undefined) return false;
  return (
    request.accepts(['application/json', 'application/graphql-response+json', 'multipart/mixed', 'text/html']) ===
    'text/html'
  );
}

async function readPage(): Promise<GraphiqlPage> {
  const file = new URL(`../${GRAPHIQL_PAGE_FILE}`, import.meta.url);
  const gzipped = await readFile(file).catch((error: unknown) => {
    throw new Error(`The GraphiQL page was not built (${file.pathname}): run \`pnpm build\``, { cause: error });
  });
  const etag = `"${createHash('sha256').update(gzipped).digest('base64url')}"`;
  let html: Promise<Buffer> | undefined;
  return { gzipped, etag, html: () => (html ??= gunzipAsync(gzipped)) };
}
