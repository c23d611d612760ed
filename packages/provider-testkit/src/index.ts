export * from './simulator-types.js';
export * from './simulator/index.js';
export * from './conformance/index.js';
