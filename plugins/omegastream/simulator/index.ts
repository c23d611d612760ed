export { startSimulator, VIDEO_BASE_PATH, MAX_BULK_UUIDS, type OmegastreamSimulator } from './omegastream-simulator.js';
export type {
  OmegastreamSimulatorOptions,
  FailedVideosShape,
  ErrorBodyStyle,
  SimulatedBulkPath,
} from './omegastream-simulator-options.js';
export { DEFAULT_RATE_LIMIT } from './omegastream-simulator-options.js';
export {
  DELETABLE_AFTER_MS,
  SIMULATED_STATUSES,
  type SimulatedStatus,
  type SimulatedVideo,
  type VideoSpec,
} from './omegastream-library.js';
