import type { RawItem } from '../core/types.ts';
import { byteLength, durationSeconds } from './media-values.ts';
import { parseFeedDate } from '../util/feed-date.ts';
import { NS } from './namespaces.ts';
import { resolveUrl } from './url.ts';
import { attr, kids, ownText, type XElement } from './xml-tree.ts';

// Field readers the RSS, RDF and Atom item mappers share: text, people,
// links, Media RSS, enclosures, images, xml:base, and the RawItem builder.
// Feeds put anything anywhere, so each answers undefined (or nothing) when unsure.

/** Trimmed own text of the first element that has any. */
export function text(list: readonly XElement[]): string | undefined {
  for (const el of list) {
    const t = ownText(el)?.trim();
    if (t) return t;
  }
  return undefined;
}

/** A date element by namespace and local name, in an order of preference. */
export type DateElement = readonly [ns: string, local: string];

/**
 * The first date a reader can read among an item's date elements, `order`
 * giving the preference; when none is readable, the first one written (so the
 * normalizer can say which date it could not read). One pass over the item's
 * children; a date is only parsed when there is another to fall back on.
 */
export function firstDate(item: XElement, order: readonly DateElement[]): string | undefined {
  let found: { rank: number; text: string }[] | undefined;
  for (const c of item.children ?? []) {
    if (typeof c !== 'object') continue;
    const rank = order.findIndex(([ns, local]) => c.local === local && c.ns === ns);
    if (rank === -1) continue;
    const t = ownText(c)?.trim();
    if (t) (found ??= []).push({ rank, text: t });
  }
  if (!found) return undefined;
  if (found.length === 1) return found[0].text;
  found.sort((a, b) => a.rank - b.rank); // stable: document order within a rank
  return found.find((f) => parseFeedDate(f.text) !== undefined)?.text ?? found[0].text;
}

/** Names of Atom persons (<author><name>, else <email>) or plain RSS author strings, comma-joined. */
export function personNames(list: readonly XElement[]): string | undefined {
  const names = unique(list.map((n) => text(kids(n, n.ns, 'name')) ?? nonBlank(ownText(n)) ?? text(kids(n, n.ns, 'email'))));
  return names.length ? names.join(', ') : undefined;
}

interface Link {
  href?: string;
  rel: string;
  type?: string;
  length?: number;
  /** URL given as element text (RSS style) rather than an href attribute. */
  asText: boolean;
}

function links(list: readonly XElement[]): Link[] {
  return list.map((n) => {
    const href = attr(n, 'href');
    return {
      // Atom puts the URL in href; RSS <link> holds it as text.
      href: href ?? ownText(n)?.trim(),
      rel: (attr(n, 'rel') ?? 'alternate').toLowerCase(),
      type: attr(n, 'type')?.toLowerCase(),
      length: byteLength(attr(n, 'length')),
      asText: href === undefined,
    };
  });
}

/** The rel="alternate" link (the default rel), preferring an href attribute, then an HTML type. */
export function alternateLink(list: readonly XElement[]): string | undefined {
  const rank = (l: Link) => (l.asText ? 2 : 0) + (!l.type || l.type.includes('html') ? 0 : 1);
  let best: Link | undefined;
  for (const l of links(list)) if (l.href && l.rel === 'alternate' && (best === undefined || rank(l) < rank(best))) best = l;
  return best?.href;
}

export function linksWithRel(list: readonly XElement[], rel: string): Enclosure[] {
  return links(list)
    .filter((l) => l.rel === rel)
    .map((l) => ({ url: l.href, type: l.type, length: l.length }));
}

/** An enclosure as read, before it is known to have a URL. */
export interface Enclosure {
  url?: string;
  type?: string;
  length?: number;
  duration?: number;
}

type RawEnclosure = RawItem['enclosures'][number];

/** media:content, directly or in a media:group: read once per item, for its enclosures and its images. */
export function mediaContents(item: XElement): XElement[] {
  return [...kids(item, NS.media, 'content'), ...kids(item, NS.media, 'group').flatMap((g) => kids(g, NS.media, 'content'))];
}

function isImageMedia(n: XElement): boolean {
  const medium = attr(n, 'medium')?.toLowerCase();
  const type = attr(n, 'type')?.toLowerCase();
  if (medium) return medium === 'image';
  if (type) return type.startsWith('image/');
  return /\.(jpe?g|png|gif|webp|avif|svg)(\?|#|$)/i.test(attr(n, 'url') ?? '');
}

/** Media RSS content that is not an image: an enclosure (video, audio…). */
export function mediaEnclosures(contents: readonly XElement[]): Enclosure[] {
  return contents
    .filter((n) => !isImageMedia(n))
    .map((n) => ({ url: attr(n, 'url'), type: attr(n, 'type'), length: byteLength(attr(n, 'fileSize')), duration: durationSeconds(attr(n, 'duration')) }));
}

/** media:thumbnail (anywhere), image media:content, image enclosures, itunes:image. */
export function images(item: XElement, contents: readonly XElement[], enclosures: readonly RawEnclosure[]): string[] {
  const thumbnails = [
    ...kids(item, NS.media, 'thumbnail'),
    ...kids(item, NS.media, 'group').flatMap((g) => kids(g, NS.media, 'thumbnail')),
    ...contents.flatMap((c) => kids(c, NS.media, 'thumbnail')),
  ];
  return unique([
    ...thumbnails.map((n) => attr(n, 'url')),
    ...contents.filter(isImageMedia).map((n) => attr(n, 'url')),
    ...enclosures.filter((e) => e.type?.toLowerCase().startsWith('image/')).map((e) => e.url),
    ...kids(item, NS.itunes, 'image').map((n) => attr(n, 'href') ?? ownText(n)?.trim()),
  ]);
}

/** The absolute xml:base in effect: the element's own (resolved against its parent's), else the parent's. */
export function xmlBase(el: XElement | undefined, parentBase: string | undefined, docUrl: string): string | undefined {
  const declared = el?.attrs['xml:base']?.trim();
  if (!declared) return parentBase;
  return resolveUrl(declared, parentBase ?? docUrl) ?? parentBase;
}

/** Builds the RawItem, leaving out absent fields (so `toEqual` in callers and tests stays exact). */
export function rawItem(f: RawItem): RawItem {
  const out: RawItem = { enclosures: f.enclosures, images: f.images, categories: f.categories };
  for (const k of ['guid', 'link', 'title', 'author', 'date', 'updated', 'html', 'summary', 'base'] as const) {
    const v = f[k];
    if (v !== undefined && v !== '') out[k] = v;
  }
  if (f.guidIsPermaLink !== undefined) out.guidIsPermaLink = f.guidIsPermaLink;
  return out;
}

/**
 * Enclosures with a URL, the first of each URL kept, each field only when
 * given; a later mention of the same URL (media:content beside <enclosure>)
 * fills in a size or duration the first did not give.
 */
export function uniqueEnclosures(values: readonly Enclosure[]): RawEnclosure[] {
  const byUrl = new Map<string, RawEnclosure>();
  for (const v of values) {
    if (!v.url) continue;
    const e = byUrl.get(v.url) ?? { url: v.url };
    if (!byUrl.has(v.url)) byUrl.set(v.url, e);
    if (v.type && e.type === undefined) e.type = v.type;
    if (v.length !== undefined && e.length === undefined) e.length = v.length;
    if (v.duration !== undefined && e.duration === undefined) e.duration = v.duration;
  }
  return [...byUrl.values()];
}

/** itunes:duration is the episode's: it goes to the item's first audio or video enclosure that has none of its own. */
export function withEpisodeDuration(enclosures: RawEnclosure[], duration: number | undefined): RawEnclosure[] {
  if (duration === undefined) return enclosures;
  const episode = enclosures.find((e) => !/^image\//i.test(e.type ?? ''));
  if (episode && episode.duration === undefined) episode.duration = duration;
  return enclosures;
}

export function nonBlank(s: string | undefined): string | undefined {
  const t = s?.trim();
  return t ? t : undefined;
}

/** The distinct non-empty values, first occurrence first (the JSON Feed reader's too). */
export function unique(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined && v !== ''))];
}
