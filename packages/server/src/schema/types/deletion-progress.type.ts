import { Field, ID, Int, ObjectType } from 'type-graphql';
import { OperationStatus } from './enums.js';
import { VideoDeletion } from './video-deletion.type.js';

@ObjectType({ description: 'One item of a bulk deletion reaching a new state.' })
export class DeletionProgress {
  @Field(() => ID)
  operationId!: string;

  @Field(() => Int, {
    description: 'Gapless per operation, from 1: resubscribe with `after` set to the last one seen.',
  })
  sequence!: number;

  @Field(() => VideoDeletion)
  item!: VideoDeletion;

  @Field(() => Int)
  total!: number;

  @Field(() => Int, { description: 'Items final after this event.' })
  completed!: number;

  @Field(() => OperationStatus, { description: 'The operation status after this event; final on the last one.' })
  status!: OperationStatus;
}
