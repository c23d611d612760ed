export { startSimulator, type OmegastreamSimulator } from './omegastream-simulator.js';
export type {
  OmegastreamSimulatorOptions,
  FailedVideosShape,
  ErrorBodyStyle,
  SimulatedBulkPath,
} from './omegastream-simulator-options.js';
export type { SimulatedVideo, SimulatedStatus, VideoSpec } from './omegastream-library.js';
