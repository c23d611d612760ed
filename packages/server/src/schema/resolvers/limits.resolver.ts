import { Lifecycle, inject, scoped } from 'tsyringe';
import { Query, Resolver } from 'type-graphql';
import type { UnreelConfig } from '../../config/config-schema.js';
import { CONFIG } from '../../di/tokens.js';
import { MAX_PAGE_SIZE } from '../cursors.js';
import { Limits } from '../types/limits.type.js';

@scoped(Lifecycle.ContainerScoped)
@Resolver(() => Limits)
export class LimitsResolver {
  constructor(@inject(CONFIG) private readonly config: UnreelConfig) {}

  /** Read-only, the same for every caller: a console caps select-all with it instead of learning it from a refusal. */
  @Query(() => Limits, { description: "The server's request limits." })
  limits(): Limits {
    return { maxIdsPerOperation: this.config.server.maxIdsPerOperation, maxPageSize: MAX_PAGE_SIZE };
  }
}
