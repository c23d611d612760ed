import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import type { UnreelContext } from '../graphql/context.js';
import { AccountResolver } from './resolvers/account.resolver.js';
import { DeletionProgressResolver } from './resolvers/deletion-progress.resolver.js';
import { DeletionResolver } from './resolvers/deletion.resolver.js';
import { LimitsResolver } from './resolvers/limits.resolver.js';
import { RestoreResolver } from './resolvers/restore.resolver.js';
import { VideoDeletionResolver } from './resolvers/video-deletion.resolver.js';
import { VideoResolver } from './resolvers/video.resolver.js';
import { VideoSelectionResolver } from './resolvers/video-selection.resolver.js';

/**
 * type-graphql asks for a resolver instance on every field it resolves (each `Video.deletion`, each progress event's
 * `VideoDeletion.restorable`); the classes are container-scoped, so each request builds each one once, and this one
 * getter serves every server.
 */
const requestResolvers = {
  get: (resolverClass: new (...args: never[]) => unknown, { context }: { context: unknown }) =>
    (context as UnreelContext).resolve(resolverClass),
};

/** The schema is built from the resolver classes; resolver instances come from each request's child container. */
export function buildUnreelSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [
      VideoResolver,
      VideoSelectionResolver,
      VideoDeletionResolver,
      DeletionResolver,
      RestoreResolver,
      DeletionProgressResolver,
      AccountResolver,
      LimitsResolver,
    ],
    container: requestResolvers,
    validate: false,
    pubSub: topicsNotUsed,
  });
}

/**
 * type-graphql requires a PubSub as soon as a schema has a subscription, even when, as here, every subscription
 * brings its own `subscribe` (progress is read back from the journal, not from topics). Reaching this is a bug.
 */
const topicsNotUsed = {
  publish(): never {
    throw new Error('unreel subscriptions do not use type-graphql topics');
  },
  subscribe(): never {
    throw new Error('unreel subscriptions do not use type-graphql topics');
  },
};
