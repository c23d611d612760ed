import 'reflect-metadata';
import { ConfigError } from '../config/config-error.js';
import { createUnreelServer, type UnreelServer } from '../create-unreel-server.js';

/** `unreel` and `unreel serve`: starts the server on PORT and UNREEL_CONFIG, stops on SIGTERM or SIGINT. */
export async function serve({ newJournal }: { newJournal: boolean }): Promise<void> {
  const port = process.env.PORT === undefined || process.env.PORT === '' ? undefined : Number(process.env.PORT);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    fail(`PORT must be a port number, got ${JSON.stringify(process.env.PORT)}`);
  }
  let server: UnreelServer;
  try {
    server = await createUnreelServer({ ...(port === undefined ? {} : { port }), newJournal });
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    fail(`unreel failed to start: ${error instanceof Error ? error.message : String(error)}`);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'shutting down: draining HTTP, closing WebSockets');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  const { journal } = server;
  const journalNote =
    journal.driver === 'sqlite'
      ? `journal ${journal.path}`
      : journal.driver === 'postgres'
        ? `journal on PostgreSQL ${journal.database} (${
            journal.cluster === undefined
              ? 'one replica'
              : journal.cluster === 'worker'
                ? 'cluster replica, claims work'
                : 'cluster replica, API and streams only'
          })`
        : 'journal in memory (nothing is kept across restarts)';
  // The operator console, served beside the API: where a newcomer's browser goes first.
  const consoleUrl = server.url.replace(/\/graphql$/, '/console');
  // Announced only once signals are handled: whoever waits for this line may stop us right away.
  server.logger.info(
    {
      url: server.url,
      console: consoleUrl,
      host: server.host,
      port: server.port,
      embeddedDefault: server.embeddedDefault,
      authenticated: server.authenticated,
      journal,
    },
    server.embeddedDefault
      ? `unreel listening on ${server.url}: embedded default (one sandbox account, no config file), no tenants so no authentication, bound to ${server.host} only, ${journalNote}; console at ${consoleUrl}`
      : server.authenticated
        ? `unreel listening on ${server.url}: tenants configured, every request needs an API key, ${journalNote}; console at ${consoleUrl}`
        : `unreel listening on ${server.url}: no tenants configured, so no authentication, bound to ${server.host} only, ${journalNote}; console at ${consoleUrl}`,
  );
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
