export { startSimulator, type ElytronSimulator, type ElytronSimulatorOptions } from './elytron-simulator.js';
export type { DeleteResult, ElytronLibrary, ElytronVideoRecord, ElytronVideoStatus } from './elytron-library.js';
export type { ElytronErrorStyle, ElytronResetFormat } from './elytron-responses.js';
