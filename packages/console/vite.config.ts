import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The unreel server the dev proxy forwards to (`pnpm start` serves http://127.0.0.1:4000/graphql).
const target = process.env.UNREEL_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  // Served by the server at /console/: every asset URL is absolute under it, so /console (no slash) works too.
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    // Straight into the server's dist, which its package ships (the console has no package of its own to publish).
    outDir: fileURLToPath(new URL('../server/dist/console/', import.meta.url)),
    emptyOutDir: true,
    // One small script and one stylesheet: no module preload polyfill, which Vite would otherwise add.
    modulePreload: false,
  },
  server: {
    port: 5174,
    // `pnpm --filter @unreel/console dev`: the page at http://localhost:5174/console/, the API proxied (HTTP and
    // WebSocket on one path) to a running server.
    proxy: { '/graphql': { target, changeOrigin: true, ws: true } },
  },
});
