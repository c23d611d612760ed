import { Lifecycle, inject, scoped } from 'tsyringe';
import { Arg, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { InvalidInputError, type AccountRegistry, type DeletionEngine } from '@unreel/core';
import type { Logger } from 'pino';
import type { UnreelConfig } from '../../config/config-schema.js';
import { ACCOUNTS, CONFIG, ENGINE, LOGGER, TENANT } from '../../di/tokens.js';
import { decodeCursor, encodeCursor, pageSize } from '../cursors.js';
import { toDeletionResult, toSelection, toVideoDeletion } from '../mappers.js';
import { DeleteVideosInput } from '../types/delete-videos.input.js';
import { DeletionConnection, DeletionResult, VideoDeletionConnection } from '../types/deletion-result.type.js';
import { DeletionStatus, OperationStatus } from '../types/enums.js';

/** What `deletions` shows first when the caller does not say: a page a list view fills. */
const DELETIONS_PAGE_SIZE = 20;

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
      'Deletes videos in bulk: the given ids, or every video of one account a selection matches (discovered page by page, each page journaled before any of it is deleted, while deletion goes on). Every item is journaled before any provider call; the same operationId with the same ids (or selection and maxItems) returns the same operation.',
  })
  async deleteVideos(@Arg('input', () => DeleteVideosInput) input: DeleteVideosInput): Promise<DeletionResult> {
    const { operation, created } = await this.engine.submit({
      tenant: this.tenant,
      ids: input.ids ?? undefined,
      selection: input.selection ? toSelection(input.selection) : undefined,
      maxItems: input.maxItems ?? undefined,
      operationId: input.operationId ?? undefined,
      whenBlocked: input.whenBlocked ?? undefined,
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

  @Query(() => DeletionConnection, {
    description: "The caller's deletion operations, newest first (createdAt, then id), optionally of one status.",
  })
  async deletions(
    @Arg('first', () => Int, { nullable: true, defaultValue: DELETIONS_PAGE_SIZE }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('status', () => OperationStatus, { nullable: true }) status?: OperationStatus | null,
  ): Promise<DeletionConnection> {
    const page = await this.engine.listOperations(this.tenant, {
      first: pageSize(first, DELETIONS_PAGE_SIZE),
      ...(after ? { after: readDeletionCursor(after) } : {}),
      ...(status ? { status } : {}),
    });
    const edges = page.operations.map((operation) => ({
      cursor: encodeCursor(JSON.stringify([operation.createdAt.getTime(), operation.id])),
      node: toDeletionResult(operation),
    }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  @Mutation(() => DeletionResult, {
    description:
      'Cancels a running deletion: items no provider call has carried yet become CANCELLED (held ones too), calls in flight finish with their real outcome, and the operation ends CANCELLED. Cancelling again, or a finished operation, returns it unchanged.',
  })
  async cancelDeletion(@Arg('operationId', () => ID) operationId: string): Promise<DeletionResult> {
    const operation = await this.engine.cancelOperation(this.tenant, operationId);
    this.logger.info(
      { operationId, status: operation.status, cancelled: operation.cancelled, pending: operation.pending },
      'deletion cancel requested',
    );
    return toDeletionResult(operation);
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

/** A `deletions` cursor: the createdAt (epoch ms) and id of the last operation seen, the order's own key. */
function readDeletionCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const parsed: unknown = JSON.parse(decodeCursor(cursor));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [createdAt, id] = parsed as unknown[];
      if (Number.isSafeInteger(createdAt) && typeof id === 'string')
        return { createdAt: new Date(createdAt as number), id };
    }
  } catch {
    // reported below
  }
  throw new InvalidInputError('Malformed cursor in "after"', 'after');
}
