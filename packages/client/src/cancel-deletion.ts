import type { UnreelConnectionOptions } from './connection-options.js';
import { CancelDeletionDocument, type DeletionResultFieldsFragment } from './generated/graphql.js';
import { requestGraphQL } from './graphql-request.js';

export interface CancelDeletionOptions extends Pick<
  UnreelConnectionOptions,
  'url' | 'headers' | 'fetch' | 'signal' | 'retry' | 'onRetry'
> {
  /** The deletion to stop. */
  operationId: string;
}

/**
 * Stops a deletion: items no provider call has reached become CANCELLED (each with a progress event, so a
 * `deleteWithProgress` or `watchDeletion` following it sees them and then the operation's final status), calls already
 * made finish. Idempotent, so it is retried on network failures; a finished operation is returned unchanged.
 */
export async function cancelDeletion(options: CancelDeletionOptions): Promise<DeletionResultFieldsFragment> {
  const { cancelDeletion: result } = await requestGraphQL({
    ...options,
    document: CancelDeletionDocument,
    variables: { operationId: options.operationId },
    retry: options.retry ?? {},
  });
  return result;
}
