import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    "The server's request limits that shape a client: how many ids one deleteVideos takes, how large a page is.",
})
export class Limits {
  @Field(() => Int, { description: 'The most ids one deleteVideos call takes (server.maxIdsPerOperation).' })
  maxIdsPerOperation!: number;

  @Field(() => Int, { description: 'The largest `first` any connection (videos, deletions, items) takes.' })
  maxPageSize!: number;
}
