/**
 * How many sockets each holder (a tenant, or a client address when there are no tenants) has open, against one
 * limit. In memory and per process: the bound is on what this process holds, which is what a flood exhausts.
 */
export class SocketQuota {
  private readonly open = new Map<string, number>();

  constructor(readonly limit: number) {}

  /** Takes a place for the holder; false, and nothing taken, when it already has `limit` open. */
  take(holder: string): boolean {
    const count = this.open.get(holder) ?? 0;
    if (count >= this.limit) return false;
    this.open.set(holder, count + 1);
    return true;
  }

  release(holder: string): void {
    const count = this.open.get(holder) ?? 0;
    // Holders with nothing open are dropped, so the map is as large as the holders with sockets open, no larger.
    if (count <= 1) this.open.delete(holder);
    else this.open.set(holder, count - 1);
  }
}
