import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { RequestScope, RequestScopes } from '../di/request-scopes.js';
import type { UnreelContext } from './context.js';

/**
 * The scope of each GraphQL request over HTTP: opened when Apollo asks for the request's context, disposed
 * once its response is sent. Apollo hands the plugin only the context back, hence the map from one to its scope.
 */
export class HttpRequestScopes {
  private readonly open = new WeakMap<UnreelContext, RequestScope>();
  private readonly listener: GraphQLRequestListener<UnreelContext> = {
    willSendResponse: async ({ contextValue }) => {
      await this.open.get(contextValue)?.dispose();
    },
  };
  readonly plugin: ApolloServerPlugin<UnreelContext> = { requestDidStart: async () => this.listener };

  constructor(private readonly scopes: RequestScopes) {}

  context(tenant: string, requestId: string): UnreelContext {
    const scope = this.scopes.open(tenant, requestId);
    this.open.set(scope.context, scope);
    return scope.context;
  }
}
