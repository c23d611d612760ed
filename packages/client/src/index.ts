// Codegen writes exactly the documents and types of schema/operations/*.graphql: that file is the public surface by
// construction, and a hand-kept list here would silently miss the next operation someone adds.
export * from './generated/graphql.js';
export {
  deleteWithProgress,
  type DeleteWithProgressOptions,
  type DeletionTarget,
  type DeleteWithProgressResult,
} from './delete-with-progress.js';
export { watchDeletion, type WatchDeletionOptions } from './watch-deletion.js';
export { cancelDeletion, type CancelDeletionOptions } from './cancel-deletion.js';
export type { DeletionOutcome, DeletionProgressEvent } from './progress-follower.js';
export { requestGraphQL, type GraphQLRequestOptions } from './graphql-request.js';
export type { UnreelConnectionOptions } from './connection-options.js';
export type { RetryInfo, RetryOptions } from './retry-policy.js';
export { newOperationId } from './operation-id.js';
export { UnreelClientError, type UnreelClientErrorCode, type UnreelClientErrorDetails } from './client-error.js';
