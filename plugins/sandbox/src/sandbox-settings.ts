import { z } from 'zod';

export const sandboxSettingsSchema = z
  .object({
    /** Videos generated at start. */
    videoCount: z.number().int().min(0).max(1_000_000).default(500),
    /** Same seed, same library: ids, titles and which videos are processing or forbidden. */
    seed: z.number().int().default(1),
    /** Simulated provider latency per call, uniformly in [min, max] milliseconds. */
    latencyMs: z
      .tuple([z.number().min(0), z.number().min(0)])
      .refine(([min, max]) => min <= max, 'min must not exceed max')
      .default([20, 80]),
    /**
     * Delay after a delete has taken effect and before its answer comes back, uniformly in [min, max] ms: a slow
     * network on the way back. A crash or a timeout then leaves calls whose effect is real but unseen.
     */
    replyDelayMs: z
      .tuple([z.number().min(0), z.number().min(0)])
      .refine(([min, max]) => min <= max, 'min must not exceed max')
      .default([0, 0]),
    /** Calls beyond this per second are refused with a retryable RATE_LIMITED error. */
    requestsPerSecond: z.number().positive().optional(),
    /** Ids per delete call (capabilities.maxBatchSize). */
    batchSize: z.number().int().min(1).max(1_000).default(25),
    /** Ids per lookup call (capabilities.maxLookupBatchSize): 20 plays ApsaraVideo's GetVideoInfos, 1 a one-id API. */
    lookupBatchSize: z.number().int().min(1).max(1_000).default(100),
    processingRatio: z.number().min(0).max(1).default(0.04),
    forbiddenRatio: z.number().min(0).max(1).default(0.01),
    /** Seeded videos whose processing failed (FAILED, deletable): 0 by default, so a seed's READY videos stay READY. */
    failedRatio: z.number().min(0).max(1).default(0),
    restoreWindowDays: z.number().positive().default(30),
    /** Fraction of calls that fail with a retryable 5xx-like error, to exercise retries. */
    errorRate: z.number().min(0).max(1).default(0),
    /**
     * A file the library appends every delete and restore call and every change to, and replays at start: the sandbox
     * then remembers its deletions across restarts, as a real provider would (the embedded default keeps one beside
     * its journal; crash-recovery tests read it).
     */
    stateFile: z.string().min(1).optional(),
    /** Providers created with the same library name share one library (default: a fresh one per account). */
    library: z.string().min(1).optional(),
  })
  .strict();

export type SandboxSettings = z.output<typeof sandboxSettingsSchema>;
