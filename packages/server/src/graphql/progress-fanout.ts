import {
  Kind,
  getOperationAST,
  print,
  visit,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
} from 'graphql';
import type { DeletionEngine, ProgressFeed, ProgressStream } from '@unreel/core';
import type { RequestScope, RequestScopes } from '../di/request-scopes.js';
import { DeliveryTurns } from './delivery-turns.js';
import { eventExecutor } from './event-executor.js';
import { ExecutionPacer } from './execution-pacer.js';
import type { SocketWriter } from './socket-writer.js';

/**
 * Full pages of serialised payloads a group keeps for subscribers that come later or lag behind: with the engine's
 * 500-event pages, a few hundred KB each. A subscriber further behind has its page read and executed again.
 */
const CACHED_PAGES = 8;

/** Milliseconds of frame writing per turn of the event loop, for all subscribers together (see DeliveryTurns). */
const SLICE_MS = 4;

/** Milliseconds a page's execution runs before the event loop takes a turn (see ExecutionPacer). */
const EXECUTE_SLICE_MS = 4;

/** Where one subscription's frames go: its socket's writer, under its graphql-ws id. */
export interface ProgressTarget {
  readonly writer: SocketWriter;
  readonly id: string;
}

export interface ProgressFanoutOptions {
  engine: DeletionEngine;
  scopes: RequestScopes;
  /** What graphql-ws's onNext does to a result (its errors formatted as over HTTP). */
  formatResult: (result: ExecutionResult) => ExecutionResult | FormattedExecutionResult;
}

interface Group {
  readonly feed: ProgressFeed<Buffer>;
  readonly scope: RequestScope;
  members: number;
}

/**
 * deletionProgress for many subscribers: subscribers of one operation that asked for the same selection (the same
 * document and variables, whatever their `after`) form a group, and a group executes and serialises each event once,
 * in a request scope of its own (the tenant's; the subscriber who opened it may leave first), then hands the same
 * JSON to every member's socket. Each member keeps its own cursor in the group's ProgressFeed, so it still gets
 * exactly the events after its own `after`, gapless, once; authorisation stays where it was (the resolver's
 * `subscribe`, per subscriber, made the ProgressStream this starts from, with the subscriber's tenant in it).
 */
export class ProgressFanout {
  private readonly groups = new Map<string, Group>();
  private readonly turns = new DeliveryTurns(SLICE_MS);

  constructor(private readonly options: ProgressFanoutOptions) {}

  /**
   * Starts delivering `stream`'s events to `target` and returns what graphql-ws iterates: it yields nothing (frames
   * go straight to the socket's writer, which graphql-ws's own messages share, so its `complete` comes after the last
   * frame) and ends when delivery does; graphql-ws's `return()` (the client's complete, the socket's close) stops it.
   */
  deliver(stream: ProgressStream, args: ExecutionArgs, target: ProgressTarget): AsyncIterable<ExecutionResult> {
    const key = `${stream.tenant}\u001f${stream.operationId}\u001f${selectionKey(args)}`;
    const group = this.join(key, stream, args);
    const controller = new AbortController();
    const delivery = follow(group.feed, stream.after, target, this.turns, controller.signal).finally(() =>
      this.leave(key, group),
    );
    // Rejections reach graphql-ws through next(); this only keeps an unread one from being reported as unhandled.
    delivery.catch(() => {});
    const done = { value: undefined, done: true } as const;
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: async () => {
        await delivery;
        return done;
      },
      // Not an async generator on purpose: one suspended in an await cannot be ended by return() until it wakes.
      return: async () => {
        controller.abort();
        await delivery.catch(() => {});
        return done;
      },
    } as AsyncIterableIterator<ExecutionResult>;
  }

  private join(key: string, stream: ProgressStream, args: ExecutionArgs): Group {
    let group = this.groups.get(key);
    if (!group) {
      const { engine, scopes, formatResult } = this.options;
      const scope = scopes.open(stream.tenant, `progress/${stream.operationId}`);
      const run = eventExecutor({ ...args, contextValue: scope.context });
      const feed = engine.progressFeed<Buffer>(stream.tenant, stream.operationId, {
        cachedPages: CACHED_PAGES,
        transform: async (events) => {
          const payloads: Buffer[] = [];
          const pacer = new ExecutionPacer(EXECUTE_SLICE_MS);
          // As graphql's own subscribe does per event: the subscription document executed with the event as root.
          for (const event of events) {
            // A page of 500 executions is tens of milliseconds on a busy machine: other requests go in between.
            await pacer.pace();
            payloads.push(Buffer.from(JSON.stringify(formatResult(await run(event)))));
          }
          return payloads;
        },
      });
      group = { feed, scope, members: 0 };
      this.groups.set(key, group);
    }
    group.members += 1;
    return group;
  }

  private async leave(key: string, group: Group): Promise<void> {
    group.members -= 1;
    if (group.members > 0) return;
    this.groups.delete(key);
    group.feed.close();
    await group.scope.dispose();
  }
}

/** One subscriber's delivery: a page at a time from its cursor, as fast as its socket takes them. */
async function follow(
  feed: ProgressFeed<Buffer>,
  after: number,
  { writer, id }: ProgressTarget,
  turns: DeliveryTurns,
  signal: AbortSignal,
): Promise<void> {
  // graphql-ws's `next` message, with the shared payload spliced in instead of serialised again for each socket.
  const prefix = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
  let cursor = after;
  for (;;) {
    // Without waiting where nothing needs to be waited for (see ProgressFeed.peek): no promise, listener or closure.
    if (!writer.ready && !(await writer.writable(signal))) return;
    const read = feed.peek(cursor) ?? (await feed.read(cursor, signal));
    if ('done' in read || signal.aborted) return;
    // In a slice of a later turn of the event loop (a replay of thousands of buffered events must let other requests
    // in), as much as the socket's buffer has room for; the rest comes from the feed's cache next time.
    await turns.run(() => {
      if (!signal.aborted) cursor += writer.sendMessages(prefix, read, SUFFIX);
    });
  }
}

const SUFFIX = Buffer.from('}');

/**
 * What decides the payloads a subscriber gets besides the events: the document, the operation name and the variables,
 * except those that only give deletionProgress its operationId and after (the operation is in the group's key, and
 * the cursor is each member's own). A variable also used elsewhere stays in the key.
 */
function selectionKey({ document, operationName, variableValues }: ExecutionArgs): string {
  const cursorVariables = cursorVariableNames(document, operationName);
  const variables = Object.entries(variableValues ?? {})
    .filter(([name]) => !cursorVariables.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([document.loc?.source.body ?? print(document), operationName ?? null, variables]);
}

function cursorVariableNames(document: DocumentNode, operationName: string | null | undefined): Set<string> {
  const names = new Set<string>();
  const operation = getOperationAST(document, operationName);
  const root = operation?.selectionSet.selections;
  if (root?.length !== 1 || root[0]?.kind !== Kind.FIELD) return names;
  for (const argument of root[0].arguments ?? []) {
    if (argument.value.kind !== Kind.VARIABLE) continue;
    if (argument.name.value === 'operationId' || argument.name.value === 'after') names.add(argument.value.name.value);
  }
  const uses = new Map<string, number>();
  visit(document, {
    VariableDefinition: () => false,
    Variable: (node) => void uses.set(node.name.value, (uses.get(node.name.value) ?? 0) + 1),
  });
  for (const name of names) if ((uses.get(name) ?? 0) > 1) names.delete(name);
  return names;
}
