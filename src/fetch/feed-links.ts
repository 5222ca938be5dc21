import { isHttpUrl, resolveUrl } from './url.ts';
import { DepthBoundParser } from '../util/html-parser.ts';

export interface FeedLink {
  /** Absolute URL. */
  url: string;
  title?: string;
  /** The advertised media type, e.g. `application/atom+xml`. */
  type: string;
}

const FEED_TYPES = new Set([
  'application/rss+xml',
  'application/atom+xml',
  'application/feed+json',
  'application/rdf+xml',
  'application/x-rss+xml',
  'application/x-atom+xml',
  'application/x.atom+xml',
]);

/**
 * Feeds an HTML page advertises with `<link rel="alternate" type="…">` (the
 * autodiscovery convention), resolved against `<base href>` and `baseUrl`,
 * in page order without duplicates.
 */
export function findFeedLinks(html: string, baseUrl: string): FeedLink[] {
  const found: FeedLink[] = [];
  const seen = new Set<string>();
  let base = baseUrl;
  let sawBase = false;

  // Depth-bound, so a hostile page costs linear time; <link> and <base> are void elements, never dropped.
  const parser = new DepthBoundParser(
    {
      onopentag(name, attribs) {
        if (name === 'base' && !sawBase && attribs.href) {
          // Only the first <base> counts, as in browsers.
          sawBase = true;
          base = resolve(attribs.href, baseUrl) ?? baseUrl;
          return;
        }
        if (name !== 'link') return;
        const rel = (attribs.rel ?? '').toLowerCase().split(/\s+/);
        if (!rel.includes('alternate') && !rel.includes('feed')) return;
        const type = (attribs.type ?? '').split(';')[0].trim().toLowerCase();
        const title = attribs.title?.trim() || undefined;
        if (!isFeedType(type, title, attribs.href)) return;
        const url = attribs.href ? resolve(attribs.href.trim(), base) : undefined;
        if (!url || seen.has(url)) return;
        seen.add(url);
        found.push({ url, type, ...(title ? { title } : {}) });
      },
    },
    html,
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return found;
}

/**
 * JSON Feed 1.0 pages used `application/json`, which WordPress also uses for
 * every page's REST endpoint; accept it only when it calls itself a feed.
 */
function isFeedType(type: string, title: string | undefined, href: string | undefined): boolean {
  if (FEED_TYPES.has(type)) return true;
  if (type === 'application/json') return /feed/i.test(title ?? '') || /feed\.json(\?|$)/i.test(href ?? '');
  return false;
}

function resolve(href: string, base: string): string | undefined {
  const url = resolveUrl(href, base);
  return url && isHttpUrl(url) ? url : undefined;
}
