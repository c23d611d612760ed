import { createHash } from 'node:crypto';

/** What makes a repeated operationId "the same request": the set of ids, whatever their order or repetitions. */
export function fingerprintIds(uniqueIds: readonly string[]): string {
  const hash = createHash('sha256');
  for (const id of [...uniqueIds].sort()) hash.update(id).update('\n');
  return hash.digest('hex');
}
