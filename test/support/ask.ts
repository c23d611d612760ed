import type { Client } from 'graphql-ws';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { post } from './graphql-http.js';
import { collect } from './graphql-ws.js';

export type Transport = 'http' | 'websocket';
export const TRANSPORTS: Transport[] = ['http', 'websocket'];

export interface Answer<T> {
  data?: T | null;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}

/** One client of one tenant, able to send any query or mutation over either transport. */
export interface Caller {
  url: string;
  headers: Record<string, string>;
  ws: Client;
}

/** The first (only) result of a query or mutation, over HTTP or over graphql-ws; errors are part of the answer. */
export async function ask<T, V extends Record<string, unknown>>(
  transport: Transport,
  caller: Caller,
  document: TypedDocumentNode<T, V>,
  variables: V,
): Promise<Answer<T>> {
  if (transport === 'http') {
    const { data, errors } = await post(caller.url, document, variables, caller.headers);
    return { ...(data === undefined ? {} : { data }), ...(errors ? { errors } : {}) };
  }
  const run = collect(caller.ws, document, variables);
  try {
    await run.done;
  } catch (error) {
    // graphql-ws reports validation errors as an `error` message: the same errors, carried differently.
    return { errors: JSON.parse((error as Error).message) as NonNullable<Answer<T>['errors']> };
  }
  const [first] = run.results;
  return {
    ...(first?.data === undefined ? {} : { data: first.data }),
    ...(first?.errors ? { errors: first.errors } : {}),
  };
}

/** What a client sees of an answer, with the names that differ between two otherwise identical requests replaced. */
export function shapeOf(answer: Answer<unknown>, ...names: string[]): string {
  let text = JSON.stringify({
    data: answer.data ?? null,
    errors: answer.errors?.map(({ message, extensions }) => ({ message, extensions })) ?? [],
  });
  for (const name of names) text = text.split(name).join('<name>');
  return text;
}
