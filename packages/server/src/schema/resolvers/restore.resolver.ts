import { Lifecycle, inject, scoped } from 'tsyringe';
import { Arg, ID, Mutation, Resolver } from 'type-graphql';
import { parseVideoId, type AccountRegistry, type DeletionEngine } from '@unreel/core';
import { ACCOUNTS, ENGINE, TENANT } from '../../di/tokens.js';
import { RequestLoaders } from '../../di/request-loaders.js';
import { toVideo } from '../mappers.js';
import { RestoreResult } from '../types/restore-result.type.js';

@scoped(Lifecycle.ContainerScoped)
@Resolver()
export class RestoreResolver {
  constructor(
    @inject(ENGINE) private readonly engine: DeletionEngine,
    @inject(ACCOUNTS) private readonly accounts: AccountRegistry,
    @inject(RequestLoaders) private readonly loaders: RequestLoaders,
    @inject(TENANT) private readonly tenant: string,
  ) {}

  @Mutation(() => RestoreResult, {
    description:
      'Brings a deleted video back where the provider deletes softly, or cancels a deletion still held by deleteDelay.',
  })
  async restoreVideo(@Arg('id', () => ID) id: string): Promise<RestoreResult> {
    const result = await this.engine.restoreVideo(this.tenant, id, this.accounts);
    const { account } = parseVideoId(id);
    const pluginId = this.accounts.require(account).pluginId;
    // The provider's answer is the freshest view; otherwise look the video up (batched with the rest of the request).
    this.loaders.videos.clear(id);
    const video = result.video ?? (await this.loaders.videos.load(id).catch(() => null));
    return {
      restored: result.restored,
      error: result.error,
      video: video ? toVideo(account, pluginId, video) : null,
    };
  }
}
