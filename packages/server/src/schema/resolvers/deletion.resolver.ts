import { Lifecycle, inject, scoped } from 'tsyringe';
import { Arg, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { InvalidInputError, type AccountRegistry, type DeletionEngine } from '@unreel/core';
import type { Logger } from 'pino';
import type { UnreelConfig } from '../../config/config-schema.js';
import { ACCOUNTS, CONFIG, ENGINE, LOGGER, TENANT } from '../../di/tokens.js';
import { decodeCursor, encodeCursor, pageSize } from '../cursors.js';
import { toDeletionResult, toVideoDeletion } from '../mappers.js';
import { DeleteVideosInput } from '../types/delete-videos.input.js';
import { DeletionResult, VideoDeletionConnection } from '../types/deletion-result.type.js';
import { DeletionStatus } from '../types/enums.js';

@scoped(Lifecycle.ContainerScoped)
@Resolver(() => DeletionResult)
export class DeletionResolver {
  constructor(
    @inject(ENGINE) private readonly engine: DeletionEngine,
    @inject(CONFIG) private readonly config: UnreelConfig,
    @inject(TENANT) private readonly tenant: string,
    @inject(ACCOUNTS) private readonly accounts: AccountRegistry,
    @inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Mutation(() => DeletionResult, {
    description:
      'Deletes videos in bulk. Every id is journaled before any provider call; the same operationId with the same ids returns the same operation.',
  })
  async deleteVideos(@Arg('input', () => DeleteVideosInput) input: DeleteVideosInput): Promise<DeletionResult> {
    const { operation, created } = await this.engine.submit({
      tenant: this.tenant,
      ids: input.ids,
      operationId: input.operationId ?? undefined,
      accounts: this.accounts,
    });
    // The line that ties this request's id to the operation's: the engine logs the operation's progress under the latter.
    this.logger.info(
      { operationId: operation.id, created, total: operation.total },
      created ? 'deletion accepted' : 'deletion retried',
    );
    if (input.wait === false || operation.status !== 'RUNNING') return toDeletionResult(operation);
    return toDeletionResult(
      await this.engine.waitForOperation(this.tenant, operation.id, this.config.server.deleteWaitMs),
    );
  }

  @Query(() => DeletionResult, { nullable: true, description: 'A deletion operation by id; null when unknown.' })
  async deletion(@Arg('id', () => ID) id: string): Promise<DeletionResult | null> {
    const operation = await this.engine.getOperation(this.tenant, id);
    return operation ? toDeletionResult(operation) : null;
  }

  @FieldResolver(() => VideoDeletionConnection, { description: "The operation's items in request order." })
  async items(
    @Root() result: DeletionResult,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('status', () => DeletionStatus, { nullable: true }) status?: DeletionStatus | null,
  ): Promise<VideoDeletionConnection> {
    const position = after ? Number(decodeCursor(after)) : undefined;
    if (position !== undefined && !Number.isInteger(position))
      throw new InvalidInputError('Malformed cursor in "after"', 'after');
    const page = await this.engine.listItems(this.tenant, result.id, {
      first: pageSize(first),
      ...(position === undefined ? {} : { after: position }),
      ...(status ? { status } : {}),
    });
    const edges = page.items.map((item) => ({
      cursor: encodeCursor(String(item.position)),
      node: toVideoDeletion(item),
    }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}
