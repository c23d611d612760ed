import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { DateTimeScalar } from './date-time.scalar.js';
import { VideoStatus } from './enums.js';
import { PageInfo } from './page-info.type.js';

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A video on one of the configured provider accounts.' })
export class Video {
  @Field(() => ID, { description: '"<account>:<provider video id>"' })
  id!: string;

  @Field(() => String)
  account!: string;

  @Field(() => String, { description: 'The plugin id, e.g. api-video.' })
  provider!: string;

  @Field(() => String, { description: "The provider's own id." })
  nativeId!: string;

  @Field(() => String, { nullable: true })
  title!: string | null;

  @Field(() => VideoStatus)
  status!: VideoStatus;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When the video was created at the provider; null when its API does not say.',
  })
  createdAt!: Date | null;
}

@ObjectType()
export class VideoEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Video)
  node!: Video;
}

@ObjectType()
export class VideoConnection {
  @Field(() => [VideoEdge])
  edges!: VideoEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
