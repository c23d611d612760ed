import type { ApolloServerPlugin } from '@apollo/server';
import { scopeOf, type RequestScope, type RequestScopes } from '../di/request-scopes.js';
import type { UnreelContext } from './context.js';

/**
 * The scopes of GraphQL requests over HTTP. The route that hands a request to Apollo opens its scope when Apollo asks
 * for the request's context and disposes it once Apollo has answered, whatever the answer: Apollo builds the context
 * before it reads a GET's parameters, so a request it then refuses as bad never reaches `willSendResponse`, and a
 * scope disposed there would be left open. The plugin only notes which requests reached GraphQL's pipeline at all.
 */
export class HttpRequestScopes {
  private readonly started = new WeakSet<RequestScope>();
  readonly plugin: ApolloServerPlugin<UnreelContext> = {
    // Apollo hands plugins a copy of the context, not the one it was given: the scope is what both share.
    requestDidStart: async ({ contextValue }) => {
      const scope = scopeOf(contextValue);
      if (scope) this.started.add(scope);
    },
  };

  constructor(private readonly scopes: Pick<RequestScopes, 'open'>) {}

  open(tenant: string, requestId: string): RequestScope {
    return this.scopes.open(tenant, requestId);
  }

  /** False for a request Apollo refused before any GraphQL ran (CSRF prevention, bad parameters, ...). */
  reachedGraphql(scope: RequestScope | undefined): boolean {
    return scope !== undefined && this.started.has(scope);
  }
}
