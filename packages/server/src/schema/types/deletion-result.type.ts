import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from './date-time.scalar.js';
import { DiscoveryState, OperationStatus } from './enums.js';
import { PageInfo } from './page-info.type.js';
import { VideoDeletion } from './video-deletion.type.js';
import { DeletionSelection } from './video-selection.type.js';

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A bulk deletion operation and its counts.' })
export class DeletionResult {
  @Field(() => ID, { description: 'The operation id (client-chosen operationId or generated).' })
  id!: string;

  @Field(() => OperationStatus)
  status!: OperationStatus;

  @Field(() => Int, { description: 'Items in the operation; grows while a selection is DISCOVERING.' })
  total!: number;

  @Field(() => DiscoveryState, {
    nullable: true,
    description: 'A deletion by selection: whether discovery goes on, ended, or hit maxItems. Null for ids.',
  })
  discovery!: DiscoveryState | null;

  @Field(() => DeletionSelection, {
    nullable: true,
    description: 'A deletion by selection: what it asked for. Null for ids.',
  })
  selection!: DeletionSelection | null;

  @Field(() => Int)
  deleted!: number;

  @Field(() => Int)
  notFound!: number;

  @Field(() => Int)
  failed!: number;

  @Field(() => Int, { description: 'Items deleted and then restored (or held and cancelled).' })
  restored!: number;

  @Field(() => Int, { description: 'Items cancelled by cancelDeletion before any provider call carried them.' })
  cancelled!: number;

  @Field(() => Int, { description: 'Items not final yet (PENDING or SCHEDULED).' })
  pending!: number;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt!: Date | null;
}

@ObjectType()
export class VideoDeletionEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => VideoDeletion)
  node!: VideoDeletion;
}

@ObjectType()
export class VideoDeletionConnection {
  @Field(() => [VideoDeletionEdge])
  edges!: VideoDeletionEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType()
export class DeletionEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => DeletionResult)
  node!: DeletionResult;
}

@ObjectType({ description: "The caller's deletion operations, newest first." })
export class DeletionConnection {
  @Field(() => [DeletionEdge])
  edges!: DeletionEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
