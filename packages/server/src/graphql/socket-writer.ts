import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/**
 * The close code for a socket that does not read what it is sent. Not 4408, which graphql-ws already gives to
 * "connection initialisation timeout"; 4431 sits beside our 4430 (too many sockets), in the range graphql-ws leaves to
 * applications. graphql-ws's client retries the connection (the code is not among its fatal ones); it is the
 * application that resubscribes with `after` set to the last sequence it saw, and so misses nothing and gets nothing twice.
 */
export const TOO_SLOW_CLOSE_CODE = 4431;
export const TOO_SLOW_CLOSE_REASON = 'Too slow: resubscribe with after';

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
    if (!this.corked) {
      this.corked = true;
      this.tcp.cork();
      process.nextTick(() => {
        this.corked = false;
        this.tcp.uncork();
      });
    }
    this.ws.send(text, callback);
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

  private full(): boolean {
    return this.open && this.ws.bufferedAmount >= this.options.maxBufferedBytes;
  }

  private wake(): void {
    if (!this.full()) {
      clearTimeout(this.stall);
      this.stall = undefined;
    }
    for (const waiter of [...this.waiters]) waiter();
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
