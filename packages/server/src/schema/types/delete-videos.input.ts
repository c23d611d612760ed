import { Field, ID, InputType, Int } from 'type-graphql';
import { WhenBlocked } from './enums.js';
import { VideoSelectionInput } from './video-selection.type.js';

@InputType()
export class DeleteVideosInput {
  @Field(() => [ID], {
    nullable: true,
    description: 'Video ids, "<account>:<provider video id>"; duplicates are ignored. Give ids or selection, not both.',
  })
  ids?: string[] | null;

  @Field(() => VideoSelectionInput, {
    nullable: true,
    description:
      'Every matching video of one account, discovered page by page while deleting (selectVideos previews it). Needs maxItems.',
  })
  selection?: VideoSelectionInput | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "With selection (required there): at most this many videos, 1 to the server's maxIdsPerOperation; discovery ends CAPPED on reaching it.",
  })
  maxItems?: number | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'Idempotency key chosen by the client: a retry must send the same ids, or the same selection and maxItems.',
  })
  operationId?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: true,
    description:
      'true: answer when every item is final or after a bounded wait; false: as soon as the operation is journaled.',
  })
  wait?: boolean | null;

  @Field(() => WhenBlocked, {
    nullable: true,
    description:
      "What becomes of videos the provider refuses for now but may accept later; null: each account's default (FAIL unless configured). Part of the operation's identity: a retry with the same operationId must ask the same.",
  })
  whenBlocked?: WhenBlocked | null;
}
