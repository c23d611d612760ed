// Codegen writes exactly the documents and types of schema/operations/*.graphql: that file is the public surface by
// construction, and a hand-kept list here would silently miss the next operation someone adds.
export * from './generated/graphql.js';
export {
  deleteWithProgress,
  type DeleteWithProgressOptions,
  type DeleteWithProgressResult,
  type DeletionProgressEvent,
} from './delete-with-progress.js';
