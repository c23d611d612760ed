import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from './date-time.scalar.js';
import { DeletionStatus } from './enums.js';

@ObjectType({ description: 'Why a video was not deleted (or restored). Codes are stable.' })
export class DeletionError {
  @Field(() => String, {
    description: 'FORBIDDEN, IN_PROCESSING, TOO_RECENT, RATE_LIMITED, UNAUTHORIZED, PROVIDER_ERROR, TIMEOUT, ...',
  })
  code!: string;

  @Field(() => String)
  message!: string;

  @Field(() => Boolean, {
    description:
      'Whether deleting again later may succeed (a video still processing, too recent, a provider that was down); false for a refusal that stands (FORBIDDEN).',
  })
  retryable!: boolean;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'From when deleting again may succeed, when the provider said (or it follows from what it said).',
  })
  retryAfter!: Date | null;
}

@ObjectType({ description: 'One video in one deletion operation.' })
export class VideoDeletion {
  @Field(() => ID)
  videoId!: string;

  @Field(() => ID, { description: 'The operation this item belongs to.' })
  operationId!: string;

  @Field(() => DeletionStatus)
  status!: DeletionStatus;

  @Field(() => DeletionError, {
    nullable: true,
    description:
      'Set when FAILED, and while SCHEDULED waiting for the provider (whenBlocked: WAIT): the refusal it waits out.',
  })
  error!: DeletionError | null;

  @Field(() => Int, { description: 'Provider calls that carried this video.' })
  attempts!: number;

  // `restorable` is resolved by VideoDeletionResolver: it depends on what the account's provider can do.

  @Field(() => DateTimeScalar, { nullable: true })
  restorableUntil!: Date | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      'When the provider itself confirmed the deletion (a verified webhook); null until then, or where the provider sends none.',
  })
  confirmedAt!: Date | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      'When a deletion SCHEDULED because the provider refused it for now (whenBlocked: WAIT) is tried again; null otherwise.',
  })
  nextAttemptAt!: Date | null;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;
}
