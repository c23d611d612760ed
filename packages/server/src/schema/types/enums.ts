import { registerEnumType } from 'type-graphql';

export enum VideoStatus {
  PROCESSING = 'PROCESSING',
  READY = 'READY',
  FAILED = 'FAILED',
  DELETED = 'DELETED',
  UNKNOWN = 'UNKNOWN',
}

export enum DeletionStatus {
  PENDING = 'PENDING',
  SCHEDULED = 'SCHEDULED',
  DELETED = 'DELETED',
  NOT_FOUND = 'NOT_FOUND',
  FAILED = 'FAILED',
  RESTORED = 'RESTORED',
}

export enum OperationStatus {
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  PARTIALLY_FAILED = 'PARTIALLY_FAILED',
  FAILED = 'FAILED',
}

registerEnumType(VideoStatus, { name: 'VideoStatus', description: "A video's lifecycle at its provider." });
registerEnumType(DeletionStatus, {
  name: 'DeletionStatus',
  description:
    'Where one video stands in a deletion. PENDING and SCHEDULED are open; the rest are final (RESTORED may follow DELETED).',
});
registerEnumType(OperationStatus, {
  name: 'OperationStatus',
  description: 'A bulk deletion: RUNNING until every item is final; NOT_FOUND counts as success (the video is gone).',
});
