import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { Request, RequestHandler } from 'express';
import { graphqlErrorBody } from './graphql-error-body.js';

const gzipAsync = promisify(gzip);

/** What a browser reads first, before any stored tab: what the page is and how to authenticate. */
const DEFAULT_QUERY = `# unreel GraphiQL: queries and mutations go over HTTP, subscriptions over the WebSocket
# at the same URL (deletionProgress). With API keys configured, put
# { "authorization": "Bearer <your key>" } in the Headers tab below.

query Accounts {
  accounts {
    name
    provider
  }
}
`;

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
  html: Buffer;
  gzipped: Buffer;
  etag: string;
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
    // Rendered and compressed once, on the first visit: 9 MB of HTML, about 2.4 MB gzipped.
    page ??= renderPage();
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
      } else {
        response.end(served.html);
      }
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

async function renderPage(): Promise<GraphiqlPage> {
  const html = Buffer.from(
    renderGraphiQL({
      title: 'unreel GraphiQL',
      defaultQuery: DEFAULT_QUERY,
      subscriptionsProtocol: 'WS',
      credentials: 'same-origin',
    }),
  );
  const etag = `"${createHash('sha256').update(html).digest('base64url')}"`;
  return { html, gzipped: await gzipAsync(html), etag };
}
