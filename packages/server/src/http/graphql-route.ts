import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';
import type { Request, RequestHandler, Response } from 'express';
import type { RequestScope } from '../di/request-scopes.js';
import type { UnreelContext } from '../graphql/context.js';
import type { HttpRequestScopes } from '../graphql/http-request-scopes.js';
import type { InvalidRequestLog } from '../logging/invalid-request-log.js';
import type { AuthenticatedRequest } from './authenticate-request.js';

/**
 * Hands a request to Apollo and writes its answer: @as-integrations/express5's `expressMiddleware`, with what unreel
 * needs around the call. The request's scope is opened when Apollo asks for the context and disposed once Apollo has
 * answered, on every path (see HttpRequestScopes); a request Apollo refused before GraphQL ran gets its log line
 * (InvalidRequestLog). And the query string is cut at its `?` where the integration ran the legacy `url.parse`.
 */
export function graphqlRoute(
  apollo: ApolloServer<UnreelContext>,
  scopes: HttpRequestScopes,
  invalidRequests: InvalidRequestLog,
): RequestHandler {
  apollo.assertStarted('graphqlRoute()');
  return async (request: Request, response: Response) => {
    // express.json() runs first and always sets a body (undefined when the request had none to parse).
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const query = request.url.indexOf('?');
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: request.method.toUpperCase(),
      headers,
      search: query === -1 ? '' : request.url.slice(query),
      body: request.body,
    };
    let scope: RequestScope | undefined;
    // A client that hangs up before the answer (a closed tab, curl's Ctrl-C) stops what its request still does, such
    // as a selectVideos listing an account page by page.
    const hungUp = (): void => {
      if (!response.writableFinished) scope?.abort();
    };
    response.once('close', hungUp);
    try {
      const answer = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest,
        context: async () => {
          const { tenant, requestId } = (response.locals as { unreel: AuthenticatedRequest }).unreel;
          scope = scopes.open(tenant, requestId);
          return scope.context;
        },
      });
      if (!scopes.reachedGraphql(scope)) invalidRequests.answered(request, response, answer);
      for (const [key, value] of answer.headers) response.setHeader(key, value);
      response.statusCode = answer.status ?? 200;
      if (answer.body.kind === 'complete') {
        response.send(answer.body.string);
        return;
      }
      for await (const chunk of answer.body.asyncIterator) response.write(chunk);
      response.end();
    } finally {
      response.off('close', hungUp);
      await scope?.dispose();
    }
  };
}
