import { Field, ID, InputType } from 'type-graphql';
import { WhenBlocked } from './enums.js';

@InputType()
export class DeleteVideosInput {
  @Field(() => [ID], { description: 'Video ids, "<account>:<provider video id>"; duplicates are ignored.' })
  ids!: string[];

  @Field(() => ID, { nullable: true, description: 'Idempotency key chosen by the client.' })
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
