/**
 * A write about an operation or item the journal does not hold: a bug in the caller (or a purge it raced), not bad
 * input, so a plain Error. Both stores word it alike; the key is shown as tenant/id.
 */
export function unknownOperationError(key: string): Error {
  return new Error(`Unknown operation ${key.replace('\u001f', '/')}`);
}

export function unknownItemError(operationId: string, position: number): Error {
  return new Error(`Operation ${operationId} has no item at position ${position}`);
}
