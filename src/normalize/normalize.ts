import type { Article, ArticleOriginal, NormalizeWarning, ParsedFeed, RawItem, ResolvedChannel } from '../core/types.ts';
import { createArticleRenderer, type ArticleRenderer } from './front-matter.ts';
import { createItemFilter } from './filter.ts';
import { createRewriter, rewriteArticle, type Rewriter } from './rewrite.ts';
import { itemKeyOf } from './item-key.ts';
import { FUTURE_SKEW_MS, parseFeedDate } from './date.ts';
import { createSanitizer, type Sanitizer } from './sanitize.ts';
import { authorName, excerpt, htmlToText, nonEmpty, oneLine, sha1Hex, str, visibleText } from './text.ts';
import { httpUrl, itemUrls } from './url.ts';
import { articleEnclosures, articleTags } from './media.ts';

/** What normalizing one item needs besides the channel. */
export interface ItemContext {
  feed: ParsedFeed;
  /** URL the feed was finally fetched from: the last resort for resolving relative URLs. */
  feedUrl: string;
  /** When refeed first saw the item (kept stable by the caller): the date of an undated item. */
  firstSeen: Date;
  now: Date;
}

/** The article, what was noticed on the way, and the file text (rendered once: the hash is of it). */
export interface NormalizedItem {
  article: Article;
  warnings: NormalizeWarning[];
  text: string;
}

/**
 * Normalizes one channel's items. Made once per channel pass: it holds the
 * channel's sanitizer (its iframe hosts), its compiled filters and the article
 * renderer's memory, so nothing is shared between channels or kept in modules.
 */
export interface ChannelNormalizer {
  /** The items this channel keeps (include/exclude, max_age, limit), in feed order. */
  filter(items: RawItem[], now: Date): RawItem[];
  /** One item as an article. Never throws; what it had to guess or drop is in `warnings`. */
  normalize(item: RawItem, ctx: ItemContext): NormalizedItem;
  /**
   * The article again with another sanitized body (full text: its page's),
   * made as any body is: the channel's rewrites applied, its original kept
   * for when they change, the head image chosen the same way.
   */
  withBody(n: NormalizedItem, body: { html: string }): NormalizedItem;
}

export function createChannelNormalizer(channel: ResolvedChannel, opts: { fallbackImage: string }): ChannelNormalizer {
  const sanitizer = createSanitizer({ allowIframeHosts: channel.settings?.allowIframeHosts ?? [] });
  const tools: Tools = {
    channel,
    // The channel's own fallback image ('' for none) over the site's.
    fallbackImage: channel.settings?.fallbackImage ?? opts.fallbackImage,
    sanitizer,
    rewriter: createRewriter(channel.settings, sanitizer),
    renderer: createArticleRenderer(),
  };
  return {
    filter: createItemFilter(channel.settings),
    normalize: (item, ctx) => normalizeItem(item, ctx, tools),
    withBody: (n, body) => withBody(n, body, tools),
  };
}

function withBody(n: NormalizedItem, body: { html: string }, tools: Tools): NormalizedItem {
  const a = n.article;
  const before = a.original ?? { title: a.title, html: a.html };
  // The new body's first image once rewritten (rewriteArticle looks), else the item's own, else the old body's
  // head image (unless that was the fallback). Never body.image: it was taken before the rewrites, and may be a tracking pixel.
  const hadNone = n.warnings.some((w) => w.code === 'no-image');
  const image = before.image ?? (hadNone ? undefined : a.headimg);
  const original: ArticleOriginal = { title: before.title, html: body.html, ...(image ? { image } : {}) };
  const rewritten = rewriteArticle(original, a.itemKey, tools.rewriter, str(tools.fallbackImage) ?? '');
  const warnings = n.warnings.filter((w) => w.code !== 'no-image');
  if (rewritten.fallback) warnings.push({ code: 'no-image' });
  const article: Article = { ...a, title: rewritten.title, html: rewritten.html, headimg: rewritten.headimg, original, contentHash: '' };
  const text = tools.renderer.render(article);
  article.contentHash = sha1Hex(text);
  return { article, warnings, text };
}

/** What a normalizer made for its channel, once. */
interface Tools {
  channel: ResolvedChannel;
  /** Template for the image of an item without one; `{n}` becomes 1..1000, fixed per item. */
  fallbackImage: string;
  sanitizer: Sanitizer;
  /** The channel's rewrites (and tracking-pixel removal), applied after sanitizing. */
  rewriter: Rewriter;
  renderer: ArticleRenderer;
}

const IMAGE_EXTENSION = /\.(?:jpe?g|png|gif|webp|avif|bmp|svg|jfif)$/i;

/** Code points of a source's own summary kept: it is a summary, not a second body. */
const MAX_SUMMARY = 500;

// Enclosures and categories are cleaned where they become the article's (media.ts).
type CleanItem = Omit<RawItem, 'categories' | 'enclosures'> & { enclosures: unknown[]; categories: unknown[] };

// Feed data is never trusted to have the declared types: anything that is
// not what RawItem says is treated as absent.
function clean(item: unknown): CleanItem {
  const it = (item !== null && typeof item === 'object' ? item : {}) as Record<string, unknown>;
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  return {
    guid: nonEmpty(it.guid),
    guidIsPermaLink: typeof it.guidIsPermaLink === 'boolean' ? it.guidIsPermaLink : undefined,
    link: nonEmpty(it.link),
    title: str(it.title),
    author: str(it.author),
    date: nonEmpty(it.date),
    updated: nonEmpty(it.updated),
    html: nonEmpty(it.html),
    summary: nonEmpty(it.summary),
    base: nonEmpty(it.base),
    enclosures: list(it.enclosures),
    images: list(it.images).flatMap((i) => nonEmpty(i) ?? []),
    categories: list(it.categories),
  };
}

function validDate(d: unknown): Date | undefined {
  return d instanceof Date && Number.isFinite(d.getTime()) ? d : undefined;
}

/** Whole seconds: the front matter's date has no finer resolution, so neither does the article. */
function toSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

function isImageEnclosure(e: { url: string; type?: string }): boolean {
  if (e.type) return /^image\//i.test(e.type);
  return IMAGE_EXTENSION.test(new URL(e.url).pathname);
}

/** When the item says it last changed: only a readable date after its own date and not in the future. */
function updatedDate(value: string | undefined, date: Date, now: Date): Date | undefined {
  const parsed = value ? parseFeedDate(value) : undefined;
  if (!parsed || parsed.getTime() > now.getTime() + FUTURE_SKEW_MS) return undefined;
  const updated = toSeconds(parsed);
  return updated.getTime() > date.getTime() ? updated : undefined;
}

/**
 * Turns one feed item into an article: sanitized body, resolved URLs, a
 * date, a head image, the channel's categories.
 */
function normalizeItem(item: RawItem, ctx: ItemContext, tools: Tools): NormalizedItem {
  const warnings: NormalizeWarning[] = [];
  const it = clean(item);
  const itemKey = itemKeyOf(item);
  const { channel } = tools;
  const { feed } = ctx;
  const now = validDate(ctx.now) ?? new Date(0);
  const firstSeen = validDate(ctx.firstSeen) ?? now;

  const { base, link: itemLink } = itemUrls({
    itemBase: it.base,
    itemLink: it.link,
    feedBase: nonEmpty(feed?.base),
    feedLink: nonEmpty(feed?.link),
    feedUrl: nonEmpty(ctx.feedUrl),
  });
  // An RSS guid is a permalink unless it says otherwise (isPermaLink="false":
  // an id that merely looks like a URL, often a tracker's); use one that looks like a URL.
  const link = itemLink ?? (it.guid && it.guidIsPermaLink !== false && /^https?:\/\//i.test(it.guid) ? httpUrl(it.guid) : undefined);
  if (!link) warnings.push({ code: 'no-link' });

  const body = tools.sanitizer.sanitize(it.html ?? it.summary ?? '', base);
  if (body.removed.length) warnings.push({ code: 'sanitized', detail: `removed ${body.removed.join(', ')}` });

  let title = oneLine(it.title ?? '');
  if (!title) {
    warnings.push({ code: 'no-title' });
    title = oneLine(excerpt(htmlToText(body.html), 60)) || link || 'Untitled';
  }

  let date: Date;
  if (!it.date) {
    warnings.push({ code: 'no-date', detail: 'dated when first seen' });
    date = firstSeen;
  } else {
    const parsed = parseFeedDate(it.date);
    if (!parsed) {
      warnings.push({ code: 'bad-date', detail: `unreadable date ${JSON.stringify(it.date)}; dated when first seen` });
      date = firstSeen;
    } else if (parsed.getTime() > now.getTime() + FUTURE_SKEW_MS) {
      // Clamped to when we first saw it (at most now): "now" itself would move
      // on every run and rewrite the file each time.
      warnings.push({ code: 'future-date', detail: `${it.date} is in the future; dated when first seen` });
      date = firstSeen.getTime() <= now.getTime() ? firstSeen : now;
    } else {
      date = parsed;
    }
  }

  const enclosures = articleEnclosures(it.enclosures, base);
  // The sanitized item before the channel's rewrites: stored, so that changed rewrites can be applied again.
  const image = enclosures.find(isImageEnclosure)?.url ?? it.images.map((i) => httpUrl(i, base)).find(Boolean);
  const original: ArticleOriginal = { title, html: body.html, ...(image ? { image } : {}) };
  const rewritten = rewriteArticle(original, itemKey, tools.rewriter, str(tools.fallbackImage) ?? '', body);
  if (rewritten.fallback) warnings.push({ code: 'no-image' });

  const sourceName = oneLine(channel.source?.name ?? '');
  const itemAuthor = it.author ? authorName(it.author) : '';
  const author = (channel.settings?.author === 'item' && itemAuthor) || sourceName || itemAuthor;

  const guid = it.guid ? oneLine(it.guid) : '';
  const categories: [string, string, string] = [oneLine(channel.group?.name ?? ''), sourceName, oneLine(channel.channel?.name ?? '')];
  const dated = toSeconds(date);
  const updated = updatedDate(it.updated, dated, now);
  // The source's summary, when the body is something else: plain text, as every output carries it.
  // Only the first MAX_SUMMARY characters are read: a feed's "summary" may be a whole second body.
  const summary = it.html && it.summary ? excerpt(oneLine(visibleText(it.summary, MAX_SUMMARY + 8)), MAX_SUMMARY) : '';
  const article: Article = {
    itemKey,
    channelKey: channel.key,
    categories,
    slugs: [channel.group?.slug ?? '', channel.source?.slug ?? '', channel.channel?.slug ?? ''],
    title: rewritten.title,
    ...(link ? { link } : {}),
    ...(guid ? { guid } : {}),
    ...(guid && it.guidIsPermaLink !== undefined ? { guidIsPermaLink: it.guidIsPermaLink } : {}),
    author,
    ...(author !== itemAuthor ? { itemAuthor } : {}),
    date: dated,
    ...(updated ? { updated } : {}),
    headimg: rewritten.headimg,
    ...(summary ? { summary } : {}),
    html: rewritten.html,
    tags: articleTags(it.categories, categories),
    enclosures,
    contentHash: '',
    original,
  };
  const text = tools.renderer.render(article);
  article.contentHash = sha1Hex(text);
  return { article, warnings, text };
}
