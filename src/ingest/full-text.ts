// Full text per channel (`full_text:`): each new item's body is replaced by
// the article its page holds. Pages are fetched here, under the channel's
// fetch policy and at most PAGES_PER_HOST at a time per host; they are read on
// worker threads (full-text-pool.ts); the result, or the failure, is kept per
// link in the store, so a page is fetched once. A failed page is tried again
// at a later fetch, no sooner than RETRY_AFTER_MS after the last attempt and
// at most MAX_ATTEMPTS times in all; until then, and for good after that, the
// item keeps the feed's own content and the channel a `full-text` warning.
import type { Logger } from '../core/log.ts';
import type { ChannelSettings, ResolvedChannel } from '../core/types.ts';
import { fetchPage, pageSettings, type FetchAgents } from '../fetch/index.ts';
import { createChannelNormalizer, type ChannelNormalizer, type NormalizedItem } from '../normalize/index.ts';
import { excerpt, htmlToText, oneLine, } from '../normalize/text.ts';
import type { FullTextEntry, KnownItem, Store } from '../store/index.ts';
import { hostOf } from '../util/host.ts';
import { Limiter } from '../util/limiter.ts';
import type { FullTextPool } from './full-text-pool.ts';
import type { Candidate } from './prepare.ts';

/** Page requests at once to one host (site.per_host_concurrency when lower). */
export const PAGES_PER_HOST = 2;
/** A failed page is not tried again sooner than this after its last attempt. */
export const RETRY_AFTER_MS = 60 * 60 * 1000;
/** Attempts at a page, the first included: after this many failures the item keeps the feed's content. */
export const MAX_ATTEMPTS = 3;
/** Characters of the feed's teaser kept as the summary of an article whose body became its page's. */
const MAX_SUMMARY = 500;

/** How a channel extracts: `readability`, or its CSS selector; undefined when it does not. */
export function fullTextMode(settings: Pick<ChannelSettings, 'fullText'>): string | undefined {
  return settings.fullText === true ? 'readability' : settings.fullText;
}

/** The page limiter of a run: per host as the feeds are, never more than PAGES_PER_HOST. */
export function pageLimiter(site: { concurrency: number; perHostConcurrency: number }): Limiter {
  return new Limiter({ concurrency: site.concurrency, perKey: Math.min(PAGES_PER_HOST, site.perHostConcurrency) });
}

/** What extracting a page (fetch, read, sanitize) gave: the entry to store, without its time and attempt count. */
export type PageResult = { link: string; html: string; image?: string } | { link: string; error: string };

export interface PageRequest {
  link: string;
  channel: ResolvedChannel;
  pool: FullTextPool;
  pages: Limiter;
  agents?: FetchAgents;
  signal?: AbortSignal;
}

/** Fetches an item's page (bounded per host) and reads its article on a worker. Never throws. */
export async function extractPage(req: PageRequest): Promise<PageResult> {
  const { link, channel } = req;
  const mode = fullTextMode(channel.settings);
  let page;
  try {
    page = await req.pages.run(hostOf(link), () => fetchPage({ url: link, settings: pageSettings(channel.settings, channel.url, link), signal: req.signal, agents: req.agents }));
  } catch (err) {
    return { link, error: `not fetched: ${(err as Error)?.message ?? String(err)}` };
  }
  if (page.kind === 'error') return { link, error: `${page.error.code}: ${page.error.message}` };
  const out = await req.pool.extract({
    body: page.body,
    ...(page.contentType ? { contentType: page.contentType } : {}),
    url: page.finalUrl,
    ...(mode !== undefined && mode !== 'readability' ? { selector: mode } : {}),
    allowIframeHosts: channel.settings.allowIframeHosts,
  });
  return out.kind === 'ok' ? { link, html: out.html, ...(out.image ? { image: out.image } : {}) } : { link, error: out.reason };
}

/** Whether a link's page is to be fetched now: never tried (for a new item), or failed and due for another attempt. */
function due(entry: FullTextEntry | undefined, isNew: boolean, now: number): boolean {
  if (!entry) return isNew;
  if (entry.html !== undefined) return false;
  return entry.failures < MAX_ATTEMPTS && now - entry.at >= RETRY_AFTER_MS;
}

/**
 * The article of a candidate whose body is its page's, made by the channel's
 * normalizer (rewrites apply to it as to any body); the feed's teaser becomes
 * its summary (unless the feed had one).
 */
export function withFullText(n: NormalizedItem, full: { html: string; image?: string }, normalizer: ChannelNormalizer): NormalizedItem {
  const a = n.article;
  const teaser = a.summary ?? excerpt(oneLine(htmlToText(a.html)), MAX_SUMMARY);
  const withTeaser = teaser && !a.summary ? { ...n, article: { ...a, summary: teaser } } : n;
  return normalizer.withBody(withTeaser, full);
}

export interface FullTextPass {
  candidates: Candidate[];
  /** Pages fetched in this pass. */
  fetched: number;
  /** Of those, the ones that gave no article. */
  failedPages?: number;
  /** The `full-text` warning, when some candidate's page gave no article. */
  warning?: string;
}

export interface FullTextOptions {
  store: Store;
  channel: ResolvedChannel;
  now: number;
  pool: FullTextPool;
  pages: Limiter;
  agents?: FetchAgents;
  signal?: AbortSignal;
  log: Logger;
  /** site.fallback_image: the head image of an article with none, unless the channel has its own. */
  fallbackImage: string;
}

/**
 * The channel's candidates with their pages' articles as bodies: new items'
 * pages fetched and read (once: the store keeps each result by link), known
 * items given the article stored for them, so their content stays what was
 * stored. Items without a link, or whose page failed, keep the feed's content.
 */
export async function applyFullText(candidates: Candidate[], known: ReadonlyMap<string, KnownItem>, o: FullTextOptions): Promise<FullTextPass> {
  const mode = fullTextMode(o.channel.settings);
  if (mode === undefined) return { candidates, fetched: 0 };
  const isNew = new Map<string, boolean>();
  for (const c of candidates) if (c.article.link) isNew.set(c.article.link, (isNew.get(c.article.link) ?? false) || !known.has(c.itemKey));
  const links = [...isNew.keys()];
  if (!links.length) return { candidates, fetched: 0 };
  const entries = await o.store.fullTextEntries(links);
  const toFetch = links.filter((l) => due(entries.get(l), isNew.get(l)!, o.now));
  const results = await Promise.all(toFetch.map((link) => extractPage({ link, channel: o.channel, pool: o.pool, pages: o.pages, agents: o.agents, signal: o.signal })));
  // A run being stopped is not the page's fault: nothing is recorded for pages cut short by it.
  const saved: FullTextEntry[] = (o.signal?.aborted ? [] : results).map((r) => {
    const before = entries.get(r.link);
    return 'html' in r
      ? { link: r.link, mode, html: r.html, ...(r.image ? { image: r.image } : {}), failures: 0, at: o.now }
      : { link: r.link, mode, error: r.error, failures: (before?.failures ?? 0) + 1, at: o.now };
  });
  if (saved.length) await o.store.saveFullText(saved);
  for (const e of saved) entries.set(e.link, e);
  for (const e of saved) {
    if (e.error) o.log.warn({ link: e.link, code: 'full-text', attempt: e.failures }, `full text: ${e.error}; the item keeps the feed's content`);
  }

  const normalizer = createChannelNormalizer(o.channel, { fallbackImage: o.fallbackImage });
  const failed: FullTextEntry[] = [];
  // New items whose page a stop cut short are left for the next run (stored now, they would keep the teaser for good).
  const cut = new Set(o.signal?.aborted ? toFetch : []);
  const out = candidates.filter((c) => !(c.article.link && cut.has(c.article.link) && !known.has(c.itemKey))).map((c) => {
    const entry = c.article.link ? entries.get(c.article.link) : undefined;
    // Never fetched for a stored item: its stored content may be a full text this state no longer has (reindex); it stays.
    if (!entry) return c.article.link && known.has(c.itemKey) ? { ...c, keepStored: true } : c;
    if (entry.html === undefined) {
      failed.push(entry);
      return c;
    }
    const full = { html: entry.html, ...(entry.image ? { image: entry.image } : {}) };
    return { ...withFullText(c, full, normalizer), itemKey: c.itemKey, fullText: full, ...(c.raw ? { raw: c.raw } : {}) };
  });
  const failedPages = saved.filter((e) => e.error !== undefined).length;
  return { candidates: out, fetched: toFetch.length, ...(failedPages ? { failedPages } : {}), ...(failed.length ? { warning: fullTextWarning(failed, candidates.length) } : {}) };
}

/** The channel's `full-text` warning (`refeed status`): how many items keep the feed's content, and why the first does. */
function fullTextWarning(failed: FullTextEntry[], items: number): string {
  const first = failed[0];
  const retry = first.failures >= MAX_ATTEMPTS ? `given up after ${MAX_ATTEMPTS} attempts` : 'tried again at a later fetch';
  return `full-text: ${failed.length} of ${items} items keep the feed's content, their page gave no article (first: ${first.link}: ${first.error}; ${retry})`;
}
