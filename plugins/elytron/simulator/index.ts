import { startElytronSimulator, type ElytronSimulator, type ElytronSimulatorOptions } from './elytron-simulator.js';

/** The `./simulator` entry `pnpm simulate elytron` loads. */
export function startSimulator(options?: ElytronSimulatorOptions): Promise<ElytronSimulator> {
  return startElytronSimulator(options);
}

export { startElytronSimulator };
export { ElytronLibrary } from './elytron-library.js';
export type { DeleteResult, ElytronVideoRecord, ElytronVideoStatus } from './elytron-library.js';
export type { ElytronErrorStyle, ElytronResetFormat } from './elytron-responses.js';
export type { ElytronSimulator, ElytronSimulatorOptions };
