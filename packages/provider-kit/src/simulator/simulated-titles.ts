const TITLE_WORDS = [
  'Launch',
  'Recap',
  'Interview',
  'Tutorial',
  'Keynote',
  'Demo',
  'Trailer',
  'Webinar',
  'Vlog',
  'Teaser',
] as const;

/** The word a seeded library starts a video title with, chosen by one draw in [0, 1) of its random generator. */
export function titleWord(draw: number): string {
  return TITLE_WORDS[Math.floor(draw * TITLE_WORDS.length)] as string;
}
