import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/**
 * The close code for a socket that does not read what it is sent. Not 4408, which graphql-ws already gives to
 * "connection initialisation timeout"; 4431 sits beside our 4430 (too many sockets), in the range graphql-ws leaves to
 * applications. graphql-ws's client retries the connection (the code is not among its fatal ones); it is the
 * application that resubscribes with `after` set to the last sequence it saw, and so misses nothing and gets nothing twice.
 */
const TOO_SLOW_CLOSE_CODE = 4431;
const TOO_SLOW_CLOSE_REASON = 'Too slow: resubscribe with after';

export interface SocketWriterOptions {
  /** Bytes a socket may have waiting to be sent before progress delivery to it pauses until it drains. */
  maxBufferedBytes: number;
  /** How long a socket may stay that full before it is closed with TOO_SLOW_CLOSE_CODE. */
  slowCloseMs: number;
  /** Called when the socket is closed as too slow (logs, metrics). */
  onTooSlow: () => void;
}

/**
 * Everything sent to one WebSocket goes through here, graphql-ws's own messages and shared progress frames alike, so
 * frames keep their order. Writes made in the same tick leave in one `writev` (the TCP socket is corked until the
 * next tick) instead of one syscall per frame. Progress delivery asks `writable()` before each page: a socket with
 * `maxBufferedBytes` waiting gets nothing more until it drains, so what one socket holds is bounded; one that stays
 * full for `slowCloseMs` (its client stopped reading, or reads slower than its operations write) is closed with
 * 4431, and resumes with `after`. Nothing is lost meanwhile: events wait in the journal, not here.
 */
export class SocketWriter {
  private corked = false;
  private stall: NodeJS.Timeout | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly ws: WebSocket,
    private readonly tcp: Socket,
    private readonly options: SocketWriterOptions,
  ) {
    tcp.on('drain', () => this.wake());
    ws.once('close', () => {
      clearTimeout(this.stall);
      this.wake();
    });
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  send(text: string, callback?: (error?: Error) => void): void {
    if (!this.open) {
      callback?.();
      return;
    }
    this.corkForThisTick();
    this.ws.send(text, callback);
  }

  /**
   * Sends `prefix + payload + suffix` as one text message per payload of the window (`page[from]` on, `count` of
   * them: the feed's page itself, not a copy), as many as the buffer has room for (at least one), and says how many.
   * The messages leave as one write of ready-made WebSocket frames: a shared payload is copied into place instead of
   * going through `ws.send`, whose two writes per frame cost more than the frame. Only done when no extension
   * (compression) was negotiated, the one case in which ws's sender writes synchronously and frames as plainly;
   * otherwise (or for a socket that is closing) it falls back to `ws.send`.
   */
  sendMessages(
    prefix: Buffer,
    {
      page,
      from,
      count: available,
    }: { readonly page: readonly Buffer[]; readonly from: number; readonly count: number },
    suffix: Buffer,
  ): number {
    if (!this.open || available === 0) return 0;
    let room = this.options.maxBufferedBytes - this.ws.bufferedAmount;
    let count = 0;
    let bytes = 0;
    for (; count < available; count += 1) {
      const length = prefix.length + page[from + count]!.length + suffix.length;
      const frame = headerLength(length) + length;
      if (count > 0 && frame > room) break;
      room -= frame;
      bytes += frame;
    }
    if (this.ws.extensions !== '') {
      for (let index = from; index < from + count; index += 1)
        this.send(Buffer.concat([prefix, page[index]!, suffix]).toString('utf8'));
      return count;
    }
    const frames = Buffer.allocUnsafe(bytes);
    let at = 0;
    for (let index = from; index < from + count; index += 1) {
      const payload = page[index]!;
      at = writeHeader(frames, at, prefix.length + payload.length + suffix.length);
      at += prefix.copy(frames, at);
      at += payload.copy(frames, at);
      at += suffix.copy(frames, at);
    }
    this.corkForThisTick();
    this.tcp.write(frames);
    return count;
  }

  /** Whether the socket can take more now (open and not full): then `writable` would resolve true at once. */
  get ready(): boolean {
    return this.open && !this.full();
  }

  /**
   * Resolves true once the socket can take more (at once when it can), false once it is closing or closed (nothing
   * more will reach it) or `signal` aborted.
   */
  async writable(signal: AbortSignal): Promise<boolean> {
    if (this.full()) {
      this.stall ??= setTimeout(() => this.tooSlow(), this.options.slowCloseMs);
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (this.full() && !signal.aborted) return;
          this.waiters.delete(check);
          signal.removeEventListener('abort', check);
          resolve();
        };
        this.waiters.add(check);
        signal.addEventListener('abort', check, { once: true });
      });
    }
    return this.open && !signal.aborted;
  }

  /** Writes made in this tick leave together, in one writev, when it ends. */
  private corkForThisTick(): void {
    if (this.corked) return;
    this.corked = true;
    this.tcp.cork();
    process.nextTick(() => {
      this.corked = false;
      this.tcp.uncork();
    });
  }

  private full(): boolean {
    return this.open && this.ws.bufferedAmount >= this.options.maxBufferedBytes;
  }

  private wake(): void {
    if (!this.full()) {
      clearTimeout(this.stall);
      this.stall = undefined;
    }
    for (const waiter of this.waiters) waiter();
  }

  private tooSlow(): void {
    this.stall = undefined;
    if (!this.full()) return;
    this.options.onTooSlow();
    // The close frame queues behind what the client has not read: it learns why once it reads again (ws destroys the
    // socket if it never answers the close).
    this.ws.close(TOO_SLOW_CLOSE_CODE, TOO_SLOW_CLOSE_REASON);
  }
}

/** RFC 6455 5.2: a server's frames are unmasked; the length takes 7 bits, or 16, or 64 after a marker. */
function headerLength(length: number): number {
  return length < 126 ? 2 : length < 65_536 ? 4 : 10;
}

/** A final text frame's header (FIN + opcode 1) for a payload of `length` bytes, at `at`; returns where it ends. */
function writeHeader(target: Buffer, at: number, length: number): number {
  target[at] = 0x81;
  if (length < 126) {
    target[at + 1] = length;
    return at + 2;
  }
  if (length < 65_536) {
    target[at + 1] = 126;
    target.writeUInt16BE(length, at + 2);
    return at + 4;
  }
  target[at + 1] = 127;
  target.writeBigUInt64BE(BigInt(length), at + 2);
  return at + 10;
}
