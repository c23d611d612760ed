export * from './simulator-server.js';
export * from './window-rate-limiter.js';
export * from './fault-schedule.js';
export * from './seeded-random.js';
