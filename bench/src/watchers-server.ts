/**
 * The server under test for the watchers bench, in a process of its own so the load (the bench process) does not
 * share its core. argv: the @unreel/server module to import (this checkout's, or another build's, such as git main's,
 * for a side-by-side baseline) and the config as JSON. Over IPC: sends `{ url, wsUrl }` once listening, answers
 * `rss` with its resident memory (after a GC when --expose-gc), and exits on `close`.
 */
interface ServerModule {
  createUnreelServer(options: Record<string, unknown>): Promise<{ url: string; wsUrl: string; close(): Promise<void> }>;
}

const [modulePath, configJson] = process.argv.slice(2);
if (!modulePath || !configJson || !process.send) throw new Error('usage: fork(watchers-server.js, [module, config])');
const send = process.send.bind(process);
const { createUnreelServer } = (await import(modulePath)) as ServerModule;
const server = await createUnreelServer({ port: 0, logLevel: 'silent', config: JSON.parse(configJson) as unknown });
process.on('message', (message: { type: string; gc?: boolean }) => {
  if (message.type === 'rss') {
    if (message.gc) global.gc?.();
    // memoryUsage.rss() reads the resident size alone: memoryUsage() also walks V8's heap spaces, 20 times a second.
    send({ type: 'rss', rss: process.memoryUsage.rss() });
  } else if (message.type === 'close') {
    void server.close().finally(() => process.exit(0));
  }
});
send({ type: 'ready', url: server.url, wsUrl: server.wsUrl });
