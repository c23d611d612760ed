import { registerEnumType } from 'type-graphql';
import type {
  DiscoveryState as CoreDiscoveryState,
  ItemStatus,
  OperationStatus as CoreOperationStatus,
  WhenBlocked as CoreWhenBlocked,
} from '@unreel/core';
import type { ProviderVideoStatus } from '@unreel/provider-spec';

/**
 * Every value of a string-literal union, each its own name, as type-graphql wants an enum object. `satisfies` against
 * the union's mapped type means a status added to (or dropped from) core or the provider contract fails to compile
 * here instead of failing at run time, and the GraphQL type is the core type itself, so nothing needs a cast.
 */
type EnumOf<Union extends string> = { readonly [Value in Union]: Value };

export const VideoStatus = {
  PROCESSING: 'PROCESSING',
  READY: 'READY',
  FAILED: 'FAILED',
  DELETED: 'DELETED',
  UNKNOWN: 'UNKNOWN',
} as const satisfies EnumOf<ProviderVideoStatus>;
export type VideoStatus = ProviderVideoStatus;

export const DeletionStatus = {
  PENDING: 'PENDING',
  SCHEDULED: 'SCHEDULED',
  DELETED: 'DELETED',
  NOT_FOUND: 'NOT_FOUND',
  FAILED: 'FAILED',
  RESTORED: 'RESTORED',
  CANCELLED: 'CANCELLED',
} as const satisfies EnumOf<ItemStatus>;
export type DeletionStatus = ItemStatus;

export const OperationStatus = {
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  PARTIALLY_FAILED: 'PARTIALLY_FAILED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
} as const satisfies EnumOf<CoreOperationStatus>;
export type OperationStatus = CoreOperationStatus;

export const WhenBlocked = {
  FAIL: 'FAIL',
  WAIT: 'WAIT',
} as const satisfies EnumOf<CoreWhenBlocked>;
export type WhenBlocked = CoreWhenBlocked;

export const DiscoveryState = {
  DISCOVERING: 'DISCOVERING',
  DONE: 'DONE',
  CAPPED: 'CAPPED',
  CANCELLED: 'CANCELLED',
  FAILED: 'FAILED',
} as const satisfies EnumOf<CoreDiscoveryState>;
export type DiscoveryState = CoreDiscoveryState;

registerEnumType(DiscoveryState, {
  name: 'DiscoveryState',
  description:
    'How far a deletion by selection has discovered its videos. The operation stays RUNNING while DISCOVERING, and `total` grows.',
  valuesConfig: {
    DISCOVERING: { description: 'Listing goes on; more videos may be added.' },
    DONE: { description: 'A whole pass over the listing found nothing new: every matching video is in the operation.' },
    CAPPED: { description: 'maxItems videos were taken; listing stopped, and more may match.' },
    CANCELLED: { description: 'cancelDeletion stopped discovery.' },
    FAILED: { description: 'The provider refused to list for good (see selection.error); what was found is deleted.' },
  },
});
registerEnumType(VideoStatus, { name: 'VideoStatus', description: "A video's lifecycle at its provider." });
registerEnumType(DeletionStatus, {
  name: 'DeletionStatus',
  description:
    'Where one video stands in a deletion. PENDING and SCHEDULED are open; the rest are final (RESTORED may follow DELETED). CANCELLED: cancelDeletion came before any provider call carried it.',
});
registerEnumType(WhenBlocked, {
  name: 'WhenBlocked',
  description:
    "What becomes of a video its provider refuses for now but may accept later (IN_PROCESSING, TOO_RECENT: a retryable DeletionError). FAIL: it ends FAILED at once, with retryAfter when the provider said. WAIT: it stays SCHEDULED and is sent again when the provider allows it (at retryAfter, or with a growing backoff), until the server's horizon (engine.blockedRetryHorizon); cancelDeletion cancels it meanwhile.",
  valuesConfig: {
    FAIL: { description: 'End FAILED at once (retryable: true).' },
    WAIT: { description: 'Stay SCHEDULED until the provider allows it, up to the horizon.' },
  },
});
registerEnumType(OperationStatus, {
  name: 'OperationStatus',
  description:
    'A bulk deletion: RUNNING until every item is final; NOT_FOUND counts as success (the video is gone). CANCELLED: cancelDeletion cancelled at least one of its items.',
});
