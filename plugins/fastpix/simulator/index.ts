import type { FastPixSimulator, FastPixSimulatorOptions } from './fastpix-simulator.js';
import { startFastPixSimulator } from './fastpix-simulator.js';

/** The `./simulator` entry `pnpm simulate fastpix` loads. */
export function startSimulator(options?: FastPixSimulatorOptions): Promise<FastPixSimulator> {
  return startFastPixSimulator(options);
}

export { ASSUMED_RATE_LIMIT, startFastPixSimulator } from './fastpix-simulator.js';
export type { FastPixCredentials, FastPixSimulator, FastPixSimulatorOptions } from './fastpix-simulator.js';
export { FastPixLibrary, IN_FLIGHT_STATUSES } from './fastpix-library.js';
export type { MediaSeed, SimulatedMedia } from './fastpix-library.js';
export type { FastPixWebhookDelivery, FastPixWebhookTarget, WebhookSigningKey } from './fastpix-webhook-sender.js';
export type { FaultStatus } from './fastpix-answers.js';
