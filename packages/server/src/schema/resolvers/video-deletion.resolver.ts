import { Lifecycle, inject, scoped } from 'tsyringe';
import { FieldResolver, Resolver, Root } from 'type-graphql';
import { parseVideoId, type AccountRegistry, type DeletionEngine } from '@unreel/core';
import { restoreSupport } from '@unreel/provider-spec';
import { ACCOUNTS, ENGINE } from '../../di/tokens.js';
import { VideoDeletion } from '../types/video-deletion.type.js';

@scoped(Lifecycle.ContainerScoped)
@Resolver(() => VideoDeletion)
export class VideoDeletionResolver {
  constructor(
    @inject(ACCOUNTS) private readonly accounts: AccountRegistry,
    @inject(ENGINE) private readonly engine: DeletionEngine,
  ) {}

  /**
   * A held deletion can always be cancelled. A done one can be brought back when its provider restores, until the
   * window it gave (or, for a provider that documents none, such as OmegaStream, for as long as it keeps it).
   */
  @FieldResolver(() => Boolean, { description: 'Whether restoreVideo can bring it back now.' })
  restorable(@Root() deletion: VideoDeletion): boolean {
    if (deletion.status === 'SCHEDULED') return true;
    if (deletion.status !== 'DELETED') return false;
    if (deletion.restorableUntil) return deletion.restorableUntil.getTime() > this.engine.now().getTime();
    const provider = this.accounts.get(parseVideoId(deletion.videoId).account)?.provider;
    return provider !== undefined && restoreSupport(provider) !== false;
  }
}
