import { Field, ObjectType } from 'type-graphql';
import { Video } from './video.type.js';

@ObjectType()
export class RestoreError {
  @Field(() => String, { description: 'NOT_RESTORABLE, RESTORE_WINDOW_EXPIRED, NOT_FOUND, NOT_DELETED, ...' })
  code!: string;

  @Field(() => String)
  message!: string;
}

@ObjectType()
export class RestoreResult {
  @Field(() => Video, { nullable: true })
  video!: Video | null;

  @Field(() => Boolean)
  restored!: boolean;

  @Field(() => RestoreError, { nullable: true })
  error!: RestoreError | null;
}
