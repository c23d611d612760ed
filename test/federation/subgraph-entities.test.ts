import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeleteVideosDocument } from '@unreel/client';
import type { UnreelServer } from '@unreel/server';
import { data, post } from '../support/graphql-http.js';
import {
  BATCHED,
  BATCHED_LOOKUP_SIZE,
  SINGLE,
  callCount,
  lookupsSince,
  readyVideoIds,
  sandboxOf,
  startFederatedUnreel,
} from './federated-unreel.js';

const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on Video {
        id
        account
        provider
        nativeId
        title
        status
        deletion {
          status
          operationId
        }
      }
      ... on DeletionResult {
        id
        operationStatus: status
        total
        deleted
        pending
      }
    }
  }
`;

interface EntitiesData {
  _entities: ({
    __typename: string;
    id: string;
    status: string;
    nativeId?: string;
    deletion?: { status: string } | null;
  } | null)[];
}

let unreel: UnreelServer;

beforeAll(async () => {
  unreel = await startFederatedUnreel();
});
afterAll(() => unreel.close());

const video = (id: unknown) => ({ __typename: 'Video', id });

describe('unreel as a Federation 2 subgraph', () => {
  it('answers _service { sdl } with the committed schema/subgraph.graphql: entities keyed by id, federation linked', async () => {
    const response = await post<{ _service: { sdl: string } }, Record<string, never>>(
      unreel.url,
      '{ _service { sdl } }',
    );
    const sdl = response.data?._service.sdl ?? '';
    expect(`${sdl}\n`).toBe(readFileSync(new URL('../../schema/subgraph.graphql', import.meta.url), 'utf8'));
    expect(sdl).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.(\d+)"/);
    expect(Number(/federation\/v2\.(\d+)/.exec(sdl)?.[1])).toBeGreaterThanOrEqual(5);
    expect(sdl).toMatch(/type Video\s+@key\(fields: "id"\)/);
    expect(sdl).toMatch(/type DeletionResult\s+@key\(fields: "id"\)/);
    expect(sdl).toMatch(/type Subscription \{/);
  });

  it('resolves Video references in the order asked, null for unknown, foreign and malformed ids, without errors', async () => {
    const [first, second] = readyVideoIds(BATCHED, 2);
    const [one] = readyVideoIds(SINGLE, 1);
    const representations = [
      video(second),
      video(`${BATCHED}:no-such-video`),
      video('another-team:abc123'),
      video('not an unreel id'),
      video(42),
      video(one),
      video(first),
    ];
    const response = await post<EntitiesData, { representations: unknown[] }>(unreel.url, ENTITIES, {
      representations,
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities.map((entity) => entity?.id ?? null)).toEqual([
      second,
      null,
      null,
      null,
      null,
      one,
      first,
    ]);
    expect(response.data?._entities[0]).toMatchObject({
      __typename: 'Video',
      account: BATCHED,
      provider: 'sandbox',
      status: 'READY',
      deletion: null,
    });
  });

  it(`turns 100 references of one account into ceil(100 / ${BATCHED_LOOKUP_SIZE}) lookups and one journal read`, async () => {
    // Every video of the account in reverse, plus repeats: order is the caller's, repeats cost nothing.
    const ids = sandboxOf(BATCHED)
      .order.slice(0, 100)
      .map((id) => `${BATCHED}:${id}`)
      .reverse();
    const representations = [...ids, ...ids.slice(0, 10)].map(video);
    const journalReads = vi.spyOn(unreel.engine, 'latestDeletions');
    const before = callCount(BATCHED);
    try {
      const response = await post<EntitiesData, { representations: unknown[] }>(unreel.url, ENTITIES, {
        representations,
      });
      expect(response.errors).toBeUndefined();
      expect(response.data?._entities.map((entity) => entity?.id)).toEqual([...ids, ...ids.slice(0, 10)]);
      const lookups = lookupsSince(BATCHED, before);
      expect(lookups).toHaveLength(Math.ceil(100 / BATCHED_LOOKUP_SIZE));
      expect(lookups.every((call) => call.ids.length <= BATCHED_LOOKUP_SIZE)).toBe(true);
      expect(new Set(lookups.flatMap((call) => call.ids))).toEqual(
        new Set(ids.map((id) => id.slice(BATCHED.length + 1))),
      );
      expect(journalReads).toHaveBeenCalledTimes(1);
      expect(journalReads.mock.calls[0]?.[1]).toHaveLength(100);
    } finally {
      journalReads.mockRestore();
    }
  });

  it('looks ids up one per call where the provider takes one, and batches each account on its own in one request', async () => {
    const single = sandboxOf(SINGLE)
      .order.slice(0, 7)
      .map((id) => `${SINGLE}:${id}`);
    const batched = sandboxOf(BATCHED)
      .order.slice(100, 130)
      .map((id) => `${BATCHED}:${id}`);
    const mixed = single.flatMap((id, index) => [id, ...batched.slice(index * 5, index * 5 + 5)]);
    const beforeSingle = callCount(SINGLE);
    const beforeBatched = callCount(BATCHED);
    const response = await post<EntitiesData, { representations: unknown[] }>(unreel.url, ENTITIES, {
      representations: mixed.map(video),
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities.map((entity) => entity?.id)).toEqual(mixed);
    expect(lookupsSince(SINGLE, beforeSingle).map((call) => call.ids.length)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(
      lookupsSince(BATCHED, beforeBatched)
        .map((call) => call.ids.length)
        .sort(),
    ).toEqual([10, 20]);
  });

  it('resolves DeletionResult references from the journal, and Video.deletion once a video is deleted', async () => {
    const ids = readyVideoIds(BATCHED, 2, 10);
    const result = await data(unreel.url, DeleteVideosDocument, { input: { ids, operationId: 'entity-op' } });
    expect(result.deleteVideos).toMatchObject({ id: 'entity-op', status: 'SUCCEEDED', deleted: 2 });
    const representations = [
      { __typename: 'DeletionResult', id: 'entity-op' },
      { __typename: 'DeletionResult', id: 'no-such-op' },
      video(ids[0]),
    ];
    const response = await post<EntitiesData, { representations: unknown[] }>(unreel.url, ENTITIES, {
      representations,
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities).toEqual([
      { __typename: 'DeletionResult', id: 'entity-op', operationStatus: 'SUCCEEDED', total: 2, deleted: 2, pending: 0 },
      null,
      expect.objectContaining({
        __typename: 'Video',
        id: ids[0],
        status: 'DELETED',
        deletion: { status: 'DELETED', operationId: 'entity-op' },
      }),
    ]);
  });
});
