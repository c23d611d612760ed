import { print, type DocumentNode } from 'graphql';
import type { Client } from 'graphql-ws';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { GraphQLResponse } from './graphql-http.js';
import { wsClient } from './graphql-ws.js';

/**
 * Every GraphQL answer a test received, over HTTP and graphql-ws, kept as text: a test can then assert what must never
 * appear in any of them (a credential, a signature), errors and per-item messages included.
 */
export class GraphQLTranscript {
  private readonly answers: string[] = [];

  /** How many answers were kept: HTTP bodies plus WebSocket messages. */
  get size(): number {
    return this.answers.length;
  }

  /** A real HTTP POST, as graphql-http's `post` sends it, keeping the body exactly as the server wrote it. */
  async post<T, V>(
    url: string,
    document: TypedDocumentNode<T, V> | DocumentNode,
    variables?: V,
  ): Promise<GraphQLResponse<T>> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: print(document), variables }),
    });
    const body = await response.text();
    this.answers.push(body);
    return { status: response.status, ...(JSON.parse(body) as Omit<GraphQLResponse<T>, 'status'>) };
  }

  /** The data, or a thrown error with the GraphQL errors in its message. */
  async data<T, V>(url: string, document: TypedDocumentNode<T, V>, variables?: V): Promise<T> {
    const response = await this.post(url, document, variables);
    if (response.errors?.length || !response.data)
      throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
    return response.data;
  }

  /** A graphql-ws client like graphql-ws.ts makes, whose every server message (next, error, complete) is kept. */
  wsClient(wsUrl: string): Client {
    const client = wsClient(wsUrl);
    client.on('message', (message) => {
      this.answers.push(JSON.stringify(message));
    });
    return client;
  }

  /**
   * The labels of the needles found in any kept answer. Labels, not values, so a failing assertion does not print the
   * secret it found.
   */
  find(needles: Readonly<Record<string, string>>): string[] {
    return Object.entries(needles)
      .filter(([, needle]) => needle !== '' && this.answers.some((answer) => answer.includes(needle)))
      .map(([label]) => label);
  }
}
