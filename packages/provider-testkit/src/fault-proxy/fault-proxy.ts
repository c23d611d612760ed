import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '@unreel/provider-kit/simulator';
import { PlannedRule, type ActiveFaultRule, type FaultAction, type FaultKind, type FaultRule } from './fault-plan.js';

export interface FaultProxyOptions {
  /** Base URL of the simulator (any plain-HTTP server); its path is kept, so `proxy.url` stands in for it one for one. */
  target: string;
  /** 0 or absent: an ephemeral port. The proxy only ever listens on loopback. */
  port?: number;
  /** Seed of the generator behind rules' `probability`, so a random plan strikes the same requests every run. */
  seed?: number;
  /** Rules in force from the start; `add` appends more. */
  rules?: readonly FaultRule[];
  /**
   * Forward the client's own Host header, as a proxy below HTTP would, instead of the target's: for clients whose
   * signature covers the host they called (ApsaraVideo's V3). Default false.
   */
  keepHost?: boolean;
}

/** How an answer ended for the client. */
export type DeliveryOutcome =
  /** Still being sent (a trickle or a delay in progress). */
  | 'in-progress'
  /** Sent whole (garbage included: it is whole, just not what the upstream said). */
  | 'delivered'
  /** The proxy reset the connection, as planned. */
  | 'reset'
  /** The client went away before the answer was whole (its own timeout, usually). */
  | 'abandoned'
  /** The upstream could not be reached; the client got a 502. */
  | 'upstream-failed';

/** One request through the proxy, as tests assert on it. */
export interface ProxiedRequest {
  method: string;
  /** Path as sent upstream, without the query string. */
  path: string;
  /** What the proxy did to the answer. */
  fault: FaultKind;
  /** The upstream's status: it answered, so it acted. Undefined when it could not be reached. */
  upstreamStatus: number | undefined;
  outcome: DeliveryOutcome;
}

/** How many requests came through, and how many got each treatment. */
export type FaultCounts = { requests: number } & Record<FaultKind, number>;

export interface FaultProxy {
  /** Point the client here instead of at the target. */
  url: string;
  /** Adds a rule after those already held; the first rule that takes a request decides its fault. */
  add(rule: FaultRule): ActiveFaultRule;
  /** Drops every rule: from now on everything passes through. */
  clear(): void;
  requests(): readonly ProxiedRequest[];
  counts(): FaultCounts;
  /** Forgets the requests seen so far (the rules and their `applied` counts stay). */
  resetRequests(): void;
  /** Resolves once an answer is held back by a `hold` fault: the upstream has acted, the client does not know yet. */
  held(): Promise<void>;
  /** Sends every answer held so far; a `hold` rule still holds later ones (`clear()` the rules to stop that). */
  release(): void;
  /** Resolves when no answer is being sent: every trickle, delay and hold has finished or been abandoned. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

/** What no JSON parser, form decoder or XML reader takes for an answer. */
const DEFAULT_GARBAGE = Buffer.from('\u0000\u00ff<<not the answer>>}{\u00fe', 'latin1');

interface UpstreamAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * An HTTP proxy on loopback that sits in front of a simulator and breaks answers on purpose: a body that trickles in,
 * a connection reset after the upstream acted, a delayed answer, garbage. Tests of plugins and of the engine use it
 * to prove that what happens when the provider acted but the answer never arrived intact is handled as ambiguous.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  if (target.protocol !== 'http:')
    throw new RangeError(`fault proxy: the target must be plain http, got ${target.protocol}`);
  const basePath = target.pathname.replace(/\/+$/, '');
  const random = seededRandom(options.seed ?? 1);
  const agent = new Agent({ keepAlive: true });
  let rules = (options.rules ?? []).map((rule) => new PlannedRule(rule));
  let seen: ProxiedRequest[] = [];
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let holding: (() => void)[] = [];
  let heldWaiters: (() => void)[] = [];
  const hold = (send: () => void): void => {
    holding.push(send);
    for (const wake of heldWaiters.splice(0)) wake();
  };

  const settle = (entry: ProxiedRequest, outcome: DeliveryOutcome): void => {
    if (entry.outcome !== 'in-progress') return;
    entry.outcome = outcome;
    inFlight -= 1;
    if (inFlight === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const wake of waiters) wake();
    }
  };
  const later = (ms: number, run: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  const server = createServer((incoming, outgoing) => {
    void readAll(incoming).then(async (body) => {
      const url = new URL(incoming.url ?? '/', 'http://proxy.invalid');
      const method = (incoming.method ?? 'GET').toUpperCase();
      const request = { method, path: url.pathname, query: url.searchParams, body };
      const fault: FaultAction = rules.find((rule) => rule.takes(request, random))?.rule.fault ?? { kind: 'pass' };
      const entry: ProxiedRequest = {
        method,
        path: url.pathname,
        fault: fault.kind,
        upstreamStatus: undefined,
        outcome: 'in-progress',
      };
      seen.push(entry);
      inFlight += 1;
      outgoing.on('close', () => settle(entry, outgoing.writableFinished ? 'delivered' : 'abandoned'));
      const delayMs = fault.kind === 'delay' ? fault.ms + (fault.jitterMs ?? 0) * random() : 0;
      if (fault.kind === 'delay' && fault.on === 'request') {
        await new Promise<void>((resolve) => later(delayMs, resolve));
        if (outgoing.destroyed) return;
      }
      let answer: UpstreamAnswer;
      try {
        answer = await forward(agent, target, incoming, url, body, options.keepHost ?? false);
      } catch (error) {
        if (!outgoing.headersSent && !outgoing.destroyed) {
          outgoing.writeHead(502, { 'content-type': 'text/plain' });
          outgoing.end(`fault proxy: upstream unreachable: ${error instanceof Error ? error.message : String(error)}`);
        }
        settle(entry, 'upstream-failed');
        return;
      }
      entry.upstreamStatus = answer.status;
      if (outgoing.destroyed) return;
      const answered: FaultAction =
        fault.kind !== 'delay' ? fault : fault.on === 'request' ? { kind: 'pass' } : { kind: 'delay', ms: delayMs };
      answerWith(answered, answer, method, outgoing, { later, hold, reset: () => settle(entry, 'reset') });
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    add(rule) {
      const planned = new PlannedRule(rule);
      rules.push(planned);
      return planned;
    },
    clear() {
      rules = [];
    },
    requests: () => seen,
    counts() {
      const counts: FaultCounts = {
        requests: seen.length,
        pass: 0,
        trickle: 0,
        delay: 0,
        hold: 0,
        reset: 0,
        garbage: 0,
      };
      for (const entry of seen) counts[entry.fault] += 1;
      return counts;
    },
    resetRequests() {
      seen = [];
    },
    held: () => (holding.length > 0 ? Promise.resolve() : new Promise<void>((resolve) => heldWaiters.push(resolve))),
    release() {
      const sends = holding;
      holding = [];
      for (const send of sends) send();
    },
    idle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

/** The request as the client sent it, to the target's origin; the whole answer is read before anything is decided. */
function forward(
  agent: Agent,
  target: URL,
  incoming: IncomingMessage,
  url: URL,
  body: Buffer,
  keepHost: boolean,
): Promise<UpstreamAnswer> {
  const host = keepHost ? (incoming.headers.host ?? target.host) : target.host;
  const headers: OutgoingHttpHeaders = { ...withoutHopByHop(incoming.headers), host };
  if (body.length > 0 || !['GET', 'HEAD'].includes(incoming.method ?? 'GET')) headers['content-length'] = body.length;
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      {
        agent,
        hostname: target.hostname,
        port: target.port,
        method: incoming.method ?? 'GET',
        path: `${url.pathname}${url.search}`,
        headers,
      },
      (response) => {
        void readAll(response).then(
          (answer) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: answer }),
          reject,
        );
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

interface Scheduling {
  later(ms: number, run: () => void): void;
  /** Keeps `send` until the test releases held answers. */
  hold(send: () => void): void;
  /** Called just before the proxy resets the connection itself. */
  reset(): void;
}

function answerWith(
  fault: FaultAction,
  answer: UpstreamAnswer,
  method: string,
  outgoing: ServerResponse,
  scheduling: Scheduling,
): void {
  const bodyless = method === 'HEAD' || answer.status === 204 || answer.status === 304;
  const headers = withoutHopByHop(answer.headers);
  const send = (status: number, body: Buffer): void => {
    outgoing.writeHead(status, { ...headers, ...(bodyless ? {} : { 'content-length': body.length }) });
    outgoing.end(bodyless ? undefined : body);
  };
  switch (fault.kind) {
    case 'pass':
      send(answer.status, answer.body);
      return;
    case 'delay':
      scheduling.later(fault.ms, () => {
        if (!outgoing.destroyed) send(answer.status, answer.body);
      });
      return;
    case 'hold':
      scheduling.hold(() => {
        if (!outgoing.destroyed) send(answer.status, answer.body);
      });
      return;
    case 'garbage': {
      const garbage = fault.body === undefined ? DEFAULT_GARBAGE : Buffer.from(fault.body);
      send(fault.status ?? answer.status, garbage);
      return;
    }
    case 'reset': {
      const socket = outgoing.socket;
      if (fault.afterBytes === undefined || bodyless) {
        scheduling.reset();
        socket?.resetAndDestroy();
        return;
      }
      outgoing.writeHead(answer.status, { ...headers, 'content-length': answer.body.length });
      outgoing.write(answer.body.subarray(0, Math.min(fault.afterBytes, answer.body.length)), () => {
        scheduling.reset();
        socket?.resetAndDestroy();
      });
      return;
    }
    case 'trickle': {
      if (bodyless) {
        send(answer.status, answer.body);
        return;
      }
      outgoing.writeHead(answer.status, { ...headers, 'content-length': answer.body.length });
      outgoing.flushHeaders();
      let offset = 0;
      const step = (): void => {
        if (outgoing.destroyed) return;
        const chunk = answer.body.subarray(offset, offset + fault.bytes);
        offset += chunk.length;
        if (offset >= answer.body.length) outgoing.end(chunk);
        else outgoing.write(chunk, () => scheduling.later(fault.everyMs, step));
      };
      step();
      return;
    }
  }
}

function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) kept[name] = value;
  }
  return kept;
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
