import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * API keys held as SHA-256 digests only, so a heap dump or a stray log of this object shows no key. A lookup hashes
 * the presented key and compares it with every digest in constant time, without stopping at a match: how long it
 * takes says nothing about which key, or whether any, matched.
 */
export class ApiKeySet<Owner> {
  private readonly entries: { digest: Buffer; owner: Owner }[] = [];

  add(key: string, owner: Owner): void {
    this.entries.push({ digest: digest(key), owner });
  }

  /** The owner whose key this is, else undefined. */
  match(presented: string): Owner | undefined {
    const candidate = digest(presented);
    let found: Owner | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, candidate) && found === undefined) found = entry.owner;
    }
    return found;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
