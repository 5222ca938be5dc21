// Words people write for a config key from other feed tools (OPML's xmlUrl,
// Miniflux's feed_url, an RSS item's link, a scheduler's interval): too far from
// the key by spelling for edit distance to suggest it. Each names the keys it
// may stand for; the one the mapping at hand allows is suggested.

const SYNONYMS: Record<string, readonly string[]> = {
  link: ['url'],
  href: ['url'],
  feed: ['url'],
  feed_url: ['url'],
  feedurl: ['url'],
  xmlurl: ['url'],
  uri: ['url'],
  rss: ['url'],
  src: ['url'],
  title: ['name'],
  label: ['name'],
  interval: ['schedule'],
  cron: ['schedule'],
  every: ['schedule'],
  frequency: ['schedule'],
  refresh: ['schedule'],
  period: ['schedule'],
  max_items: ['limit'],
  items: ['limit'],
  count: ['limit'],
  enable: ['enabled'],
  active: ['enabled'],
  // `rules` where the level has it (issue 21), else the older include.
  filter: ['rules', 'include'],
  filters: ['rules', 'include'],
  readability: ['full_text'],
  full_content: ['full_text'],
  fulltext: ['full_text'],
  feeds: ['channels'],
  categories: ['groups'],
  folders: ['groups'],
};

/** The key among `known` that `word` is a common other name for, if any. */
export function synonymOf(word: string, known: readonly string[]): string | undefined {
  return SYNONYMS[word.toLowerCase()]?.find((k) => known.includes(k));
}
