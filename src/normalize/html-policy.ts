import { parseSrcset, safeUrl, type UrlUse } from './url.ts';

// What the body sanitizer lets through: an allowlist of harmless text,
// structure and media markup, and for each element the attributes it may
// keep and how their URLs are checked. Everything here is constant data and
// functions of their arguments (they report into the TagContext they are
// given); sanitize.ts walks the markup and calls `startTag` and `escapeText`.

const TEXT_TAGS = [
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'div', 'span', 'blockquote', 'pre', 'code', 'kbd', 'samp', 'var',
  'b', 'i', 'u', 's', 'strike', 'del', 'ins', 'em', 'strong', 'small', 'big', 'sub', 'sup', 'mark', 'q', 'cite', 'abbr',
  'dfn', 'time', 'data', 'bdi', 'bdo', 'wbr', 'ruby', 'rb', 'rp', 'rt', 'rtc', 'a', 'address', 'article', 'aside',
  'footer', 'header', 'hgroup', 'main', 'nav', 'section', 'center', 'details', 'summary',
  'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'menu',
  'table', 'caption', 'colgroup', 'col', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
];
const MEDIA_TAGS = ['img', 'figure', 'figcaption', 'picture', 'source', 'video', 'audio', 'track', 'iframe'];
export const ALLOWED_TAGS: ReadonlySet<string> = new Set([...TEXT_TAGS, ...MEDIA_TAGS]);

/** Allowed elements that have no end tag: written `<br>`, never closed. */
export const VOID_TAGS: ReadonlySet<string> = new Set(['img', 'br', 'hr', 'wbr', 'source', 'track', 'col']);

const GLOBAL_ATTRS = ['id', 'class', 'title', 'lang', 'dir', 'role'];
const TAG_ATTRS: Record<string, string[]> = {
  a: ['href', 'name', 'target', 'rel', 'hreflang'],
  img: ['src', 'srcset', 'sizes', 'alt', 'width', 'height', 'loading', 'decoding', 'referrerpolicy'],
  source: ['src', 'srcset', 'sizes', 'type', 'media', 'width', 'height'],
  video: ['src', 'poster', 'controls', 'width', 'height', 'preload', 'loop', 'muted', 'playsinline', 'autoplay'],
  audio: ['src', 'controls', 'preload', 'loop', 'muted'],
  track: ['src', 'kind', 'srclang', 'label', 'default'],
  iframe: ['src', 'width', 'height', 'allow', 'allowfullscreen', 'frameborder', 'loading', 'referrerpolicy'],
  blockquote: ['cite'], q: ['cite'], del: ['cite', 'datetime'], ins: ['cite', 'datetime'],
  time: ['datetime'], data: ['value'], abbr: ['title'],
  ol: ['start', 'reversed', 'type'], ul: ['type'], li: ['value'],
  table: ['border', 'cellpadding', 'cellspacing', 'summary', 'width', 'align'],
  td: ['colspan', 'rowspan', 'headers', 'align', 'valign', 'width'],
  th: ['colspan', 'rowspan', 'headers', 'scope', 'abbr', 'align', 'valign', 'width'],
  tr: ['align', 'valign'], col: ['span', 'width'], colgroup: ['span', 'width'],
  details: ['open'], p: ['align'], div: ['align'], h1: ['align'], h2: ['align'], h3: ['align'], h4: ['align'], h5: ['align'], h6: ['align'],
};
// data-* and aria-* carry no behaviour without script; the name pattern keeps out anything a parser could misread.
const FREE_ATTR = /^(?:data|aria)-[a-z0-9_.-]+$/;

// Attributes whose empty value means nothing (an empty `title`, `class`, `width`…):
// left out rather than written bare. `alt` is not among them: an empty alt says
// "decorative image" and is written bare, as in the reference article.
const NON_BOOLEAN: ReadonlySet<string> = new Set([
  'abbr', 'allow', 'cite', 'class', 'colspan', 'datetime', 'decoding', 'dir', 'headers', 'height', 'href', 'hreflang', 'id',
  'kind', 'label', 'lang', 'loading', 'media', 'name', 'poster', 'preload', 'referrerpolicy', 'rel', 'rowspan', 'scope',
  'sizes', 'span', 'src', 'srclang', 'srcset', 'start', 'target', 'title', 'type', 'value', 'width',
]);

/** How an attribute's value is checked: as it is, as a URL for this use, or as a srcset. */
type Kind = 'plain' | UrlUse | 'srcset';

function kindOf(tag: string, attr: string): Kind {
  if (attr === 'href') return 'link';
  if (attr === 'src') return tag === 'img' ? 'image-src' : 'media';
  if (attr === 'srcset') return 'srcset';
  if (attr === 'poster' || attr === 'cite') return 'media';
  return 'plain';
}

/** Per allowed tag: each allowed attribute and how its value is checked (one lookup per attribute). */
const ATTRS: ReadonlyMap<string, ReadonlyMap<string, Kind>> = new Map(
  [...ALLOWED_TAGS].map((tag) => [tag, new Map([...GLOBAL_ATTRS, ...(TAG_ATTRS[tag] ?? [])].map((a) => [a, kindOf(tag, a)]))]),
);

// Where sites hide the real image behind a lazy-loading placeholder.
const LAZY_SRC = ['data-src', 'data-original', 'data-lazy-src', 'data-actualsrc'];

/** What `startTag` needs from, and tells, the sanitizing pass it serves. */
export interface TagContext {
  /** Base for relative URLs; without one they stay relative. */
  base: URL | undefined;
  /** `tag[attribute]` for every attribute dropped. */
  removed: string[];
  /** Set by `startTag`: the `src` written on the element, if any (for the head image and the iframe host check). */
  src: string | undefined;
  /** Set by `startTag` and `escapeText` when they write a character the Hexo pass deals with (see HEXO_CHARS). */
  hexo: boolean;
}

// Characters of text and attribute values that need looking at: markup
// characters to escape, and what the Hexo pass (hexo-safe.ts) must see (line
// breaks, braces, backticks, tildes). One scan tells whether a value has any.
const ATTR_SCAN = /[&<>"\r\n{}`~]/;
const TEXT_SCAN = /[&<>\r\n{}`~]/;
const HEXO_CHARS = /[\r\n{}`~]/;

/** Text for HTML: `&`, `<` and `>` as entities. */
export function escapeText(text: string, cx: TagContext): string {
  if (!TEXT_SCAN.test(text)) return text;
  if (HEXO_CHARS.test(text)) cx.hexo = true;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value for a double-quoted attribute: `&`, `<`, `>` and `"` as entities. */
function escapeAttribute(value: string, cx: TagContext): string {
  if (!ATTR_SCAN.test(value)) return value;
  if (HEXO_CHARS.test(value)) cx.hexo = true;
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The start tag to write for an allowed element: its allowed attributes with
 * URLs checked and resolved, in source order, values escaped. An image gets its
 * lazy-loaded source promoted and `referrerpolicy="no-referrer"` last.
 */
export function startTag(tag: string, attribs: Record<string, string>, cx: TagContext): string {
  const allowed = ATTRS.get(tag)!;
  let attrs = attribs;
  if (tag === 'img') attrs = promoteLazySource(attrs);
  let out = '<' + tag;
  cx.src = undefined;
  for (const name in attrs) {
    let value: string | undefined = attrs[name];
    let kind = allowed.get(name);
    if (kind === undefined) {
      if (!FREE_ATTR.test(name)) {
        cx.removed.push(`${tag}[${name}]`);
        continue;
      }
      kind = 'plain';
    }
    if (kind === 'srcset') value = cleanSrcset(value, cx.base);
    else if (kind !== 'plain') value = safeUrl(value, kind, cx.base);
    if (value === undefined) {
      cx.removed.push(`${tag}[${name}]`);
      continue;
    }
    if (name === 'src') cx.src = value;
    else if (tag === 'img' && name === 'referrerpolicy') continue; // replaced below
    if (value === '') {
      if (!NON_BOOLEAN.has(name)) out += ' ' + name;
    } else {
      out += ' ' + name + '="' + escapeAttribute(value, cx) + '"';
    }
  }
  // The style goes, but a 1×1 size it gave is kept as attributes: what shows an image is a tracking pixel (tracking-pixels.ts).
  if (tag === 'img' && attrs.style !== undefined && attrs.width === undefined && attrs.height === undefined && styled1x1(attrs.style)) {
    out += ' width="1" height="1"';
  }
  // Images are loaded without telling the source which reader shows them; last, as in the reference article.
  if (tag === 'img') out += ' referrerpolicy="no-referrer"';
  return out + '>';
}

/** Whether a style sets `width` and `height` to 1px (or 0), as trackers hide their images. */
function styled1x1(style: string): boolean {
  const size: Record<string, boolean> = {};
  for (const declaration of style.split(';')) {
    const colon = declaration.indexOf(':');
    if (colon < 0) continue;
    const name = declaration.slice(0, colon).trim().toLowerCase();
    if (name === 'width' || name === 'height') size[name] = /^[01](?:px)?(?:\s*!important)?$/i.test(declaration.slice(colon + 1).trim());
  }
  return size.width === true && size.height === true;
}

/** Attributes with the real image of a lazy-loading placeholder as `src` (and `srcset`); the object given is left alone. */
function promoteLazySource(attribs: Record<string, string>): Record<string, string> {
  let attrs = attribs;
  const src = attrs.src?.trim();
  if (!src || src.startsWith('data:')) {
    const lazy = LAZY_SRC.find((a) => attrs[a]?.trim());
    if (lazy) attrs = { ...attrs, src: attrs[lazy] };
  }
  if (!attrs.srcset && attrs['data-srcset']) attrs = { ...attrs, srcset: attrs['data-srcset'] };
  return attrs;
}

const INTEGER = /^\d+$/;
const FLOAT = /^-?(?:[0-9]+|[0-9]*\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/**
 * A srcset with only http(s) candidates, resolved, each written `url[ Nw][ Nh][ Nx]`;
 * a candidate whose descriptors a browser would reject goes. Undefined when none is left.
 */
export function cleanSrcset(value: string, base: URL | undefined): string | undefined {
  let out: string | undefined;
  for (const c of parseSrcset(value)) {
    const url = safeUrl(c.url, 'media', base);
    // A comma inside a URL would end the candidate when read back.
    if (!url || url.includes(',')) continue;
    const descriptors = descriptorText(c.descriptor);
    if (descriptors === undefined) continue;
    out = out === undefined ? url + descriptors : out + ', ' + url + descriptors;
  }
  return out;
}

/** ` 100w`, ` 2x`… for a valid descriptor list (empty when there is none), undefined for an invalid one. */
function descriptorText(descriptor: string): string | undefined {
  if (descriptor === '') return '';
  let w = 0;
  let h = 0;
  let d = 0;
  for (const token of descriptor.split(' ')) {
    const unit = token[token.length - 1];
    const number = token.slice(0, -1);
    if (unit === 'w' && INTEGER.test(number) && !w && !d) w = parseInt(number, 10);
    else if (unit === 'h' && INTEGER.test(number) && !h && !d) h = parseInt(number, 10);
    else if (unit === 'x' && FLOAT.test(number) && !w && !h && !d) d = parseFloat(number);
    else return undefined;
    if ((unit === 'w' && w === 0) || (unit === 'h' && h === 0) || d < 0) return undefined;
  }
  return (w ? ` ${w}w` : '') + (h ? ` ${h}h` : '') + (d ? ` ${d}x` : '');
}
