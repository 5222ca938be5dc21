import type { Sanitizer, SanitizedBody } from '../src/normalize/index.ts';
import { parseSrcset, safeUrl, type UrlUse } from '../src/normalize/url.ts';

// The sanitizer refeed had before its streaming one (src/normalize/sanitize.ts
// at commit 66fe297), kept here unchanged as the benchmark's reference: our
// transform on sanitize-html. sanitize-html is no longer a dependency, so the
// caller loads it (`npm install --no-save sanitize-html`) and passes it in.

/** The parts of sanitize-html used here (its types are not installed either). */
export type SanitizeHtml = ((html: string, options: object) => string) & { defaults: { nonBooleanAttributes?: string[] } };
type Attributes = Record<string, string>;
interface Tag {
  tagName: string;
  attribs: Attributes;
}

const TEXT_TAGS = [
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'div', 'span', 'blockquote', 'pre', 'code', 'kbd', 'samp', 'var',
  'b', 'i', 'u', 's', 'strike', 'del', 'ins', 'em', 'strong', 'small', 'big', 'sub', 'sup', 'mark', 'q', 'cite', 'abbr',
  'dfn', 'time', 'data', 'bdi', 'bdo', 'wbr', 'ruby', 'rb', 'rp', 'rt', 'rtc', 'a', 'address', 'article', 'aside',
  'footer', 'header', 'hgroup', 'main', 'nav', 'section', 'center', 'details', 'summary',
  'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'menu',
  'table', 'caption', 'colgroup', 'col', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
];
const MEDIA_TAGS = ['img', 'figure', 'figcaption', 'picture', 'source', 'video', 'audio', 'track', 'iframe'];
const ALLOWED_TAGS: ReadonlySet<string> = new Set([...TEXT_TAGS, ...MEDIA_TAGS]);

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

/** How each URL-bearing attribute is checked. */
function urlUse(tag: string, attr: string): UrlUse | 'srcset' | undefined {
  if (attr === 'href') return 'link';
  if (attr === 'src') return tag === 'img' ? 'image-src' : 'media';
  if (attr === 'srcset') return 'srcset';
  if (attr === 'poster' || attr === 'cite') return 'media';
  return undefined;
}

// Where sites hide the real image behind a lazy-loading placeholder.
const LAZY_SRC = ['data-src', 'data-original', 'data-lazy-src', 'data-actualsrc'];

// Containers whose content is no use as text when the tag itself goes.
const NON_TEXT_TAGS = ['script', 'style', 'textarea', 'option', 'xmp', 'select', 'noembed', 'noframes', 'template', 'title', 'svg', 'math'];

interface SanitizeState {
  base: URL | undefined;
  removed: Set<string>;
  firstImage: string | undefined;
}

function attrAllowed(tag: string, attr: string): boolean {
  return GLOBAL_ATTRS.includes(attr) || FREE_ATTR.test(attr) || (TAG_ATTRS[tag]?.includes(attr) ?? false);
}

function cleanSrcset(value: string, base: URL | undefined): string | undefined {
  const kept: string[] = [];
  for (const c of parseSrcset(value)) {
    const url = safeUrl(c.url, 'media', base);
    // A comma inside a URL would end the candidate when read back.
    if (url && !url.includes(',')) kept.push(c.descriptor ? `${url} ${c.descriptor}` : url);
  }
  return kept.length ? kept.join(', ') : undefined;
}

function transform(st: SanitizeState, hosts: ReadonlySet<string>, tagName: string, attribs: Attributes): Tag {
  if (!ALLOWED_TAGS.has(tagName)) {
    st.removed.add(tagName);
    return { tagName, attribs: {} };
  }
  const out: Attributes = {};
  if (tagName === 'img') {
    const src = attribs.src?.trim();
    if (!src || src.startsWith('data:')) {
      const lazy = LAZY_SRC.find((a) => attribs[a]?.trim());
      if (lazy) attribs = { ...attribs, src: attribs[lazy] };
    }
    if (!attribs.srcset && attribs['data-srcset']) attribs = { ...attribs, srcset: attribs['data-srcset'] };
  }
  for (const name of Object.keys(attribs)) {
    let value: string | undefined = attribs[name];
    if (typeof value !== 'string' || !attrAllowed(tagName, name)) {
      st.removed.add(`${tagName}[${name}]`);
      continue;
    }
    const use = urlUse(tagName, name);
    if (use === 'srcset') value = cleanSrcset(value, st.base);
    else if (use) value = safeUrl(value, use, st.base);
    if (value === undefined) {
      st.removed.add(`${tagName}[${name}]`);
      continue;
    }
    out[name] = value;
  }
  if (tagName === 'img') {
    delete out.referrerpolicy;
    out.referrerpolicy = 'no-referrer'; // last, as in the reference article
    if (st.firstImage === undefined && out.src && /^https?:/i.test(out.src)) st.firstImage = out.src;
  }
  if (tagName === 'iframe' && !iframeAllowed(hosts, out.src)) st.removed.add('iframe'); // cut out whole by `exclusiveFilter`
  return { tagName, attribs: out };
}

function iframeAllowed(hosts: ReadonlySet<string>, src: string | undefined): boolean {
  const host = src ? hostOf(src) : undefined;
  return host !== undefined && hosts.has(host);
}

function hostOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.hostname.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

// Tags without an entry fall back to '*' inside sanitize-html.
const allowedAttributes: Record<string, string[]> = { '*': [...GLOBAL_ATTRS, 'data-*', 'aria-*'], ...TAG_ATTRS };

export function createReferenceSanitizer(sanitize: SanitizeHtml, opts: { allowIframeHosts: readonly string[] }): Sanitizer {
  const hosts: ReadonlySet<string> = new Set(opts.allowIframeHosts.map((h) => h.trim().toLowerCase()));
  // The pass under way: sanitize-html's callbacks take no context of their own.
  let state: SanitizeState | undefined;
  const options = {
    allowedTags: [...ALLOWED_TAGS],
    allowedAttributes,
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['http', 'https', 'data'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'poster', 'action', 'formaction', 'data', 'xlink:href', 'background', 'ping', 'longdesc', 'usemap', 'codebase', 'classid', 'archive', 'profile', 'manifest', 'itemid', 'dynsrc', 'lowsrc'],
    allowProtocolRelative: true,
    // Empty `alt` is written bare (`alt`), as in the reference; other empty valued attributes go.
    allowedEmptyAttributes: [],
    nonBooleanAttributes: (sanitize.defaults.nonBooleanAttributes ?? []).filter((a) => a !== 'alt'),
    selfClosing: ['img', 'br', 'hr', 'wbr', 'source', 'track', 'col'],
    disallowedTagsMode: 'discard',
    nonTextTags: NON_TEXT_TAGS,
    parseStyleAttributes: false,
    transformTags: { '*': (tagName: string, attribs: Attributes) => transform(state!, hosts, tagName, attribs) },
    // A blocked iframe goes with everything inside it. (Renaming it to a
    // disallowed tag instead makes sanitize-html 2.17 write that name on a later
    // closing tag: `<p>after</refeed-blocked-iframe>`.)
    exclusiveFilter: (frame: { tag: string; attribs: Attributes }) => frame.tag === 'iframe' && !iframeAllowed(hosts, frame.attribs.src),
  };
  return {
    sanitize(html: string, base?: URL): SanitizedBody {
      const st: SanitizeState = { base, removed: new Set(), firstImage: undefined };
      const previous = state;
      state = st;
      let out: string;
      try {
        out = sanitize(typeof html === 'string' ? html : '', options);
      } catch (err) {
        // Never seen, but a body is not worth a crash: drop it and say so.
        return { html: '', removed: [`everything (sanitizer failed: ${(err as Error)?.message ?? String(err)})`] };
      } finally {
        state = previous;
      }
      const body: SanitizedBody = { html: finish(out), removed: [...st.removed] };
      if (st.firstImage !== undefined) body.firstImage = st.firstImage;
      return body;
    },
  };
}

const HEXO_ESCAPES: Record<string, string> = { '{': '&#123;', '}': '&#125;', '`': '&#96;', ' />': '>' };

/**
 * Makes sanitized HTML safe inside a Hexo post: braces become entities (so
 * Nunjucks sees no tags), backticks and ~~~ too (so Hexo's code-fence filter
 * sees no fences), void tags are written HTML-style (`<img …>`), and no blank
 * line is left (Markdown ends an HTML block at a blank line). Inside <pre> a
 * line break before a blank line becomes &#10;, which renders the same.
 * Safe on sanitize-html output, where `<` and `>` only ever delimit tags.
 */
function finish(html: string): string {
  const escaped = html
    .replace(/\r\n?/g, '\n')
    .replace(/[{}`]| \/>|~{3,}/g, (m) => (m[0] === '~' ? '&#126;'.repeat(m.length) : HEXO_ESCAPES[m]));
  return escaped
    .replace(/(<pre\b[^>]*>[\s\S]*?<\/pre>)|\n[ \t]*(?=\n)/g, (m, pre: string | undefined) =>
      pre ? pre.replace(/\n(?=[ \t]*\n)/g, '&#10;') : '',
    )
    .trim();
}
