/** The parts of api.video's wire format the plugin reads (OAS `video`, `video-status`, `videos-list-response`). */

export interface ApiVideoVideo {
  videoId: string;
  title?: string | null;
  createdAt?: string | null;
  discarded?: boolean;
  discardedAt?: string | null;
  deletesAt?: string | null;
}

export interface ApiVideoStatus {
  ingest?: { status?: 'uploading' | 'uploaded' | 'ingesting' | 'ingested' | null } | null;
  encoding?: {
    playable?: boolean | null;
    qualities?: { quality?: string; status?: 'waiting' | 'encoding' | 'encoded' | 'failed' }[] | null;
  } | null;
}

interface ApiVideoPagination {
  currentPage: number;
  pageSize: number;
  pagesTotal: number;
  itemsTotal: number;
  currentPageItems: number;
  links: { rel: string; uri: string }[];
}

export interface ApiVideoList {
  data: ApiVideoVideo[];
  pagination: ApiVideoPagination;
}

export interface ApiVideoAccessToken {
  token_type: string;
  expires_in: number;
  access_token: string;
  refresh_token: string;
}

/** Every error body: problem details, some with `detail` and `problems`. */
export interface ApiVideoProblem {
  type?: string;
  title?: string;
  name?: string;
  status?: number;
  detail?: string;
  problems?: { title?: string; name?: string }[];
}
