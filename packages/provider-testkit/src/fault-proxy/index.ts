// A fault-injecting HTTP proxy for tests and soak runs: node:http only, no test runner, so a bench or a plugin's own
// harness can run it outside vitest.
export {
  startFaultProxy,
  type DeliveryOutcome,
  type FaultCounts,
  type FaultProxy,
  type FaultProxyOptions,
  type ProxiedRequest,
} from './fault-proxy.js';
export type { ActiveFaultRule, FaultAction, FaultKind, FaultRequest, FaultRule } from './fault-plan.js';
