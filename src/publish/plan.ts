import { createHash } from 'node:crypto';
import type { RefeedConfig, SiteConfig } from '../core/types.ts';

export type FeedLevel = 'site' | 'group' | 'source' | 'channel';

/** One published feed: where it goes, what it is called, which channels it holds. */
export interface FeedSpec {
  /** StateDb feed key: '' (merged), 'g', 'g/s', 'g/s/c'. */
  key: string;
  level: FeedLevel;
  /** Folder relative to the output folder and to site.url: '', 'g/', 'g/s/', 'g/s/c/'. */
  dir: string;
  /** Display names of the category path: [], [group], [group, source], [group, source, channel]. */
  names: string[];
  title: string;
  description: string;
  /** Items in the feed. */
  limit: number;
  /** Keys of the configured channels whose articles it holds, sorted. */
  channelKeys: string[];
}

export const FEED_FILES = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' } as const;
export type FeedFormat = keyof typeof FEED_FILES;
export const INDEX_FILES = { opml: 'index.opml', categories: 'categories.opml', html: 'index.html' } as const;

const FEED_NAMES = new Set<string>(Object.values(FEED_FILES));
const INDEX_NAMES = new Set<string>(Object.values(INDEX_FILES));

/**
 * Whether a path below the output folder (as segments) is one the publisher
 * writes: the index files at the top, a feed file at the top or up to three
 * category folders down, an article file in articles/<group>/<source>/. A
 * server that serves only these never serves anything else that ended up in
 * the folder (a config, a database, an editor's backup).
 */
export function isPublishedPath(segments: readonly string[]): boolean {
  const name = segments[segments.length - 1];
  if (name === undefined) return true; // the folder itself: its index.html
  if (segments[0] === 'articles') return segments.length === 4 && name.endsWith('.md');
  if (segments.length === 1 && INDEX_NAMES.has(name)) return true;
  return segments.length <= 4 && FEED_NAMES.has(name);
}

/**
 * Bumped whenever the publisher's output format changes, so that an upgrade
 * rebuilds every feed once instead of leaving old-format files in place.
 */
export const PUBLISH_FORMAT_VERSION = 7;

function spec(site: SiteConfig, level: FeedLevel, slugs: string[], names: string[], limit: number, channelKeys: string[]): FeedSpec {
  const path = names.join(' / ');
  return {
    key: slugs.join('/'),
    level,
    dir: slugs.map((s) => `${s}/`).join(''),
    names,
    title: names.length ? `${site.title} · ${path}` : site.title,
    description: names.length ? `${path} — ${site.description}` : site.description,
    limit,
    channelKeys: [...channelKeys].sort(),
  };
}

/**
 * Every feed the configuration publishes, in a stable order: the merged feed,
 * then each group followed by its sources, each followed by its channels.
 */
export function planFeeds(config: RefeedConfig): FeedSpec[] {
  const site = config.site;
  const out: FeedSpec[] = [spec(site, 'site', [], [], site.limit, config.groups.flatMap((g) => g.sources.flatMap((s) => s.channels.map((c) => c.key))))];
  for (const g of config.groups) {
    out.push(spec(site, 'group', [g.slug], [g.name], g.settings.limit, g.sources.flatMap((s) => s.channels.map((c) => c.key))));
    for (const s of g.sources) {
      out.push(spec(site, 'source', [g.slug, s.slug], [g.name, s.name], s.settings.limit, s.channels.map((c) => c.key)));
      for (const c of s.channels) {
        out.push(spec(site, 'channel', [g.slug, s.slug, c.channel.slug], [g.name, s.name, c.channel.name], c.settings.limit, [c.key]));
      }
    }
  }
  return out;
}

/** Absolute URLs of a feed's files and of the page that presents it. */
export function feedUrls(site: SiteConfig, spec: FeedSpec): Record<FeedFormat, string> & { html: string } {
  const base = new URL(spec.dir, site.url).href;
  return {
    rss: new URL(FEED_FILES.rss, base).href,
    atom: new URL(FEED_FILES.atom, base).href,
    json: new URL(FEED_FILES.json, base).href,
    // The index page has one anchor per category.
    html: spec.key ? `${site.url}#${anchorOf(spec)}` : site.url,
  };
}

/** The id of a category's section in index.html. */
export function anchorOf(spec: Pick<FeedSpec, 'key'>): string {
  return spec.key ? `feed-${spec.key.replaceAll('/', '--')}` : 'feed-all';
}

/**
 * Hash of everything from the configuration that shapes a feed's files.
 * A change (new channel, renamed title, new limit, other site URL) makes the
 * feed rebuild even when no article changed.
 */
export function specHash(site: SiteConfig, spec: FeedSpec): string {
  const inputs = {
    v: PUBLISH_FORMAT_VERSION,
    site: { title: site.title, description: site.description, url: site.url, language: site.language, icon: site.icon, hubs: site.websubHubs.length ? site.websubHubs : undefined },
    spec,
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}
