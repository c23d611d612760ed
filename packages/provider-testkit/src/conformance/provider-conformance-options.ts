import type { VideoProviderPluginV1 } from '@unreel/provider-spec';
import type { ConformanceSimulator } from '@unreel/provider-kit/simulator';

export interface ProviderConformanceOptions<Settings, Sim extends ConformanceSimulator = ConformanceSimulator> {
  plugin: VideoProviderPluginV1<Settings>;
  /** Started once before the suite, closed after it. */
  simulator: () => Promise<Sim>;
  /**
   * Plugin settings pointing at the simulator, as a host's config gives them (the suite validates them with the
   * plugin's own schema, defaults included); `wrongCredentials` swaps in a wrong secret (ignored without credentials).
   */
  settings: (simulator: Sim, variant: { wrongCredentials: boolean }) => unknown;
  /** What the provider's docs say it does with a video still processing. Default 'refused' (IN_PROCESSING). */
  inProcessing?: 'refused' | 'deleted';
  /** Whether the provider has a notion of a video this account may not delete. Default true (FORBIDDEN). */
  forbidden?: boolean;
  /** Whether the provider authenticates calls. Default true; false only for in-process providers such as the sandbox. */
  credentials?: boolean;
  /** Whether the provider's throttled answer says how long to wait (Retry-After and friends). Default true. */
  throttleSaysWhen?: boolean;
  /**
   * Strings that must never appear in an error message or a log line, read at each check (so credentials the
   * simulator issues while the suite runs, such as bearer tokens, count). Default: the values of the plugin's
   * `secretSettings` in both the right and the wrong settings.
   */
  secrets?: (simulator: Sim) => string[];
  /**
   * Whether to run the timeout and unreadable-body cases through a fault proxy (`./fault-proxy`) put in front of the
   * simulator's `url`: the suite calls `settings` once more with a simulator whose `url` is the proxy's. Default true;
   * without a `url` (an in-process provider) those cases show as skipped.
   */
  faultProxy?: boolean;
  /** Suite name; default `<plugin id> provider conformance`. */
  name?: string;
}
