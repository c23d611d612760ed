import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { UnreelError, type AccountRegistry, type DeletionEngine } from '@unreel/core';
import { UnreelProviderError, type WebhookRequestV1 } from '@unreel/provider-spec';
import type { TenantDirectory } from '../auth/tenant-directory.js';
import type { UnreelMetrics } from '../metrics/unreel-metrics.js';

export interface WebhookRouteOptions {
  accounts: AccountRegistry;
  tenants: TenantDirectory;
  engine: DeletionEngine;
  logger: Logger;
  metrics: UnreelMetrics;
  maxBodyBytes: number;
}

/**
 * `POST /webhooks/:account`: where a provider tells us what became of a deletion. The plugin verifies the delivery
 * against the raw bytes (signatures cover them, so the body is never parsed before), and the engine records it. It
 * needs no tenant key: the provider's signature is the authentication, and what it may change is one account's items.
 */
export function webhookRoute(options: WebhookRouteOptions): Router {
  const { accounts, tenants, engine, logger, metrics } = options;
  const router = express.Router();
  router.post(
    '/webhooks/:account',
    express.raw({ type: () => true, limit: options.maxBodyBytes }),
    async (request: Request, response: Response) => {
      const name = String(request.params['account']);
      const provider = accounts.get(name)?.provider;
      const tenant = tenants.ownerOf(name);
      // One answer for "no such account" and "this account takes no webhooks", so the route does not list accounts.
      if (!provider?.doParseWebhook || tenant === undefined) {
        response.status(404).json(failure('NOT_FOUND', 'No webhook receiver here'));
        return;
      }
      const log = logger.child({ account: name, webhook: true });
      let event;
      try {
        event = await provider.doParseWebhook(toWebhookRequest(request));
      } catch (error) {
        const answer = refusal(error);
        metrics.webhook(name, answer.result);
        if (answer.status === 500) log.error({ err: error }, 'webhook could not be read');
        else
          log.warn(
            { code: answer.code, reason: error instanceof Error ? error.message : String(error) },
            'webhook refused',
          );
        response.status(answer.status).json(failure(answer.code, answer.message));
        return;
      }
      if (event.type === 'ignored') {
        metrics.webhook(name, 'ignored');
        log.info({ reason: event.reason }, 'webhook ignored');
        response.json({ status: 'ignored' });
        return;
      }
      try {
        const result = await engine.confirmDeletion(tenant, name, event);
        metrics.webhook(name, result);
        log.info({ eventId: event.eventId, videoId: event.videoId, success: event.success, result }, 'webhook taken');
        response.json({ status: result });
      } catch (error) {
        // Not taken: a 5xx makes the provider deliver again later, which the delivery id makes safe.
        const shuttingDown = UnreelError.isInstance(error) && error.code === 'SHUTTING_DOWN';
        if (!shuttingDown) log.error({ err: error }, 'webhook could not be recorded');
        response
          .status(503)
          .json(failure('UNAVAILABLE', 'The delivery could not be recorded now; deliver it again later'));
      }
    },
  );
  return router;
}

function toWebhookRequest(request: Request): WebhookRequestV1 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const body: unknown = request.body;
  return { headers, rawBody: Buffer.isBuffer(body) ? new Uint8Array(body) : new Uint8Array() };
}

/** By the provider error's code, not its class: UnauthorizedError and InvalidRequestError are only the usual carriers. */
function refusal(error: unknown): { status: number; code: string; message: string; result: string } {
  if (UnreelProviderError.isInstance(error)) {
    if (error.code === 'UNAUTHORIZED')
      return { status: 401, code: 'UNAUTHENTICATED', message: error.message, result: 'refused' };
    if (error.code === 'INVALID_REQUEST')
      return { status: 400, code: 'BAD_REQUEST', message: error.message, result: 'invalid' };
  }
  return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'The delivery could not be read', result: 'failed' };
}

function failure(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
