import { z } from 'zod';
import type { ParsedFeed, RawItem } from '../core/types.ts';
import { FeedParseError } from './errors.ts';
import { jsonImage } from './feed-image.ts';
import { unique } from './item-fields.ts';
import { byteLength, durationSeconds } from './media-values.ts';
import { textToHtml } from './text-html.ts';
import { parseFeedDate } from '../util/feed-date.ts';

// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1). Published feeds
// get types wrong in small ways (numeric ids, a tag that is an object, a
// null title); one bad field drops that field, one bad item drops that item,
// never the feed.

const str = z.string().optional().catch(undefined);
const trimmed = z
  .string()
  .transform((s) => s.trim() || undefined)
  .optional()
  .catch(undefined);

const Author = z
  .union([z.string().transform((name) => ({ name: name.trim() || undefined })), z.object({ name: trimmed })])
  .catch({ name: undefined });
const Authors = z.array(Author).optional().catch(undefined);

const Attachment = z.object({ url: z.string().trim().min(1), mime_type: trimmed, size_in_bytes: z.unknown().optional(), duration_in_seconds: z.unknown().optional() });

const Item = z.object({
  // 1.0 allowed numbers in practice; 1.1 says string. Either way an identity.
  id: z
    .union([z.string(), z.number()])
    .transform((v) => String(v).trim() || undefined)
    .optional()
    .catch(undefined),
  url: trimmed,
  external_url: trimmed,
  title: trimmed,
  content_html: str,
  content_text: str,
  summary: str,
  image: trimmed,
  banner_image: trimmed,
  date_published: trimmed,
  date_modified: trimmed,
  author: Author.optional(),
  authors: Authors,
  tags: z.array(z.unknown()).optional().catch(undefined),
  attachments: z.array(z.unknown()).optional().catch(undefined),
});

const Feed = z.object({
  version: str,
  title: trimmed,
  home_page_url: trimmed,
  feed_url: trimmed,
  hubs: z.array(z.unknown()).optional().catch(undefined),
  icon: trimmed,
  favicon: trimmed,
  author: Author.optional(),
  authors: Authors,
  items: z.array(z.unknown()),
});

/** An absolute http(s) URL, or undefined. */
function httpUrl(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  try {
    const u = new URL(v.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function parseJsonFeed(text: string): ParsedFeed {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new FeedParseError('parse', `malformed JSON: ${(err as Error).message}`);
  }
  const isObject = typeof data === 'object' && data !== null && !Array.isArray(data);
  const version = isObject ? (data as { version?: unknown }).version : undefined;
  const claimsJsonFeed = typeof version === 'string' && /jsonfeed\.org\/version\//i.test(version);
  const feed = Feed.safeParse(data);
  if (!feed.success) {
    if (claimsJsonFeed) throw new FeedParseError('parse', 'JSON Feed without an "items" array');
    throw new FeedParseError('not-a-feed', 'not a feed: this is a JSON document but not a JSON Feed (no "version" and "items")');
  }
  const f = feed.data;
  const feedAuthor = authorName(f.authors, f.author);
  const items: RawItem[] = [];
  for (const raw of f.items) {
    const parsed = Item.safeParse(raw);
    if (parsed.success) items.push(toRawItem(parsed.data, feedAuthor));
  }
  // WebSub discovery: `hubs` of type WebSub (any type, when unnamed), and feed_url as the topic.
  const hubs = [...new Set((f.hubs ?? []).filter((h) => typeof h === 'object' && h !== null && /^(websub|)$/i.test(String((h as { type?: unknown }).type ?? ''))).map((h) => httpUrl((h as { url?: unknown }).url)).filter((u): u is string => u !== undefined))];
  const self = httpUrl(f.feed_url);
  const image = jsonImage(httpUrl(f.icon), httpUrl(f.favicon));
  return {
    format: 'json',
    ...(f.title ? { title: f.title } : {}),
    ...(f.home_page_url ? { link: f.home_page_url } : {}),
    ...(hubs.length ? { hubs } : {}),
    ...(self ? { self } : {}),
    ...(image ? { image } : {}),
    items,
  };
}

function toRawItem(it: z.infer<typeof Item>, feedAuthor: string | undefined): RawItem {
  const html = nonBlank(it.content_html) ?? (nonBlank(it.content_text) ? textToHtml(it.content_text!) : undefined);
  const summary = nonBlank(it.summary);
  const author = authorName(it.authors, it.author) ?? feedAuthor;
  // An unreadable date_published gives way to date_modified, as in the XML readers.
  const date = it.date_published !== undefined && it.date_modified !== undefined && !parseFeedDate(it.date_published) ? it.date_modified : (it.date_published ?? it.date_modified);
  const updated = it.date_published ? it.date_modified : undefined;
  const link = it.url ?? it.external_url;
  const images = unique([it.image, it.banner_image]);
  const enclosures = (it.attachments ?? []).flatMap((a) => {
    const r = Attachment.safeParse(a);
    if (!r.success) return [];
    const length = byteLength(r.data.size_in_bytes);
    const duration = durationSeconds(r.data.duration_in_seconds);
    return [{ url: r.data.url, ...(r.data.mime_type ? { type: r.data.mime_type } : {}), ...(length ? { length } : {}), ...(duration ? { duration } : {}) }];
  });
  const categories = unique((it.tags ?? []).map((t) => (typeof t === 'string' ? t.trim() : undefined)));
  return {
    ...(it.id ? { guid: it.id } : {}),
    ...(link ? { link } : {}),
    ...(it.title ? { title: it.title } : {}),
    ...(author ? { author } : {}),
    ...(date ? { date } : {}),
    ...(updated ? { updated } : {}),
    ...(html ? { html } : {}),
    ...(summary && summary !== html ? { summary } : {}),
    enclosures,
    images,
    categories,
  };
}

/** 1.1 `authors` wins over 1.0 `author`. */
function authorName(authors: z.infer<typeof Authors>, author: z.infer<typeof Author> | undefined): string | undefined {
  const names = unique((authors ?? []).map((a) => a.name));
  if (names.length) return names.join(', ');
  return author?.name;
}

function nonBlank(s: string | undefined): string | undefined {
  return s !== undefined && s.trim() !== '' ? s : undefined;
}
