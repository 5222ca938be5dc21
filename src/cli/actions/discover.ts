import type { ChannelSettings, FeedFormat, ParsedFeed } from '../../core/types.ts';
import { decodeFeedBytes, fetchBytes, findFeedLinks, parseFeed } from '../../fetch/index.ts';
import { forEachLimited } from '../../util/limiter.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { COMMON_FEED_PATHS, discoverCommand } from '../commands/discover.ts';
import { optionalConfig } from '../config-file.ts';
import { formatTable } from '../text-table.ts';
import { urlArgument, withAllowPrivate } from '../url-argument.ts';

const FORMAT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml',
  rdf: 'application/rdf+xml',
  atom: 'application/atom+xml',
  json: 'application/feed+json',
};

export interface DiscoveredFeed {
  url: string;
  /** Media type: from the parsed feed when it was checked, else as the page advertised it. */
  type: string;
  title?: string;
  /** How it was found: the URL itself, a `<link rel="alternate">`, or a common path. */
  via: 'self' | 'link' | 'probe';
  format?: FeedFormat;
  items?: number;
  /** Set when an advertised feed could not be fetched or parsed. */
  error?: string;
}

type Probe = { ok: true; finalUrl: string; feed: ParsedFeed } | { ok: false; error: string; html?: { text: string; finalUrl: string } };

/** GETs a URL and tells whether it is a feed (content sniffing by parsing, whatever the Content-Type says). */
async function probe(url: string, settings: ChannelSettings, signal: AbortSignal): Promise<Probe> {
  const res = await fetchBytes({ url, settings, signal });
  if (res.kind === 'error') return { ok: false, error: `${res.error.code}: ${res.error.message}` };
  if (res.kind !== 'ok') return { ok: false, error: `HTTP ${res.status}` };
  const { text } = decodeFeedBytes(res.body, res.contentType);
  try {
    return { ok: true, finalUrl: res.finalUrl, feed: await parseFeed(text, res.finalUrl) };
  } catch (e) {
    return { ok: false, error: (e as Error).message, html: { text, finalUrl: res.finalUrl } };
  }
}

/**
 * The feeds of a page: the URL itself if it is a feed; else the feeds its
 * HTML advertises (each fetched to confirm it and learn its format); else —
 * or with `probeAlways` — whichever common paths answer with a feed.
 */
export async function discoverFeeds(
  url: string,
  settings: ChannelSettings,
  opts: { probeAlways?: boolean; signal?: AbortSignal } = {},
): Promise<{ feeds: DiscoveredFeed[]; probed: number } | { error: string }> {
  const signal = opts.signal ?? new AbortController().signal;
  const page = await probe(url, settings, signal);
  if (page.ok) {
    const f = page.feed;
    return { feeds: [{ url: page.finalUrl, type: FORMAT_TYPES[f.format], title: f.title, via: 'self', format: f.format, items: f.items.length }], probed: 0 };
  }
  if (!page.html) return { error: page.error };

  const feeds: DiscoveredFeed[] = [];
  const links = findFeedLinks(page.html.text, page.html.finalUrl);
  const checked: (DiscoveredFeed | undefined)[] = new Array(links.length);
  await forEachLimited(links.map((l, i) => [l, i] as const), { concurrency: 3, signal }, async ([link, i]) => {
    const r = await probe(link.url, settings, signal);
    checked[i] = r.ok
      ? { url: link.url, type: FORMAT_TYPES[r.feed.format], title: link.title ?? r.feed.title, via: 'link', format: r.feed.format, items: r.feed.items.length }
      : { url: link.url, type: link.type, title: link.title, via: 'link', error: r.error };
  });
  feeds.push(...checked.filter((f): f is DiscoveredFeed => f !== undefined));

  let probed = 0;
  if (opts.probeAlways || !feeds.some((f) => !f.error)) {
    const origin = new URL(page.html.finalUrl).origin;
    const candidates = COMMON_FEED_PATHS.map((p) => new URL(p, origin).href);
    probed = candidates.length;
    const hits: (DiscoveredFeed | undefined)[] = new Array(candidates.length);
    await forEachLimited(candidates.map((c, i) => [c, i] as const), { concurrency: 3, signal }, async ([candidate, i]) => {
      const r = await probe(candidate, settings, signal);
      if (r.ok) hits[i] = { url: r.finalUrl, type: FORMAT_TYPES[r.feed.format], title: r.feed.title, via: 'probe', format: r.feed.format, items: r.feed.items.length };
    });
    // Several paths often redirect to one feed; the page's own links already listed win.
    const seen = new Set(feeds.map((f) => f.url));
    for (const h of hits) {
      if (h && !seen.has(h.url)) {
        seen.add(h.url);
        feeds.push(h);
      }
    }
  }
  return { feeds, probed };
}

const VIA = { self: 'the URL itself', link: 'link rel=alternate', probe: 'common path' } as const;

export async function run(ctx: CommandContext): Promise<number> {
  const url = urlArgument(ctx, discoverCommand);
  if (!url) return EXIT.usage;
  const loaded = await optionalConfig(ctx);
  if (!loaded) return EXIT.badConfig;
  const result = await discoverFeeds(url, withAllowPrivate(ctx, loaded.config.defaults), { probeAlways: ctx.values.probe === true, signal: ctx.signal });
  if ('error' in result) {
    ctx.err(`refeed discover: ${url}: ${result.error}`);
    return EXIT.failed;
  }
  const { feeds, probed } = result;
  const working = feeds.filter((f) => !f.error);
  if (ctx.values.json) ctx.out(JSON.stringify(feeds, null, 2));
  else if (feeds.length) {
    const withErrors = feeds.some((f) => f.error);
    ctx.out(
      formatTable(
        ['URL', 'TYPE', 'TITLE', 'FOUND BY', ...(withErrors ? ['PROBLEM'] : [])],
        feeds.map((f) => [f.url, f.format ?? f.type, f.title ?? '', VIA[f.via], ...(withErrors ? [f.error ?? ''] : [])]),
      ),
    );
  }
  if (!working.length) {
    ctx.err(`refeed discover: no working feed found at ${url}${probed ? ` (also tried ${probed} common paths)` : ''}`);
    return EXIT.failed;
  }
  if (!ctx.values.json) ctx.err(`add one with: refeed sources add --group G --source S --channel C ${working[0].url}`);
  return EXIT.ok;
}

