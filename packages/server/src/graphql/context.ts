import type { Logger } from 'pino';

/** What each GraphQL request (over HTTP) or operation (over WebSocket) carries; built by RequestScopes.open. */
export interface UnreelContext {
  /** The request's logger: its id and tenant on every line. */
  readonly logger: Logger;
  /**
   * Writes an info line as `logger` would, the same JSON, without making the request's logger when nothing else has:
   * a `{ video }` logs only its request line, and a child logger costs more to make than the line does to write.
   */
  info(fields: Record<string, unknown>, message: string): void;
  /**
   * The request's instance of a resolver class, built once per request with its services injected through its
   * constructor; how type-graphql, the entity references and the subscription reach their resolvers.
   */
  // `any[]` as in tsyringe's own constructor type: a resolver's constructor parameters are the container's business.
  resolve<Resolver>(resolverClass: new (...args: any[]) => Resolver): Resolver;
}
