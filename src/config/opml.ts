import iconv from 'iconv-lite';
import { Parser } from 'htmlparser2';
import type { RefeedConfig } from '../core/types.ts';
import { hostOf } from '../util/host.ts';
import { buildDocument, type XmlNode } from '../util/xml-writer.ts';
import type { ChannelEntry } from './edit/index.ts';
import { DEFAULT_IMPORT_GROUP } from './names.ts';
import { isValidSlug, slugify } from './slug.ts';

// OPML in and out. Reading uses htmlparser2 in XML mode, which forgives what
// real exports get wrong (a bare `&` in a URL, odd attribute case); writing
// uses refeed's one XML writer, so every value is escaped by construction.

export interface OpmlOutline {
  text?: string;
  title?: string;
  xmlUrl?: string;
  htmlUrl?: string;
  /** A plain link outline's target (`type="link"`): not a feed, but worth naming when skipped. */
  url?: string;
  type?: string;
  /** refeed's own `refeed:slug`, so an export → import round trip keeps folder names. */
  slug?: string;
  children: OpmlOutline[];
}

export interface OpmlDocument {
  title?: string;
  outlines: OpmlOutline[];
}

export class OpmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpmlError';
  }
}

/**
 * Text of an OPML file from its bytes: a BOM wins, then the XML declaration's
 * encoding (exports from older readers are sometimes ISO-8859-1 or GBK), else UTF-8.
 */
export function decodeOpml(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString('utf8');
  if (buf[0] === 0xff && buf[1] === 0xfe) return iconv.decode(buf.subarray(2), 'utf-16le');
  if (buf[0] === 0xfe && buf[1] === 0xff) return iconv.decode(buf.subarray(2), 'utf-16be');
  const head = buf.subarray(0, 200).toString('latin1');
  const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1];
  if (declared && !/^utf-?8$/i.test(declared) && iconv.encodingExists(declared)) return iconv.decode(buf, declared);
  return buf.toString('utf8');
}

/**
 * How deep OPML elements may nest. refeed uses three levels of outlines and
 * readers' exports a few more; a deeper file is refused with this number
 * rather than walked (100,000 levels overflowed the stack).
 */
export const MAX_OPML_DEPTH = 64;

/** Attribute by name, ignoring case (`xmlUrl`, `xmlurl`, `XMLURL` all occur); the first such. */
function attr(attribs: Record<string, string>, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const k in attribs) {
    if (k.toLowerCase() === want) {
      const clean = attribs[k].replace(/\s+/g, ' ').trim();
      return clean || undefined;
    }
  }
  return undefined;
}

function toOutline(attribs: Record<string, string>): OpmlOutline {
  return {
    text: attr(attribs, 'text'),
    title: attr(attribs, 'title'),
    xmlUrl: attr(attribs, 'xmlUrl'),
    htmlUrl: attr(attribs, 'htmlUrl'),
    url: attr(attribs, 'url'),
    type: attr(attribs, 'type'),
    slug: attr(attribs, 'refeed:slug'),
    children: [],
  };
}

/** What an open element is to the reader: the root, its first head and body, the head's first title, an outline, or anything else. */
type Role = 'opml' | 'head' | 'body' | 'title' | 'outline' | 'other';
interface Open {
  role: Role;
  outline?: OpmlOutline;
  /** For the root: whether its head and body were seen; for a head: its title. */
  seen?: Set<string>;
}

/**
 * Parses OPML 1.0/2.0 text; throws OpmlError when it is not OPML at all, or
 * nests deeper than MAX_OPML_DEPTH. One streaming pass (no document tree):
 * the root is the first <opml> element, its outlines those of its first
 * <body>, outlines nest only directly in outlines; names are matched
 * ignoring case.
 */
export function parseOpml(xml: string): OpmlDocument {
  const stack: Open[] = [];
  const outlines: OpmlOutline[] = [];
  let rootSeen = false;
  let bodySeen = false;
  let title: string | undefined;
  let titleText: string[] | undefined;
  const parser = new Parser(
    {
      onopentag(tag, attribs) {
        if (stack.length >= MAX_OPML_DEPTH) {
          const line = xml.slice(0, parser.startIndex).split('\n').length;
          throw new OpmlError(`elements nest deeper than ${MAX_OPML_DEPTH} levels (line ${line}); refeed reads at most ${MAX_OPML_DEPTH}`);
        }
        const name = tag.toLowerCase();
        const parent = stack[stack.length - 1];
        let open: Open = { role: 'other' };
        if (!rootSeen && name === 'opml') {
          rootSeen = true;
          open = { role: 'opml', seen: new Set() };
        } else if (parent?.role === 'opml' && (name === 'head' || name === 'body') && !parent.seen!.has(name)) {
          parent.seen!.add(name);
          open = { role: name, seen: new Set() };
          if (name === 'body') bodySeen = true;
        } else if (parent?.role === 'head' && name === 'title' && !parent.seen!.has(name)) {
          parent.seen!.add(name);
          open = { role: 'title' };
          titleText = [];
        } else if (name === 'outline' && (parent?.role === 'body' || parent?.role === 'outline')) {
          const outline = toOutline(attribs);
          (parent.outline ? parent.outline.children : outlines).push(outline);
          open = { role: 'outline', outline };
        }
        stack.push(open);
      },
      ontext(text) {
        titleText?.push(text);
      },
      onclosetag() {
        if (stack.pop()?.role === 'title') {
          title = titleText!.join('').trim() || undefined;
          titleText = undefined;
        }
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(xml);
  if (!rootSeen) throw new OpmlError('not an OPML file: no <opml> element');
  if (!bodySeen) throw new OpmlError('not an OPML file: no <body> element');
  return { title, outlines };
}

// ------------------------------------------------------------ import mapping

export interface ImportSkip {
  name: string;
  url?: string;
  reason: string;
}

export interface ImportPlan {
  entries: ChannelEntry[];
  skipped: ImportSkip[];
  notes: string[];
}

interface Folder {
  name: string;
  slug?: string;
}

/** A slug worth keeping: valid, and not just what the name would give anyway. */
const goodSlug = (s: string | undefined): s is string => s !== undefined && isValidSlug(s);

/** Where feeds outside any folder go when no --group is given. */
export { DEFAULT_IMPORT_GROUP } from './names.ts';

function outlineName(o: OpmlOutline): string | undefined {
  return o.text ?? o.title;
}

/**
 * Maps an OPML tree onto groups → sources → channels:
 * - a feed outside any folder: group `group` (default "Imported"), a source named by the feed, one channel of the same name;
 * - a feed in a folder: group = that folder, source and channel named by the feed;
 * - a feed two or more folders deep: group = outermost folder, source = the feed's own folder, channel = the feed
 *   (folders in between are flattened — refeed has exactly three levels — and noted).
 * A feed's name is its `text`, else `title`, else its URL's host. Same name twice in one
 * source gets " (2)", " (3)"…; a URL seen earlier in the file is skipped.
 */
export function planImport(doc: OpmlDocument, opts: { group?: string } = {}): ImportPlan {
  const topGroup = opts.group?.trim() || DEFAULT_IMPORT_GROUP;
  const entries: ChannelEntry[] = [];
  const skipped: ImportSkip[] = [];
  const notes: string[] = [];
  const seenUrls = new Set<string>();
  const channelNames = new Map<string, Set<string>>();

  const uniqueChannel = (group: string, source: string, name: string) => {
    const key = JSON.stringify([group, source]);
    const taken = channelNames.get(key) ?? new Set<string>();
    channelNames.set(key, taken);
    let candidate = name;
    for (let n = 2; taken.has(candidate); n++) candidate = `${name} (${n})`;
    taken.add(candidate);
    return candidate;
  };

  const addFeed = (o: OpmlOutline, path: Folder[]) => {
    const folders = path.map((f) => f.name);
    const url = o.xmlUrl!;
    const name = outlineName(o) ?? hostOf(url);
    if (seenUrls.has(url)) {
      skipped.push({ name, url, reason: 'listed twice in the OPML file' });
      return;
    }
    seenUrls.add(url);
    let group: string;
    let source: string;
    let groupSlug: string | undefined;
    let sourceSlug: string | undefined;
    if (path.length === 0) [group, source] = [topGroup, name];
    else if (path.length === 1) [group, source, groupSlug] = [folders[0], name, path[0].slug];
    else {
      [group, source, groupSlug, sourceSlug] = [folders[0], folders[folders.length - 1], path[0].slug, path[path.length - 1].slug];
      if (path.length > 2) notes.push(`"${name}": folders ${folders.map((f) => `"${f}"`).join(' › ')} flattened to group "${group}", source "${source}"`);
    }
    const channel = uniqueChannel(group, source, name);
    entries.push({
      group,
      source,
      channel,
      url,
      ...(goodSlug(groupSlug) ? { groupSlug } : {}),
      ...(goodSlug(sourceSlug) ? { sourceSlug } : {}),
      ...(goodSlug(o.slug) && channel === name ? { slug: o.slug } : {}),
    });
  };

  const walk = (outlines: OpmlOutline[], folders: Folder[]) => {
    for (const o of outlines) {
      if (o.xmlUrl) addFeed(o, folders);
      if (o.children.length) walk(o.children, [...folders, { name: outlineName(o) ?? (o.xmlUrl ? hostOf(o.xmlUrl) : 'Untitled'), slug: o.slug }]);
      else if (!o.xmlUrl) {
        const name = outlineName(o) ?? '(untitled)';
        if (o.htmlUrl || o.url || (o.type && o.type !== 'folder')) skipped.push({ name, url: o.htmlUrl ?? o.url, reason: `not a feed (no xmlUrl${o.type ? `, type "${o.type}"` : ''})` });
        else notes.push(`empty folder "${name}" ignored`);
      }
    }
  };
  walk(doc.outlines, []);
  return { entries, skipped, notes };
}

// ------------------------------------------------------------ export

// XML 1.0 cannot carry most C0 controls at all, even escaped: names and URLs lose them.
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const xmlText = (v: string) => v.replace(XML_FORBIDDEN, '');

/** Namespace of refeed's extra OPML attribute (an identifier, never fetched). */
export const REFEED_OPML_NS = 'https://github.com/refeed/refeed/ns/opml';
const SLUG_ATTR = 'refeed:slug';

/**
 * The configured sources as OPML 2.0: a folder per group holding a folder per
 * source, one feed outline per channel. `planImport` reads this back to the
 * same group/source/channel names.
 */
export function exportOpml(config: Pick<RefeedConfig, 'groups' | 'site'>, opts: { now?: Date } = {}): string {
  const now = opts.now ?? new Date();
  let usesSlugs = false;
  const names = (n: { name: string }): XmlNode => ({ '@text': xmlText(n.name), '@title': xmlText(n.name) });
  // Only slugs a reader could not derive from the name: keeps the file plain for everyone else.
  const slugAttr = (n: { name: string; slug: string }): XmlNode => {
    if (n.slug === slugify(n.name)) return {};
    usesSlugs = true;
    return { [`@${SLUG_ATTR}`]: n.slug };
  };
  const body = config.groups.map((g) => ({
    ...names(g),
    ...slugAttr(g),
    outline: g.sources.map((s) => ({
      ...names(s),
      ...slugAttr(s),
      outline: s.channels.map((c) => ({ '@type': 'rss', ...names(c.channel), '@xmlUrl': xmlText(c.url), ...slugAttr(c.channel) })),
    })),
  }));
  const head: XmlNode = { title: xmlText(`${config.site.title} sources`), dateCreated: now.toUTCString() };
  const opml: XmlNode = { '@version': '2.0', ...(usesSlugs ? { '@xmlns:refeed': REFEED_OPML_NS } : {}), head, body: { outline: body } };
  return buildDocument({ opml });
}
