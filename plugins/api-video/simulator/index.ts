import { startApiVideoSimulator, type ApiVideoSimulator } from './api-video-simulator.js';
import type { ApiVideoSimulatorOptions } from './api-video-simulator-options.js';

/** The `./simulator` entry every plugin ships: what `pnpm simulate api-video` and the tests start. */
export function startSimulator(options: ApiVideoSimulatorOptions = {}): Promise<ApiVideoSimulator> {
  return startApiVideoSimulator(options);
}

export { startApiVideoSimulator };
export type { ApiVideoSimulator, ApiVideoSimulatorOptions };
export type { IngestPhase } from './api-video-library.js';
export type { RateLimitConfig } from './api-video-rate-limits.js';
