import { childElements, firstChild, parseXml, rootOf, textOf, type Element } from './xml-tree.ts';

// The W3C Feed Validator's rules (https://validator.w3.org/feed/docs/) that
// can be checked offline, for RSS 2.0 and Atom 1.0 documents. Each function
// returns the problems found, as the validator would name them; [] is valid.

const ATOM_NS = 'http://www.w3.org/2005/Atom';
// RFC 822 as RSS 2.0 requires it, with the 4-digit year the validator insists on, and a zone as GMT or an offset.
const RFC822 = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) \d{2}:\d{2}:\d{2} (?:GMT|[+-]\d{4})$/;
const RFC3339 = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
// RFC 3987: a scheme, then no whitespace, controls or the characters IRIs exclude, and at most one fragment.
// eslint-disable-next-line no-control-regex
const IRI = /^[a-z][a-z0-9+.-]*:[^\s\u0000-\u001f\u007f<>"{}|\\^`#]+(?:#[^\s\u0000-\u001f\u007f<>"{}|\\^`#]*)?$/i;
const HTTP_URL = /^https?:\/\/[^\s]+$/;
/** The validator calls dates before the web's syndication formats existed implausible (1970 is the usual bug). */
const EARLIEST_YEAR = 1995;
const LATEST_YEAR = 2100;

function dateProblem(where: string, value: string, format: RegExp, name: string): string | undefined {
  const m = format.exec(value);
  if (!m) return `${where}: "${value}" is not an ${name} date`;
  const year = Number(m[1]);
  if (year < EARLIEST_YEAR || year > LATEST_YEAR || Number.isNaN(Date.parse(value))) return `${where}: implausible date "${value}"`;
  return undefined;
}

const report = (out: string[], problem: string | undefined) => {
  if (problem) out.push(problem);
};

/** Elements with neither content nor attributes (e.g. <description/>), which the validator reports as blank. */
function emptyElements(e: Element, path: string, out: string[]): void {
  for (const c of childElements(e)) {
    const at = `${path}/${c.name}`;
    const hasAttributes = Object.keys(c.attributes ?? {}).length > 0;
    if (!childElements(c).length && !textOf(c).trim() && !hasAttributes) out.push(`${at}: empty element`);
    emptyElements(c, at, out);
  }
}

const text = (e: Element, name: string) => {
  const c = firstChild(e, name);
  return c ? textOf(c).trim() : undefined;
};

/** Problems the W3C Feed Validator would report in an RSS 2.0 document. */
export function rssProblems(xml: string): string[] {
  const out: string[] = [];
  const rss = rootOf(parseXml(xml));
  if (rss.name !== 'rss' || rss.attributes?.version !== '2.0') return ['root: not <rss version="2.0">'];
  const channels = childElements(rss, 'channel');
  if (channels.length !== 1) return ['rss: must contain exactly one channel'];
  const [channel] = channels;
  for (const name of ['title', 'link', 'description']) if (!text(channel, name)) out.push(`channel: missing ${name}`);
  if (text(channel, 'link') && !HTTP_URL.test(text(channel, 'link')!)) out.push('channel/link: not a full URL');
  for (const name of ['lastBuildDate', 'pubDate']) {
    const v = text(channel, name);
    if (v !== undefined) report(out, dateProblem(`channel/${name}`, v, RFC822, 'RFC 822'));
  }
  const self = childElements(channel, 'atom:link').find((l) => l.attributes?.rel === 'self');
  if (rss.attributes?.['xmlns:atom'] !== ATOM_NS) out.push('rss: atom namespace not declared');
  if (!self) out.push('channel: missing atom:link rel="self"');
  else if (self.attributes?.type !== 'application/rss+xml' || !HTTP_URL.test(String(self.attributes?.href))) out.push('channel/atom:link: self link needs an absolute href and type="application/rss+xml"');
  const guids = new Set<string>();
  childElements(channel, 'item').forEach((item, n) => {
    const at = `item[${n}]`;
    if (!text(item, 'title') && !text(item, 'description')) out.push(`${at}: needs a title or a description`);
    const pub = text(item, 'pubDate');
    if (pub !== undefined) report(out, dateProblem(`${at}/pubDate`, pub, RFC822, 'RFC 822'));
    const guid = firstChild(item, 'guid');
    if (guid) {
      const value = textOf(guid).trim();
      // Absent, isPermaLink means "true".
      const perma = guid.attributes?.isPermaLink ?? 'true';
      if (perma === 'true' && !HTTP_URL.test(value)) out.push(`${at}/guid: "${value}" must be a full URL, unless isPermaLink="false"`);
      if ((perma === 'true') !== (value === text(item, 'link'))) out.push(`${at}/guid: isPermaLink="${perma}" but the guid ${value === text(item, 'link') ? 'is' : 'is not'} the link`);
      if (guids.has(value)) out.push(`${at}/guid: "${value}" repeats an earlier item's`);
      guids.add(value);
    }
    for (const enc of childElements(item, 'enclosure')) {
      const a = enc.attributes ?? {};
      if (!HTTP_URL.test(String(a.url)) || a.length === undefined || !a.type) out.push(`${at}/enclosure: needs url, length and type`);
    }
  });
  emptyElements(rss, 'rss', out);
  return out;
}

const linksOf = (e: Element) => childElements(e, 'link').map((l) => ({ rel: String(l.attributes?.rel ?? 'alternate'), href: String(l.attributes?.href ?? ''), type: l.attributes?.type }));

/** Problems the W3C Feed Validator would report in an Atom 1.0 document. */
export function atomProblems(xml: string): string[] {
  const out: string[] = [];
  const feed = rootOf(parseXml(xml));
  if (feed.name !== 'feed' || feed.attributes?.xmlns !== ATOM_NS) return ['root: not an Atom <feed>'];
  const required = (e: Element, at: string, names: string[]) => {
    for (const name of names) {
      const n = childElements(e, name).length;
      if (n !== 1) out.push(`${at}: ${n ? 'more than one' : 'missing'} ${name}`);
    }
  };
  const checkIdAndDates = (e: Element, at: string) => {
    const id = text(e, 'id');
    if (id !== undefined && !IRI.test(id)) out.push(`${at}/id: "${id}" is not an IRI`);
    for (const name of ['updated', 'published']) {
      const v = text(e, name);
      if (v !== undefined) report(out, dateProblem(`${at}/${name}`, v, RFC3339, 'RFC 3339'));
    }
    for (const l of linksOf(e)) if (!HTTP_URL.test(l.href)) out.push(`${at}/link: href "${l.href}" is not absolute`);
  };
  required(feed, 'feed', ['id', 'title', 'updated']);
  checkIdAndDates(feed, 'feed');
  const links = linksOf(feed);
  for (const rel of ['self', 'alternate']) {
    const l = links.find((x) => x.rel === rel);
    if (!l) out.push(`feed: missing link rel="${rel}"`);
    else if (!l.type) out.push(`feed/link rel="${rel}": missing type`);
  }
  if (links.find((l) => l.rel === 'self')?.type !== 'application/atom+xml') out.push('feed/link rel="self": type must be application/atom+xml');
  const feedAuthor = childElements(feed, 'author').some((a) => text(a, 'name'));
  const ids = new Set<string>();
  childElements(feed, 'entry').forEach((entry, n) => {
    const at = `entry[${n}]`;
    required(entry, at, ['id', 'title', 'updated']);
    checkIdAndDates(entry, at);
    if (!feedAuthor && !childElements(entry, 'author').some((a) => text(a, 'name'))) out.push(`${at}: no author, and the feed has none`);
    if (!firstChild(entry, 'content') && !linksOf(entry).some((l) => l.rel === 'alternate')) out.push(`${at}: needs content or a link rel="alternate"`);
    const id = text(entry, 'id') ?? '';
    if (ids.has(id)) out.push(`${at}/id: "${id}" repeats an earlier entry's`);
    ids.add(id);
  });
  emptyElements(feed, 'feed', out);
  return out;
}
