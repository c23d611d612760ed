import { defineConfig } from 'vite';

// The unreel server the dev proxy forwards to (`pnpm start` serves http://127.0.0.1:4000/graphql).
const target = process.env.UNREEL_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  server: {
    port: 5173,
    proxy: {
      // One path for HTTP and WebSocket, as unreel serves both on /graphql. `ws: true` forwards the WebSocket upgrade
      // too; without it the progress socket gets Vite's own answer and never reaches unreel.
      // `changeOrigin: true` rewrites the Host header to the target's (127.0.0.1:4000). It leaves the Origin header
      // alone: the browser's page origin (http://localhost:5173) still reaches unreel, which must allow it
      // (loopback origins are allowed without tenants; otherwise server.allowedOrigins).
      '/graphql': { target, changeOrigin: true, ws: true },
    },
  },
  // `vite preview` serves the built app with the same proxy (preview.proxy defaults to server.proxy).
});
