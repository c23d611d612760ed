export { startSimulator, type ApiVideoSimulator } from './api-video-simulator.js';
export type { ApiVideoSimulatorOptions } from './api-video-simulator-options.js';
export type { IngestPhase } from './api-video-library.js';
export type { RateLimitConfig } from './api-video-rate-limits.js';
