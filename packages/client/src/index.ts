export * from './generated/graphql.js';
export * from './delete-with-progress.js';
