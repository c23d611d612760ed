import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import express, { type RequestHandler, type Router } from 'express';

const gzipAsync = promisify(gzip);

/** Where `pnpm build` (and this package's `prepack`) writes the console's Vite build, relative to dist/http/. */
const CONSOLE_DIR = fileURLToPath(new URL('../console/', import.meta.url));

/**
 * The console's own files and this server only: its scripts and styles are files under /console/assets (no inline
 * script or style, no CDN), and it talks to /graphql on the same origin, over HTTP and the WebSocket. Framing is
 * refused, since the page sends mutations with whatever key is typed into it.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface ConsoleFile {
  /** `.js`, `.css`, ...: the content type is express's for it. */
  extension: string;
  body: Buffer;
  gzipped: Buffer;
  etag: string;
  /** Vite names every asset by its content hash, so a browser keeps it until the name changes. */
  immutable: boolean;
}

/**
 * The operator console at `/console` (and `/console/`, its hash routes included: they never reach the server) and its
 * assets. The files are read and gzipped once, on the first visit (a few dozen KB), and answered with an ETag, so a
 * reload costs a 304.
 */
export function consoleRoute(): Router {
  let files: Promise<Map<string, ConsoleFile>> | undefined;
  // Express 5 passes a rejection to the error handler (a console that was not built: 500, logged).
  const serve: RequestHandler = async (request, response, next) => {
    files ??= readConsole();
    const served = await files.catch((error: unknown) => {
      files = undefined;
      throw error;
    });
    const name = request.path === '/' ? 'index.html' : request.path.slice(1);
    const file = served.get(name);
    if (!file) {
      next();
      return;
    }
    response.vary('Accept-Encoding');
    response.type(file.extension);
    response.set({
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag: file.etag,
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    if (request.fresh) {
      response.status(304).end();
      return;
    }
    const gzipped = request.acceptsEncodings('gzip') === 'gzip';
    if (gzipped) response.set('content-encoding', 'gzip');
    response.end(request.method === 'HEAD' ? undefined : gzipped ? file.gzipped : file.body);
  };
  const router = express.Router({ strict: false });
  router.get('/', serve);
  router.get('/assets/:file', serve);
  return router;
}

async function readConsole(): Promise<Map<string, ConsoleFile>> {
  // Vite writes index.html and a flat assets/ folder; nothing else is served.
  const assets = await readdir(path.join(CONSOLE_DIR, 'assets')).catch((error: unknown) => {
    throw new Error(`The console was not built (${CONSOLE_DIR}): run \`pnpm build\``, { cause: error });
  });
  const files = new Map<string, ConsoleFile>();
  for (const name of ['index.html', ...assets.map((asset) => `assets/${asset}`)]) {
    const body = await readFile(path.join(CONSOLE_DIR, name));
    files.set(name, {
      extension: path.extname(name),
      body,
      gzipped: await gzipAsync(body, { level: 9 }),
      etag: `"${createHash('sha256').update(body).digest('base64url')}"`,
      immutable: name.startsWith('assets/'),
    });
  }
  return files;
}
