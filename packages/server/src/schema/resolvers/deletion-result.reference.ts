import { Lifecycle, inject, scoped } from 'tsyringe';
import type { DeletionEngine } from '@unreel/core';
import { ENGINE, TENANT } from '../../di/tokens.js';
import { toDeletionResult } from '../mappers.js';
import type { DeletionResult } from '../types/deletion-result.type.js';

export interface DeletionResultRepresentation {
  __typename: 'DeletionResult';
  id?: unknown;
}

/** `DeletionResult.__resolveReference`: an operation of the request's tenant, or null when it has none by that id. */
@scoped(Lifecycle.ContainerScoped)
export class DeletionResultReferenceResolver {
  constructor(
    @inject(ENGINE) private readonly engine: DeletionEngine,
    @inject(TENANT) private readonly tenant: string,
  ) {}

  async resolveReference(representation: DeletionResultRepresentation): Promise<DeletionResult | null> {
    if (typeof representation.id !== 'string') return null;
    const operation = await this.engine.getOperation(this.tenant, representation.id);
    return operation ? toDeletionResult(operation) : null;
  }
}
