import { z } from 'zod';

/**
 * The parts of api.video's wire format the plugin reads (OAS `video`, `video-status`, `videos-list-response`,
 * `access-token`), as schemas every answer is checked against (provider-kit's `schema` option): an answer that does not
 * fit is INVALID_RESPONSE, never a guess. Fields the plugin does not read are let through unchecked.
 */
export const apiVideoVideoSchema = z.looseObject({
  videoId: z.string().min(1),
  title: z.string().nullish(),
  createdAt: z.string().nullish(),
  discarded: z.boolean().optional(),
  discardedAt: z.string().nullish(),
  deletesAt: z.string().nullish(),
});
export type ApiVideoVideo = z.output<typeof apiVideoVideoSchema>;

/** Open enums stay strings: a value api.video adds later must not fail a lookup. */
export const apiVideoStatusSchema = z.looseObject({
  ingest: z.looseObject({ status: z.string().nullish() }).nullish(),
  encoding: z
    .looseObject({
      playable: z.boolean().nullish(),
      qualities: z.array(z.looseObject({ quality: z.string().optional(), status: z.string().optional() })).nullish(),
    })
    .nullish(),
});
export type ApiVideoStatus = z.output<typeof apiVideoStatusSchema>;

export const apiVideoListSchema = z.looseObject({
  data: z.array(apiVideoVideoSchema),
  pagination: z.looseObject({ itemsTotal: z.number().int().nonnegative() }),
});

export const apiVideoAccessTokenSchema = z.looseObject({
  token_type: z.string().optional(),
  expires_in: z.number(),
  access_token: z.string().min(1),
  refresh_token: z.string(),
});

/** Every error body: problem details, some with `detail` and `problems`. */
export interface ApiVideoProblem {
  type?: string;
  title?: string;
  name?: string;
  status?: number;
  detail?: string;
  problems?: { title?: string; name?: string }[];
}
