import { Lifecycle, inject, scoped } from 'tsyringe';
import { Arg, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { InvalidInputError, type AccountRegistry } from '@unreel/core';
import { ACCOUNTS, ENGINE } from '../../di/tokens.js';
import { RequestLoaders } from '../../di/request-loaders.js';
import type { DeletionEngine } from '@unreel/core';
import { decodeCursor, encodeCursor, pageSize } from '../cursors.js';
import { findVideo } from '../find-video.js';
import { toVideo, toVideoDeletion } from '../mappers.js';
import { VideoDeletion } from '../types/video-deletion.type.js';
import { Video, VideoConnection } from '../types/video.type.js';

@scoped(Lifecycle.ContainerScoped)
@Resolver(() => Video)
export class VideoResolver {
  constructor(
    @inject(ENGINE) private readonly engine: DeletionEngine,
    @inject(ACCOUNTS) private readonly accounts: AccountRegistry,
    @inject(RequestLoaders) private readonly loaders: RequestLoaders,
  ) {}

  @Query(() => Video, {
    nullable: true,
    description: 'A video by its unreel id; null when its account or the provider does not know it.',
  })
  video(@Arg('id', () => ID) id: string): Promise<Video | null> {
    return findVideo(id, this.accounts, this.loaders);
  }

  @Query(() => VideoConnection, { description: "One account's videos, as the provider lists them." })
  async videos(
    @Arg('account', () => String) account: string,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<VideoConnection> {
    const configured = this.accounts.require(account, 'account');
    const limit = pageSize(first);
    // A cursor is the provider's page cursor plus how many of that page's videos were already seen, so paging can
    // resume after any edge, not only after the last one.
    const from = after ? readVideoCursor(after) : { c: undefined, s: 0 };
    const page = await this.engine.listVideos(account, {
      limit: limit + from.s,
      ...(from.c === undefined ? {} : { cursor: from.c }),
    });
    const items = page.items.slice(from.s);
    const nextCursor = page.nextCursor ?? undefined;
    const edges = items.map((video, index) => ({
      cursor: writeVideoCursor({ c: from.c, s: from.s + index + 1 }),
      node: toVideo(account, configured.pluginId, video),
    }));
    const hasNextPage = nextCursor !== undefined;
    return {
      edges,
      pageInfo: {
        hasNextPage,
        endCursor: hasNextPage ? writeVideoCursor({ c: nextCursor, s: 0 }) : (edges.at(-1)?.cursor ?? null),
      },
    };
  }

  @FieldResolver(() => VideoDeletion, { nullable: true, description: 'The latest deletion of this video known here.' })
  async deletion(@Root() video: Video): Promise<VideoDeletion | null> {
    const item = await this.loaders.deletions.load(video.id);
    return item ? toVideoDeletion(item) : null;
  }
}

interface VideoCursor {
  c: string | undefined;
  s: number;
}

function writeVideoCursor(cursor: VideoCursor): string {
  return encodeCursor(JSON.stringify(cursor));
}

function readVideoCursor(cursor: string): VideoCursor {
  try {
    const parsed = JSON.parse(decodeCursor(cursor)) as Partial<VideoCursor>;
    if (
      Number.isInteger(parsed.s) &&
      (parsed.s as number) >= 0 &&
      (parsed.c === undefined || typeof parsed.c === 'string')
    ) {
      return { c: parsed.c, s: parsed.s as number };
    }
  } catch {
    // reported below
  }
  throw new InvalidInputError('Malformed cursor in "after"', 'after');
}
