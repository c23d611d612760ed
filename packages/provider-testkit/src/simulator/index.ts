// The simulator toolkit, without the conformance suite: simulators run outside vitest (`pnpm simulate`).
export * from './simulator-server.js';
export * from './window-rate-limiter.js';
export * from './fault-schedule.js';
export * from './seeded-random.js';
export * from './parse-authorization.js';
export * from './retry-after.js';
export type * from '../simulator-types.js';
