import { Lifecycle, inject, scoped } from 'tsyringe';
import { Arg, ID, Int, Resolver, Root, Subscription } from 'type-graphql';
import { InvalidInputError, type DeletionEngine, type ProgressEvent } from '@unreel/core';
import type { UnreelContext } from '../../graphql/context.js';
import { ENGINE, SIGNAL, TENANT } from '../../di/tokens.js';
import { toDeletionProgress } from '../mappers.js';
import { DeletionProgress } from '../types/deletion-progress.type.js';

interface ProgressArgs {
  operationId: string;
  after?: number | null;
}

@scoped(Lifecycle.ContainerScoped)
@Resolver()
export class DeletionProgressResolver {
  constructor(
    @inject(ENGINE) private readonly engine: DeletionEngine,
    @inject(TENANT) private readonly tenant: string,
    @inject(SIGNAL) private readonly signal: AbortSignal,
  ) {}

  // type-graphql hands `subscribe` no resolver instance, only the context: it takes this request's from there.
  @Subscription(() => DeletionProgress, {
    description:
      "Replays every event after `after` (0 = from the start), streams live ones, and completes after the operation's last event. Subscribing before the operation exists waits for it.",
    subscribe: ({ args, context }) =>
      (context as UnreelContext).resolve(DeletionProgressResolver).progress(args as ProgressArgs),
  })
  deletionProgress(
    @Root() event: ProgressEvent,
    @Arg('operationId', () => ID) _operationId: string,
    @Arg('after', () => Int, { nullable: true, defaultValue: 0 }) _after?: number | null,
  ): DeletionProgress {
    return toDeletionProgress(event);
  }

  /** The tenant's events of the operation, until it ends or the subscription does. */
  progress({ operationId, after }: ProgressArgs): AsyncIterableIterator<ProgressEvent> {
    if (after !== undefined && after !== null && after < 0)
      throw new InvalidInputError('"after" must be 0 or more', 'after');
    return this.engine.progress(this.tenant, operationId, { after: after ?? 0, signal: this.signal });
  }
}
