import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import type { UnreelContext } from '../graphql/context.js';

/**
 * One line per GraphQL request over HTTP, from the request's own logger (request id and tenant already on it): the
 * operation, how long it took and the codes of any errors. Variables are never logged; they may carry anything.
 */
export function requestLogPlugin(): ApolloServerPlugin<UnreelContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ contextValue, operation, operationName, response }) {
          const body = response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : undefined;
          const codes = errors?.map((error) => String(error.extensions?.code ?? 'UNKNOWN'));
          contextValue.info(
            {
              transport: 'http',
              operationName: operationName ?? null,
              operationType: operation?.operation ?? null,
              status: response.http.status ?? 200,
              durationMs: Math.round(performance.now() - started),
              ...(codes?.length ? { errors: codes } : {}),
            },
            'graphql request',
          );
        },
      };
    },
  };
}
