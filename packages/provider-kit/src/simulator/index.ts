// What a plugin's simulator is built from. Simulators ship inside plugins and run outside any test runner
// (`pnpm simulate`, the sandbox), so nothing reachable from here may import vitest or other test tooling.
export {
  startSimulatorServer,
  SimulatorBodyError,
  type SimulatorRequest,
  type SimulatorReply,
  type SimulatorServer,
  type SimulatorServerOptions,
} from './simulator-server.js';
export { WindowRateLimiter, type RateLimitDecision, type WindowRateLimiterOptions } from './window-rate-limiter.js';
export { FaultSchedule, type SimulatedFault } from './fault-schedule.js';
export { seededRandom } from './seeded-random.js';
export { titleWord } from './simulated-titles.js';
export { parseAuthorization, type PresentedAuthorization } from './parse-authorization.js';
export { retryAfterDate, retryAfterSeconds } from './retry-after.js';
export type {
  ConformanceSimulator,
  RecordedCall,
  RunningSimulator,
  SimulatedPresence,
  SimulatedVideoState,
  SimulatorModule,
  StartSimulatorOptions,
} from './simulator-types.js';
