import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType()
export class AccountCapabilities {
  @Field(() => Int, { description: 'Ids per provider delete call.' })
  maxBatchSize!: number;

  @Field(() => Boolean, { description: 'Whether deleted videos can be restored.' })
  restore!: boolean;

  @Field(() => Int, { nullable: true })
  restoreWindowDays!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'The request rate unreel keeps to on this account now: the configured one, or lower where the provider throttled below it (learned, raised again a step after each quiet period). Null when none is configured or documented.',
  })
  requestsPerSecond!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "The configured rate (the account's limits.requestsPerSecond, else the provider's documented one): the learned rate never goes above it.",
  })
  configuredRequestsPerSecond!: number | null;

  @Field(() => Boolean, { description: 'Deletions are held SCHEDULED first and can be undone meanwhile.' })
  deleteDelay!: boolean;
}

@ObjectType({ description: 'A configured provider account. Settings, and so credentials, are never exposed.' })
export class Account {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  provider!: string;

  @Field(() => AccountCapabilities)
  capabilities!: AccountCapabilities;
}
