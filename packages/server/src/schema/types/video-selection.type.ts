import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from './date-time.scalar.js';
import { DiscoveryState, VideoStatus } from './enums.js';
import { DeletionError } from './video-deletion.type.js';
import { Video } from './video.type.js';

@InputType({ description: 'Every video of one account that matches all the given bounds.' })
export class VideoSelectionInput {
  @Field(() => String, { description: "An account of the caller's." })
  account!: string;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      'Only videos created strictly before this instant. A video its provider lists without a creation time does not match.',
  })
  createdBefore?: Date | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      'Only videos created at or after this instant. A video its provider lists without a creation time does not match.',
  })
  createdAfter?: Date | null;

  @Field(() => [VideoStatus], {
    nullable: true,
    description: 'Only videos in one of these statuses; null or empty: any.',
  })
  status?: VideoStatus[] | null;
}

@ObjectType({ description: 'What a selection matches now (selectVideos): nothing is changed.' })
export class VideoSelection {
  @Field(() => Int, { description: 'Exact when complete; otherwise a lower bound.' })
  count!: number;

  @Field(() => Boolean, {
    description:
      "false: listing stopped at the server's preview bound (engine.selectionPreviewMaxCalls, engine.selectionPreviewTimeout) before the end.",
  })
  complete!: boolean;

  @Field(() => [Video], { description: 'The first matching videos, in listing order, up to `sample`.' })
  sample!: Video[];
}

@ObjectType({ description: 'What a deletion by selection asked for, and how far its discovery has come.' })
export class DeletionSelection {
  @Field(() => String)
  account!: string;

  @Field(() => DateTimeScalar, { nullable: true })
  createdBefore!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  createdAfter!: Date | null;

  @Field(() => [VideoStatus], { nullable: true })
  status!: VideoStatus[] | null;

  @Field(() => Int)
  maxItems!: number;

  @Field(() => DiscoveryState)
  discovery!: DiscoveryState;

  @Field(() => Int, {
    description: 'Passes over the listing so far: each lists from the start, until one finds nothing new.',
  })
  passes!: number;

  @Field(() => DeletionError, { nullable: true, description: 'Why discovery ended FAILED.' })
  error!: DeletionError | null;
}
