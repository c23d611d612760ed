export {
  startSimulator,
  type FastPixCredentials,
  type FastPixSimulator,
  type FastPixSimulatorOptions,
} from './fastpix-simulator.js';
export type { FastPixLibrary, MediaSeed, SimulatedMedia } from './fastpix-library.js';
export type { FastPixWebhookDelivery, FastPixWebhookTarget, WebhookSigningKey } from './fastpix-webhook-sender.js';
export type { FaultStatus } from './fastpix-answers.js';
