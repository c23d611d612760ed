import { GraphQLError } from 'graphql';
import { Lifecycle, inject, scoped } from 'tsyringe';
import { Arg, Int, Query, Resolver } from 'type-graphql';
import type { AccountRegistry, DeletionEngine } from '@unreel/core';
import { ACCOUNTS, ENGINE, SIGNAL } from '../../di/tokens.js';
import { toSelection, toVideo } from '../mappers.js';
import { VideoSelection, VideoSelectionInput } from '../types/video-selection.type.js';

/** What selectVideos samples when the caller does not say. */
const DEFAULT_SAMPLE = 10;

@scoped(Lifecycle.ContainerScoped)
@Resolver(() => VideoSelection)
export class VideoSelectionResolver {
  constructor(
    @inject(ENGINE) private readonly engine: DeletionEngine,
    @inject(ACCOUNTS) private readonly accounts: AccountRegistry,
    @inject(SIGNAL) private readonly signal: AbortSignal,
  ) {}

  @Query(() => VideoSelection, {
    description:
      "Previews a deletion by selection: lists the account (sharing its rate limit with deletions) and counts the videos that match, exactly, or as a lower bound (complete: false) when the listing did not end within the server's preview bound. Changes nothing.",
  })
  async selectVideos(
    @Arg('selection', () => VideoSelectionInput) selection: VideoSelectionInput,
    @Arg('sample', () => Int, {
      nullable: true,
      defaultValue: DEFAULT_SAMPLE,
      description: 'How many matching videos to return, 0 to 100.',
    })
    sample?: number | null,
  ): Promise<VideoSelection> {
    // The request's signal: a client that hangs up stops the listing (it may take many list calls).
    let preview;
    try {
      preview = await this.engine.previewSelection(
        toSelection(selection),
        sample ?? DEFAULT_SAMPLE,
        this.accounts,
        this.signal,
      );
    } catch (error) {
      // Nobody reads this answer: the client left. Said as such, not logged as the server's failure.
      if (this.signal.aborted) {
        throw new GraphQLError('The client closed the request', { extensions: { code: 'CLIENT_CLOSED_REQUEST' } });
      }
      throw error;
    }
    const account = this.accounts.require(selection.account, 'selection.account');
    return Object.assign(new VideoSelection(), {
      count: preview.count,
      complete: preview.complete,
      sample: preview.sample.map((video) => toVideo(selection.account, account.pluginId, video)),
    });
  }
}
