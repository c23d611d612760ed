import { Field, ID, InputType } from 'type-graphql';

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
}
