import type { LibraryVideo } from './api-video-library.js';
import * as problems from './api-video-problems.js';
import { videoJson } from './api-video-wire.js';

const SORT_FIELDS = ['title', 'createdAt', 'publishedAt', 'updatedAt'] as const;
const FILTERS = new Set([
  'title',
  'tags[]',
  'description',
  'liveStreamId',
  'sortBy',
  'sortOrder',
  'currentPage',
  'pageSize',
]);

/**
 * `GET /videos` and `GET /discarded/videos`: the documented filters, sorting, and page-number pagination with the
 * documented `pagination` object (self, first and last links always; previous and next when they exist).
 */
export function listVideos(
  videos: readonly LibraryVideo[],
  query: URLSearchParams,
  collectionUrl: string,
): { page: Record<string, unknown> } | { problem: problems.Problem } {
  for (const name of query.keys()) {
    if (!FILTERS.has(name) && !/^metadata\[[^\]]+\]$/.test(name)) {
      return { problem: problems.invalidQueryParameter(name, 'This field was not expected.') };
    }
  }
  const currentPage = integerParam(query, 'currentPage', 1, { min: 1 });
  if (typeof currentPage !== 'number') return currentPage;
  const pageSize = integerParam(query, 'pageSize', 25, { min: 1, max: 100 });
  if (typeof pageSize !== 'number') return pageSize;
  const sortBy = query.get('sortBy');
  if (sortBy !== null && !(SORT_FIELDS as readonly string[]).includes(sortBy)) {
    return {
      problem: problems.invalidQueryParameter('sortBy', `The value must be one of: ${SORT_FIELDS.join(', ')}.`),
    };
  }
  const sortOrder = query.get('sortOrder');
  if (sortOrder !== null && sortOrder !== 'asc' && sortOrder !== 'desc') {
    return { problem: problems.invalidQueryParameter('sortOrder', 'The value must be one of: asc, desc.') };
  }

  const matches = matcherFor(query);
  const matching = sorted(
    matches ? videos.filter(matches) : [...videos],
    sortBy as (typeof SORT_FIELDS)[number] | null,
    sortOrder ?? 'asc',
  );
  const itemsTotal = matching.length;
  const pagesTotal = Math.max(1, Math.ceil(itemsTotal / pageSize));
  const data = matching.slice((currentPage - 1) * pageSize, currentPage * pageSize);
  const link = (rel: string, page: number) => {
    const params = new URLSearchParams({ currentPage: String(page) });
    if (query.has('pageSize')) params.set('pageSize', String(pageSize));
    return { rel, uri: `${collectionUrl}?${params.toString()}` };
  };
  const links = [link('self', currentPage), link('first', 1)];
  if (currentPage > 1) links.push(link('previous', Math.min(currentPage - 1, pagesTotal)));
  if (currentPage < pagesTotal) links.push(link('next', currentPage + 1));
  links.push(link('last', pagesTotal));
  return {
    page: {
      data: data.map(videoJson),
      pagination: { currentPage, pageSize, pagesTotal, itemsTotal, currentPageItems: data.length, links },
    },
  };
}

function integerParam(
  query: URLSearchParams,
  name: string,
  fallback: number,
  range: { min: number; max?: number },
): number | { problem: problems.Problem } {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^-?\d+$/.test(raw))
    return { problem: problems.invalidQueryParameter(name, 'This value should be of type int.') };
  const value = Number(raw);
  if (value < range.min || (range.max !== undefined && value > range.max))
    return { problem: problems.outOfRange(name, range) };
  return value;
}

/**
 * The query's filters as one predicate, read from the query once rather than once per video (a 20,000-video library
 * is listed page after page); undefined when nothing filters.
 */
function matcherFor(query: URLSearchParams): ((video: LibraryVideo) => boolean) | undefined {
  const title = query.get('title');
  const description = query.get('description');
  // No simulated video was recorded from a live stream.
  const liveStream = query.has('liveStreamId');
  const tags = query.getAll('tags[]');
  const metadata: [string, string][] = [];
  for (const [name, value] of query) {
    const key = /^metadata\[([^\]]+)\]$/.exec(name)?.[1];
    if (key !== undefined) metadata.push([key, value]);
  }
  if (title === null && description === null && !liveStream && tags.length === 0 && metadata.length === 0)
    return undefined;
  return (video) =>
    !liveStream &&
    (title === null || video.title.includes(title)) &&
    (description === null || video.description.includes(description)) &&
    tags.every((tag) => video.tags.includes(tag)) &&
    metadata.every(([key, value]) => video.metadata.some((entry) => entry.key === key && entry.value === value));
}

function sorted(videos: LibraryVideo[], sortBy: (typeof SORT_FIELDS)[number] | null, order: string): LibraryVideo[] {
  // Without sortBy the collection keeps its creation order.
  if (sortBy === null) return order === 'desc' ? videos.reverse() : videos;
  const direction = order === 'desc' ? -1 : 1;
  return videos.sort((a, b) => {
    const left = a[sortBy];
    const right = b[sortBy];
    return (
      (typeof left === 'string' ? left.localeCompare(right as string) : (left as number) - (right as number)) *
      direction
    );
  });
}
