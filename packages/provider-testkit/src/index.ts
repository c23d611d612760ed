export * from './simulator-types.js';
export * from './simulator/index.js';
