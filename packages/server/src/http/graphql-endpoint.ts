import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';
import type { Logger } from 'pino';
import type { TenantDirectory } from '../auth/tenant-directory.js';
import type { RequestScope } from '../di/request-scopes.js';
import type { UnreelContext } from '../graphql/context.js';
import type { HttpRequestScopes } from '../graphql/http-request-scopes.js';
import type { InvalidRequestLog } from '../logging/invalid-request-log.js';
import type { UnreelMetrics } from '../metrics/unreel-metrics.js';
import { authenticateRequest, authenticationOf } from './authenticate-request.js';
import { corsGuard } from './cors-guard.js';
import { hostGuard } from './host-guard.js';
import type { HostPolicy } from './host-policy.js';
import { readJsonBody } from './json-body.js';
import { bodyRefusal, serverError } from './json-errors.js';
import type { NodeHandler } from './node-handler.js';
import { sendJson } from './node-handler.js';
import type { OriginPolicy } from './origin-policy.js';

export interface GraphqlEndpointOptions {
  apollo: ApolloServer<UnreelContext>;
  scopes: HttpRequestScopes;
  /** Writes the log line of a request Apollo refuses before GraphQL runs (CSRF prevention, ...). */
  invalidRequests: InvalidRequestLog;
  origins: OriginPolicy;
  hosts: HostPolicy;
  tenants: TenantDirectory;
  metrics: UnreelMetrics;
  logger: Logger;
  maxBodyBytes: number;
}

/**
 * GraphQL over HTTP at /graphql, on node:http's own request and response: CORS, authentication (before the body is
 * read), the JSON body, then Apollo (as @as-integrations/express5's `expressMiddleware` hands a request to it).
 *
 * Nearly every request the server gets is one of these, so the server's request listener gives them here first
 * (`serve`), past express: its router, its request and response prototypes and its `send` (an ETag hashed over every
 * answer) cost a `{ video }` request about a tenth of its time (bench video-query). The rest of /graphql (GraphiQL
 * for a browser, and /graphql/ or another spelling express would match) reaches `handler` through express, after
 * express's own Host check. Either way it is the same handler, with the same guards, answers and log lines.
 */
export class GraphqlEndpoint {
  /** For express, mounted at /graphql after GraphiQL: everything but the Host check, which express did first. */
  readonly handler: NodeHandler;
  private readonly hostGuard: NodeHandler;

  constructor(private readonly options: GraphqlEndpointOptions) {
    options.apollo.assertStarted('GraphqlEndpoint');
    const { origins, tenants, metrics, logger } = options;
    const cors = corsGuard(origins, logger);
    const authenticate = authenticateRequest(tenants, metrics, logger);
    this.hostGuard = hostGuard(options.hosts, logger);
    this.handler = (request, response, next) => {
      cors(request, response, (refused) => {
        if (refused !== undefined) {
          next(refused);
          return;
        }
        authenticate(request, response, (failed) => {
          if (failed !== undefined) next(failed);
          else void this.answer(request, response);
        });
      });
    };
  }

  /**
   * Takes a request for exactly /graphql (with a query string or not), unless it is a GET that may want GraphiQL (its
   * Accept names HTML): false leaves it to express.
   */
  serve(request: IncomingMessage, response: ServerResponse): boolean {
    const url = request.url ?? '';
    if (url !== '/graphql' && !url.startsWith('/graphql?')) return false;
    if (request.method === 'GET' && request.headers.accept?.includes('html') === true) return false;
    const fail = (error: unknown): void => {
      if (error !== undefined) serverError(this.options.logger, error, request, response);
    };
    this.hostGuard(request, response, (refused) => {
      if (refused !== undefined) fail(refused);
      else this.handler(request, response, fail);
    });
    return true;
  }

  /**
   * Reads the body and hands the request to Apollo. The request's scope is opened when Apollo asks for the context and
   * disposed once Apollo has answered, on every path (see HttpRequestScopes); a request Apollo refused before GraphQL
   * ran gets its log line (InvalidRequestLog).
   */
  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { apollo, scopes, invalidRequests, logger, maxBodyBytes } = this.options;
    let body: unknown;
    try {
      body = await readJsonBody(request, maxBodyBytes);
    } catch (error) {
      const refusal = bodyRefusal(error, maxBodyBytes);
      if (refusal) sendJson(response, refusal.status, refusal.body);
      else serverError(logger, error, request, response);
      return;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    // Express rewrites `url` below its mount point, but keeps the query string.
    const url = request.url ?? '';
    const query = url.indexOf('?');
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: (request.method ?? 'GET').toUpperCase(),
      headers,
      search: query === -1 ? '' : url.slice(query),
      body,
    };
    let scope: RequestScope | undefined;
    // A client that hangs up before the answer (a closed tab, curl's Ctrl-C) stops what its request still does, such
    // as a selectVideos listing an account page by page. (A response emits `close` once answered too: nothing to stop.)
    response.once('close', () => {
      if (!response.writableFinished) scope?.abort();
    });
    try {
      const answer = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest,
        context: async () => {
          const authenticated = authenticationOf(request);
          if (!authenticated) throw new Error('GraphqlEndpoint: a request reached Apollo unauthenticated');
          scope = scopes.open(authenticated.tenant, authenticated.requestId);
          return scope.context;
        },
      });
      if (!scopes.reachedGraphql(scope)) invalidRequests.answered(request, response, answer);
      for (const [key, value] of answer.headers) response.setHeader(key, value);
      response.statusCode = answer.status ?? 200;
      if (answer.body.kind === 'complete') {
        response.end(answer.body.string);
        return;
      }
      for await (const chunk of answer.body.asyncIterator) response.write(chunk);
      response.end();
    } catch (error) {
      serverError(logger, error, request, response);
    } finally {
      await scope?.dispose();
    }
  }
}
