import { Lifecycle, scoped } from 'tsyringe';
import { Arg, ID, Int, Resolver, Root, Subscription } from 'type-graphql';
import { InvalidInputError, type DeletionEngine, type ProgressEvent } from '@unreel/core';
import type { UnreelContext } from '../../graphql/context.js';
import { ENGINE, TENANT } from '../../di/tokens.js';
import { toDeletionProgress } from '../mappers.js';
import { DeletionProgress } from '../types/deletion-progress.type.js';

interface ProgressArgs {
  operationId: string;
  after?: number | null;
}

@scoped(Lifecycle.ContainerScoped)
@Resolver()
export class DeletionProgressResolver {
  @Subscription(() => DeletionProgress, {
    description:
      "Replays every event after `after` (0 = from the start), streams live ones, and completes after the operation's last event. Subscribing before the operation exists waits for it.",
    subscribe: ({ args, context }) => {
      const { operationId, after } = args as ProgressArgs;
      const { container, signal } = context as UnreelContext;
      if (after !== undefined && after !== null && after < 0)
        throw new InvalidInputError('"after" must be 0 or more', 'after');
      const engine = container.resolve<DeletionEngine>(ENGINE);
      return engine.progress(container.resolve<string>(TENANT), operationId, { after: after ?? 0, signal });
    },
  })
  deletionProgress(
    @Root() event: ProgressEvent,
    @Arg('operationId', () => ID) _operationId: string,
    @Arg('after', () => Int, { nullable: true, defaultValue: 0 }) _after?: number | null,
  ): DeletionProgress {
    return toDeletionProgress(event);
  }
}
