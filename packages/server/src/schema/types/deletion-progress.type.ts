import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DiscoveryState, OperationStatus } from './enums.js';
import { VideoDeletion } from './video-deletion.type.js';

@ObjectType({
  description:
    'One item of a bulk deletion reaching a new state. A deletion by selection also announces each item it discovers (PENDING, or SCHEDULED when held), so `total` grows through the stream.',
})
export class DeletionProgress {
  @Field(() => ID)
  operationId!: string;

  @Field(() => Int, {
    description: 'Gapless per operation, from 1: resubscribe with `after` set to the last one seen.',
  })
  sequence!: number;

  @Field(() => VideoDeletion)
  item!: VideoDeletion;

  @Field(() => Int, { description: 'Items in the operation (as now when replayed: it only grows).' })
  total!: number;

  @Field(() => Int, { description: 'Items final after this event.' })
  completed!: number;

  @Field(() => OperationStatus, {
    description:
      'The operation status after this event; final on the last one, except when a selection finished with no event of its own (its discovery ended after its last item closed): then the stream completes and `deletion` says how it ended.',
  })
  status!: OperationStatus;

  @Field(() => DiscoveryState, {
    nullable: true,
    description: 'A deletion by selection: its discovery (as now when replayed). Null for ids.',
  })
  discovery!: DiscoveryState | null;
}
