import Parser from 'rss-parser';
import type { FeedFormat, ParsedFeed, RawItem } from '../core/types.ts';
import { FeedParseError } from './errors.ts';
import { htmlToText, MarkupReader } from './markup.ts';
import type { RootElement } from './sniff.ts';
import { textToHtml } from './text-html.ts';
import { resolveUrl } from './url.ts';
import { attr, attrs, children, first, hasChildElements, isElement, nodes, nodeText, text, type XAttrs, type XNode } from './xml-nodes.ts';

export type XmlFormat = Exclude<FeedFormat, 'json'>;

// rss-parser detects the format and walks channel/items; the fields are read
// here from the raw xml2js nodes it passes through (customFields with
// keepArray), because its own mapping of a few elements is unsafe on real
// feeds. Those are renamed before it sees them:
//  - description / content:encoded / content: it computes a text snippet of
//    each with a regex that is quadratic on text full of `<` (a 1 MB
//    description takes minutes);
//  - published / updated: it calls toISOString() on them and rejects the
//    whole feed when one entry has an unparseable date;
//  - link: it reads link.$.rel and rejects the feed for an Atom <link> without
//    attributes;
//  - summary: it re-serializes inline markup out of order (see markup.ts).
const HIDDEN = '__refeed_';
const HIDE = new Set(['description', 'content:encoded', 'content', 'summary', 'published', 'updated', 'link']);
const hidden = (name: string) => HIDDEN + name;

const ITEM_KEYS = [
  '$',
  'title',
  'dc:title',
  'guid',
  'id',
  'author',
  'dc:creator',
  'itunes:author',
  'pubDate',
  'dc:date',
  'issued',
  'modified',
  'created',
  'media:description',
  'media:content',
  'media:thumbnail',
  'media:group',
  'itunes:image',
  'category',
  'dc:subject',
  'enclosure',
  'atom:link',
  ...[...HIDE].map(hidden),
];
const FEED_KEYS = ['$', 'title', 'dc:title', 'author', 'atom:link', hidden('link')];
const RAW = 'raw:';

/** xml2js element names rss-parser expects at the root, per format. */
const ROOT_NAMES: Record<XmlFormat, string> = { atom: 'feed', rss: 'rss', rdf: 'rdf:RDF' };

export function formatOfRoot(root: RootElement): XmlFormat | undefined {
  if (root.localName === 'feed') return 'atom';
  if (root.name === 'rss') return 'rss';
  if (root.localName === 'RDF') return 'rdf';
  return undefined;
}

type Raw = (key: string) => unknown;

interface Context {
  /** Document URL: the base for a relative xml:base. */
  docUrl: string;
  /** xml:base in effect for items (absolute), when one was declared. */
  itemParentBase?: string;
  feedAuthor?: string;
  markup: MarkupReader;
}

/** Parses RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 text (already repaired) whose root was sniffed as `root`. */
export async function parseXmlFeed(xml: string, root: RootElement, baseUrl: string): Promise<ParsedFeed> {
  const format = formatOfRoot(root);
  if (!format) throw new FeedParseError('not-a-feed', `not a feed: an XML document whose root element is <${root.name}>`);
  const field = (k: string) => [k, RAW + k, { keepArray: true }];
  const parser = new Parser({
    defaultRSS: 2,
    xml2js: { tagNameProcessors: [tagRenamer(root, format)] },
    customFields: { feed: FEED_KEYS.map(field), item: ITEM_KEYS.map(field) } as never,
  });

  let out: Record<string, unknown>;
  try {
    out = (await parser.parseString(xml)) as unknown as Record<string, unknown>;
  } catch (err) {
    throw xmlError(err, xml, root, format);
  }

  const feedRaw: Raw = (k) => out[RAW + k];
  const rootBase = xmlBase(root.attrs, undefined, baseUrl);
  const channelBase = format === 'atom' ? rootBase : xmlBase(attrsOf(feedRaw('$')), rootBase, baseUrl);
  const markup = new MarkupReader(xml, format, format === 'atom' ? root.prefix : '');
  const ctx: Context = {
    docUrl: baseUrl,
    // RSS 1.0 items are siblings of <channel>, not inside it.
    itemParentBase: format === 'rdf' ? rootBase : channelBase,
    feedAuthor: format === 'atom' ? personNames(feedRaw('author')) : undefined,
    markup,
  };

  const rawItems = Array.isArray(out.items) ? (out.items as Record<string, unknown>[]) : [];
  const items = rawItems.map((it, index) => {
    const raw: Raw = (k) => it[RAW + k];
    return format === 'atom' ? atomItem(raw, index, ctx) : rssItem(raw, index, ctx);
  });

  const title =
    format === 'atom' ? atomTitle(first(feedRaw('title')), () => markup.feedText('title')) : (text(feedRaw('title')) ?? text(feedRaw('dc:title')));
  const link = alternateLink(feedRaw(hidden('link'))) ?? alternateLink(feedRaw('atom:link'));
  return {
    format,
    ...(title ? { title } : {}),
    ...(link ? { link } : {}),
    ...(channelBase ? { base: channelBase } : {}),
    items,
  };
}

function rssItem(raw: Raw, index: number, ctx: Context): RawItem {
  const base = xmlBase(attrsOf(raw('$')), ctx.itemParentBase, ctx.docUrl);
  const encoded = rssHtml(raw(hidden('content:encoded')), () => ctx.markup.itemHtml(index, 'content:encoded', false));
  const description = rssHtml(raw(hidden('description')), () => ctx.markup.itemHtml(index, 'description', false));
  // Some RSS feeds carry a bare <content>; untyped, it holds HTML there.
  const atomContent = contentHtml(first(raw(hidden('content'))), () => ctx.markup.itemHtml(index, 'content', true), 'html');
  const html = encoded ?? atomContent ?? description ?? mediaDescription(raw);
  const summary = description !== undefined && description !== html ? description : undefined;

  const titleNode = first(raw('title'));
  const title = hasChildElements(titleNode) ? ctx.markup.itemText(index, 'title') : (text(raw('title')) ?? text(raw('dc:title')));
  const guidNode = first(raw('guid'));
  const guid = text(raw('guid'));
  // RSS 2.0: a guid is a permalink unless isPermaLink="false".
  const permalink = guid && /^https?:\/\//i.test(guid) && attr(guidNode, 'isPermaLink')?.toLowerCase() !== 'false' ? guid : undefined;
  const link = alternateLink(raw(hidden('link'))) ?? alternateLink(raw('atom:link')) ?? permalink ?? nonBlank(attrsOf(raw('$'))['rdf:about']);
  const author = text(raw('dc:creator')) ?? personNames(raw('author')) ?? text(raw('itunes:author'));
  const date = text(raw('pubDate')) ?? text(raw('dc:date')) ?? text(raw(hidden('published'))) ?? text(raw(hidden('updated')));
  const categories = unique([...nodes(raw('category')).map((n) => nodeText(n)?.trim()), ...nodes(raw('dc:subject')).map((n) => nodeText(n)?.trim())]);
  const enclosures = uniqueBy(
    [
      ...nodes(raw('enclosure')).map((n) => ({ url: attr(n, 'url'), type: attr(n, 'type') })),
      ...linksWithRel(raw('atom:link'), 'enclosure'),
      ...mediaEnclosures(raw),
    ],
    (e) => e.url,
  );
  return item({ guid, link, title, author, date, html, summary, base, enclosures, images: images(raw, enclosures), categories });
}

function atomItem(raw: Raw, index: number, ctx: Context): RawItem {
  const entryBase = xmlBase(attrsOf(raw('$')), ctx.itemParentBase, ctx.docUrl);
  const contentNode = first(raw(hidden('content')));
  const content = contentHtml(contentNode, () => ctx.markup.itemHtml(index, 'content', true));
  const summaryHtml = contentHtml(first(raw(hidden('summary'))), () => ctx.markup.itemHtml(index, 'summary', true));
  const html = content ?? summaryHtml ?? rssHtml(raw(hidden('content:encoded')), () => undefined) ?? mediaDescription(raw);
  const summary = summaryHtml !== undefined && summaryHtml !== html ? summaryHtml : undefined;
  // xml:base on <content> is what its relative URLs resolve against.
  const base = content !== undefined ? xmlBase(attrs(contentNode), entryBase, ctx.docUrl) : entryBase;

  const title = atomTitle(first(raw('title')), () => ctx.markup.itemText(index, 'title'));
  const link = alternateLink(raw(hidden('link')));
  const author = personNames(raw('author')) ?? ctx.feedAuthor ?? text(raw('dc:creator'));
  const date =
    text(raw(hidden('published'))) ??
    text(raw(hidden('updated'))) ??
    text(raw('issued')) ??
    text(raw('modified')) ??
    text(raw('created')) ??
    text(raw('dc:date'));
  const categories = unique(nodes(raw('category')).map((n) => attr(n, 'term') ?? attr(n, 'label') ?? nodeText(n)?.trim()));
  const enclosures = uniqueBy([...linksWithRel(raw(hidden('link')), 'enclosure'), ...mediaEnclosures(raw)], (e) => e.url);
  return item({
    guid: text(raw('id')),
    link,
    title,
    author,
    date,
    html,
    summary,
    base,
    enclosures,
    images: images(raw, enclosures),
    categories,
  });
}

/** RSS description / content:encoded: escaped HTML, or (rarely) markup left unescaped. */
function rssHtml(list: unknown, markup: () => string | undefined): string | undefined {
  const node = first(list);
  if (node === undefined) return undefined;
  return nonBlank(hasChildElements(node) ? markup() : nodeText(node));
}

/** An Atom content/summary construct as HTML, per its type (1.0) or mode (0.3); Atom's default type is text. */
function contentHtml(node: XNode | undefined, markup: () => string | undefined, defaultType = 'text'): string | undefined {
  if (node === undefined || attr(node, 'src')) return undefined; // out-of-line content: nothing inline
  const type = (attr(node, 'type') ?? defaultType).toLowerCase();
  const mode = attr(node, 'mode')?.toLowerCase();
  if (hasChildElements(node)) return nonBlank(markup());
  let value = nodeText(node);
  if (value === undefined || value.trim() === '') return undefined;
  if (mode === 'base64') value = Buffer.from(value, 'base64').toString('utf8');
  if (type === 'html' || type === 'xhtml' || type === 'text/html' || type.endsWith('xml')) return value.trim();
  if (type === 'text' || type.startsWith('text/')) return textToHtml(value);
  return undefined; // binary media types carry nothing to show
}

/** Atom titles can be text, html or xhtml: always returned as plain text. */
function atomTitle(node: XNode | undefined, markupText: () => string | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (hasChildElements(node)) return nonBlank(markupText());
  const value = nodeText(node)?.trim();
  if (!value) return undefined;
  const type = (attr(node, 'type') ?? 'text').toLowerCase();
  return type === 'html' || type === 'text/html' ? nonBlank(htmlToText(value)) : value;
}

/** media:description (e.g. YouTube's only text) as HTML, when nothing richer exists. */
function mediaDescription(raw: Raw): string | undefined {
  const node = first(raw('media:description')) ?? nodes(raw('media:group')).flatMap((g) => children(g, 'media:description'))[0];
  const value = nodeText(node)?.trim();
  if (!value) return undefined;
  return attr(node, 'type')?.toLowerCase() === 'html' ? value : textToHtml(value);
}

/** Names of Atom persons (<author><name>) or plain RSS author strings, comma-joined. */
function personNames(list: unknown): string | undefined {
  const names = unique(
    nodes(list).map((n) => {
      const name = text(children(n, 'name'));
      return name ?? nodeText(n)?.trim();
    }),
  );
  return names.length ? names.join(', ') : undefined;
}

interface Link {
  href?: string;
  rel: string;
  type?: string;
  /** URL given as element text (RSS style) rather than an href attribute. */
  asText: boolean;
}

function links(list: unknown): Link[] {
  return nodes(list).map((n) => {
    const href = attr(n, 'href');
    return {
      // Atom puts the URL in href; RSS <link> holds it as text.
      href: href ?? nodeText(n)?.trim(),
      rel: (attr(n, 'rel') ?? 'alternate').toLowerCase(),
      type: attr(n, 'type')?.toLowerCase(),
      asText: href === undefined,
    };
  });
}

/** The rel="alternate" link (the default rel), preferring an href attribute, then an HTML type. */
function alternateLink(list: unknown): string | undefined {
  const alternates = links(list).filter((l) => l.href && l.rel === 'alternate');
  const rank = (l: Link) => (l.asText ? 2 : 0) + (!l.type || l.type.includes('html') ? 0 : 1);
  return alternates.reduce<Link | undefined>((best, l) => (best === undefined || rank(l) < rank(best) ? l : best), undefined)?.href;
}

function linksWithRel(list: unknown, rel: string): { url?: string; type?: string }[] {
  return links(list)
    .filter((l) => l.rel === rel)
    .map((l) => ({ url: l.href, type: l.type }));
}

function mediaContents(raw: Raw): XNode[] {
  return [...nodes(raw('media:content')), ...nodes(raw('media:group')).flatMap((g) => children(g, 'media:content'))];
}

function isImageMedia(n: XNode): boolean {
  const medium = attr(n, 'medium')?.toLowerCase();
  const type = attr(n, 'type')?.toLowerCase();
  if (medium) return medium === 'image';
  if (type) return type.startsWith('image/');
  return /\.(jpe?g|png|gif|webp|avif|svg)(\?|#|$)/i.test(attr(n, 'url') ?? '');
}

function mediaEnclosures(raw: Raw): { url?: string; type?: string }[] {
  return mediaContents(raw)
    .filter((n) => !isImageMedia(n))
    .map((n) => ({ url: attr(n, 'url'), type: attr(n, 'type') }));
}

/** media:thumbnail (anywhere), image media:content, image enclosures, itunes:image. */
function images(raw: Raw, enclosures: { url: string; type?: string }[]): string[] {
  const contents = mediaContents(raw);
  const thumbnails = [
    ...nodes(raw('media:thumbnail')),
    ...nodes(raw('media:group')).flatMap((g) => children(g, 'media:thumbnail')),
    ...contents.flatMap((c) => children(c, 'media:thumbnail')),
  ];
  return unique([
    ...thumbnails.map((n) => attr(n, 'url')),
    ...contents.filter(isImageMedia).map((n) => attr(n, 'url')),
    ...enclosures.filter((e) => e.type?.toLowerCase().startsWith('image/')).map((e) => e.url),
    ...nodes(raw('itunes:image')).map((n) => attr(n, 'href') ?? nodeText(n)?.trim()),
  ]);
}

/** The absolute xml:base in effect: the element's own (resolved against its parent's), else the parent's. */
function xmlBase(elementAttrs: XAttrs, parentBase: string | undefined, docUrl: string): string | undefined {
  const declared = elementAttrs['xml:base']?.trim();
  if (!declared) return parentBase;
  return resolveUrl(declared, parentBase ?? docUrl) ?? parentBase;
}

function attrsOf(v: unknown): XAttrs {
  return isElement(v) ? (v as XAttrs) : {};
}

/** Builds the RawItem, leaving out absent fields (so `toEqual` in callers and tests stays exact). */
function item(f: Omit<RawItem, 'enclosures'> & { enclosures: { url?: string; type?: string }[] }): RawItem {
  const out: RawItem = {
    enclosures: f.enclosures.flatMap((e) => (e.url ? [{ url: e.url, ...(e.type ? { type: e.type } : {}) }] : [])),
    images: f.images,
    categories: f.categories,
  };
  for (const k of ['guid', 'link', 'title', 'author', 'date', 'html', 'summary', 'base'] as const) {
    const v = f[k];
    if (v !== undefined && v !== '') out[k] = v;
  }
  return out;
}

function nonBlank(s: string | undefined): string | undefined {
  const t = s?.trim();
  return t ? t : undefined;
}

function unique(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined && v !== ''))];
}

function uniqueBy<T extends { url?: string }>(values: T[], key: (v: T) => string | undefined): (T & { url: string })[] {
  const seen = new Set<string>();
  const out: (T & { url: string })[] = [];
  for (const v of values) {
    const k = key(v);
    if (!k || seen.has(k)) continue;
    seen.add(k);
    out.push(v as T & { url: string });
  }
  return out;
}

/** Renames the root to what rss-parser looks for and hides the elements listed in HIDE. */
function tagRenamer(root: RootElement, format: XmlFormat): (name: string) => string {
  // `<atom:feed>` documents prefix every Atom element; rss-parser knows only bare names.
  const strip = format === 'atom' && root.prefix ? root.prefix : '';
  const rootName = ROOT_NAMES[format];
  return (name) => {
    if (name === root.name) return rootName;
    const bare = strip && name.startsWith(strip) ? name.slice(strip.length) : name;
    return HIDE.has(bare) ? hidden(bare) : bare;
  };
}

/** A parser failure as a FeedParseError with the position and, for truncation, a plain explanation. */
function xmlError(err: unknown, xml: string, root: RootElement, format: XmlFormat): FeedParseError {
  const message = err instanceof Error ? err.message : String(err);
  const [what, ...rest] = message.split('\n');
  const line = /Line: (\d+)/.exec(rest.join('\n'))?.[1];
  const column = /Column: (\d+)/.exec(rest.join('\n'))?.[1];
  const where = line !== undefined ? ` at line ${Number(line) + 1}, column ${column}` : '';
  if (/Unclosed root tag|Unexpected end/i.test(what)) {
    return new FeedParseError('parse', `malformed XML: the document ends before <${root.name}> is closed (truncated?)`);
  }
  if (err instanceof TypeError || err instanceof RangeError) {
    if (format !== 'atom' && !/<channel[\s>]/.test(xml)) return new FeedParseError('parse', `malformed feed: <${root.name}> without a <channel>`);
    return new FeedParseError('parse', `malformed ${format.toUpperCase()} feed: ${message}`);
  }
  return new FeedParseError('parse', `malformed XML${where}: ${what}`);
}
