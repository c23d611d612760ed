export { startSimulator } from './aliyun-vod-simulator.js';
export type {
  AliyunVodSimulator,
  AliyunVodSimulatorOptions,
  AliyunVodCredentials,
  AuthRecord,
} from './aliyun-vod-simulator.js';
export type { AliyunVodLibrary, SimulatedVodVideo, VodStatus } from './aliyun-vod-library.js';
export type { WebhookDelivery, CallbackTarget } from './aliyun-vod-callbacks.js';
export type { RpcError } from './aliyun-vod-replies.js';
