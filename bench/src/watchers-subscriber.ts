import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/**
 * A graphql-transport-ws subscriber on a bare TCP socket, for the watchers bench: it reads WebSocket frames straight
 * from the socket's chunks, counts each `next` and reads its lag from the bytes. Why not the `ws` client: with 100
 * subscribers a burst of the paced run is 100,000 frames, and `ws` (a Writable per socket, UTF-8 validation, an event
 * per message) took about 2.5 µs of this process's CPU a frame, 250 ms a burst: the receiver, not the server, set the
 * p99 lag it was meant to measure. Here a frame costs its header, a 13-byte comparison and a few digits.
 */

/** What one subscriber sees; shared by all of a run's subscribers. */
export interface SubscriberSink {
  /** `next` frames received, and when the latest came (Date.now()). */
  events: number;
  last: number;
  /** Receipt minus the item's `updatedAt` (the engine's clock when it recorded the outcome), in ms. */
  lag(ms: number): void;
}

const UPDATED_AT = Buffer.from('"updatedAt":"');
const COMPLETE = Buffer.from('"type":"complete"');
const ACK = Buffer.from('connection_ack');
const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;

/** A client's frame (RFC 6455 5.3: masked), FIN set. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const extended = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const frame = Buffer.allocUnsafe(2 + extended + 4 + length);
  frame[0] = 0x80 | opcode;
  if (extended === 0) frame[1] = 0x80 | length;
  else if (extended === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  const at = 2 + extended;
  mask.copy(frame, at);
  for (let index = 0; index < length; index += 1) frame[at + 4 + index] = payload[index]! ^ mask[index & 3]!;
  return frame;
}

/**
 * `YYYY-MM-DDTHH:MM:SS.mmmZ` at `at` as epoch ms. The seconds are parsed once per distinct second (a burst shares a
 * handful), the milliseconds from their digits: Date.parse per frame was a tenth of this process's time.
 */
class TimestampReader {
  private second = Buffer.alloc(19);
  private secondMs = Number.NaN;

  read(data: Buffer, at: number): number {
    if (Number.isNaN(this.secondMs) || data.compare(this.second, 0, 19, at, at + 19) !== 0) {
      data.copy(this.second, 0, at, at + 19);
      this.secondMs = Date.parse(`${this.second.toString('latin1')}Z`);
    }
    const ms = (data[at + 20]! - 48) * 100 + (data[at + 21]! - 48) * 10 + (data[at + 22]! - 48);
    return this.secondMs + ms;
  }
}

function matches(data: Buffer, at: number, needle: Buffer, end: number): boolean {
  if (at < 0 || at + needle.length > end) return false;
  for (let index = 0; index < needle.length; index += 1) if (data[at + index] !== needle[index]) return false;
  return true;
}

/** One graphql-transport-ws connection, acknowledged; it carries one subscription at a time. */
export interface RawConnection {
  /**
   * Subscribes with `query` and `variables` under `id` and reports every `next` to `sink`; resolves on the
   * subscription's `complete` (or when the socket closes). Text frames that are neither a `next` with an `updatedAt`
   * nor the `complete` reject it: the bench counts only what it understood.
   */
  subscribe(id: string, query: string, variables: Record<string, unknown>, sink: SubscriberSink): Promise<void>;
  close(): void;
}

/** Opens a graphql-transport-ws connection to `wsUrl` and waits for its ack. */
export async function connectRaw(wsUrl: string): Promise<RawConnection> {
  const url = new URL(wsUrl);
  const socket: Socket = connect(Number(url.port), url.hostname);
  socket.setNoDelay(true);
  await once(socket, 'connect');
  socket.write(
    `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
      'Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n',
  );
  const send = (message: unknown): void => {
    socket.write(clientFrame(OPCODE_TEXT, Buffer.from(JSON.stringify(message))));
  };

  let pending: Buffer = Buffer.alloc(0);
  let upgraded = false;
  let acked: (() => void) | undefined;
  /** The subscription under way: where its frames are reported, and how it ends. */
  let current: { sink: SubscriberSink; resolve: () => void; reject: (error: Error) => void } | undefined;
  let failure: Error | undefined;
  const timestamps = new TimestampReader();
  // Where `"updatedAt":"` sat in the previous frame: the frames of one subscription share their layout.
  let updatedAtOffset = -1;

  const fail = (error: Error): void => {
    failure ??= error;
    current?.reject(error);
    socket.destroy();
  };

  const onText = (data: Buffer, start: number, end: number): void => {
    let at = updatedAtOffset >= 0 ? start + updatedAtOffset : -1;
    if (!matches(data, at, UPDATED_AT, end)) {
      at = data.indexOf(UPDATED_AT, start);
      if (at < 0 || at >= end) at = -1;
      else updatedAtOffset = at - start;
    }
    if (at >= 0 && current) {
      const now = Date.now();
      const { sink } = current;
      sink.events += 1;
      sink.last = now;
      sink.lag(now - timestamps.read(data, at + UPDATED_AT.length));
      return;
    }
    const text = data.subarray(start, end);
    if (acked && text.indexOf(ACK) >= 0) {
      const done = acked;
      acked = undefined;
      done();
    } else if (current && text.indexOf(COMPLETE) >= 0) {
      const done = current;
      current = undefined;
      done.resolve();
    } else fail(new Error(`unexpected frame ${text.toString('utf8').slice(0, 300)}`));
  };

  const onData = (chunk: Buffer): void => {
    const data = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    if (!upgraded) {
      const headEnd = data.indexOf('\r\n\r\n');
      if (headEnd < 0) {
        pending = data;
        return;
      }
      const status = data.toString('latin1', 0, data.indexOf('\r\n'));
      if (!status.includes(' 101 ')) return fail(new Error(`no upgrade: ${status}`));
      upgraded = true;
      at = headEnd + 4;
    }
    while (data.length - at >= 2) {
      const opcode = data[at]! & 0x0f;
      let length = data[at + 1]! & 0x7f;
      let header = 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        header = 10;
      }
      if (data.length - at < header + length) break;
      const start = at + header;
      const end = start + length;
      if (opcode === OPCODE_TEXT) onText(data, start, end);
      else if (opcode === OPCODE_PING) socket.write(clientFrame(OPCODE_PONG, data.subarray(start, end)));
      else if (opcode === OPCODE_CLOSE) {
        socket.end();
        return;
      } else if (opcode !== OPCODE_PONG) return fail(new Error(`unexpected opcode ${opcode}`));
      at = end;
    }
    pending = at === data.length ? Buffer.alloc(0) : data.subarray(at);
  };

  socket.on('data', onData);
  const closed = once(socket, 'close');
  void closed.then(() => current?.resolve());
  const ack = new Promise<void>((resolve) => (acked = resolve));
  send({ type: 'connection_init' });
  await Promise.race([
    ack,
    closed.then(() => {
      throw failure ?? new Error('closed before connection_ack');
    }),
  ]);
  return {
    subscribe(id, query, variables, sink) {
      if (failure) return Promise.reject(failure);
      if (current) return Promise.reject(new Error('one subscription at a time'));
      const done = new Promise<void>((resolve, reject) => (current = { sink, resolve, reject }));
      updatedAtOffset = -1;
      send({ id, type: 'subscribe', payload: { query, variables } });
      return done;
    },
    close: () => {
      socket.end(clientFrame(OPCODE_CLOSE, Buffer.from([0x03, 0xe8])));
      socket.destroySoon();
    },
  };
}
