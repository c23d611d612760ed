import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

const MESSAGE =
  'Subscriptions are served over WebSocket (graphql-transport-ws) at this same URL; over HTTP, send queries and mutations only';

/**
 * Apollo would run a subscription sent over HTTP as if it were a query: the subscription field's resolver, which
 * expects an event, would get none, and the client an INTERNAL_SERVER_ERROR. Refused here, once the operation is
 * known and before anything is executed, with the client's fault and where subscriptions are served. (A GET is
 * already refused by Apollo with 405, as for mutations.)
 */
export const httpSubscriptionGuard: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation }) {
        if (operation?.operation !== 'subscription') return;
        throw new GraphQLError(MESSAGE, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
      },
    };
  },
};
