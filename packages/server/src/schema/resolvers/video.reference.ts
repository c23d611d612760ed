import { Lifecycle, inject, scoped } from 'tsyringe';
import { InvalidInputError, type AccountRegistry } from '@unreel/core';
import { ACCOUNTS } from '../../di/tokens.js';
import { RequestLoaders } from '../../di/request-loaders.js';
import { findVideo } from '../find-video.js';
import type { Video } from '../types/video.type.js';

/** What a gateway sends for a `Video` another subgraph referenced: its key, and fields it already holds. */
export interface VideoRepresentation {
  __typename: 'Video';
  id?: unknown;
}

/** `Video.__resolveReference`, resolved per request like every resolver, so it shares the request's DataLoaders. */
@scoped(Lifecycle.ContainerScoped)
export class VideoReferenceResolver {
  constructor(
    @inject(ACCOUNTS) private readonly accounts: AccountRegistry,
    @inject(RequestLoaders) private readonly loaders: RequestLoaders,
  ) {}

  /**
   * Null, not an error, for an id that is malformed, of an account this subgraph does not serve, or unknown to its
   * provider: another team's stale or foreign reference must not fail the other entities of the gateway's batch.
   */
  async resolveReference(representation: VideoRepresentation): Promise<Video | null> {
    if (typeof representation.id !== 'string') return null;
    try {
      return await findVideo(representation.id, this.accounts, this.loaders);
    } catch (error) {
      if (InvalidInputError.isInstance(error)) return null;
      throw error;
    }
  }
}
