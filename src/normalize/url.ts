// URL resolution and scheme policy shared by the sanitizer and the front matter.

// `http://…` and `https://…` are absolute whatever the base. Parsing them
// alone halves the cost: the URL constructor parses a base again on every
// call, even one given as a URL. (Anything else, `https:x` included, is
// resolved against the base.)
const ABSOLUTE_HTTP = /^https?:\/\//i;

/** Parses `value` against `base`; undefined when either is unusable. */
export function tryUrl(value: string | undefined, base?: URL | string): URL | undefined {
  if (!value) return undefined;
  const v = value.trim();
  try {
    return ABSOLUTE_HTTP.test(v) ? new URL(v) : new URL(v, base);
  } catch {
    return undefined;
  }
}

function isHttp(u: URL | undefined): u is URL {
  return u !== undefined && (u.protocol === 'http:' || u.protocol === 'https:');
}

/** Absolute http(s) URL of `value` (resolved against `base`), else undefined. */
export function httpUrl(value: string | undefined, base?: URL): string | undefined {
  const u = tryUrl(value, base);
  return isHttp(u) ? u.href : undefined;
}

/**
 * The item's absolute link and the base for its relative URLs: its xml:base,
 * then its link, then the feed's xml:base / link, then the URL the feed was
 * fetched from. Each is resolved against the scope around it, as XML Base nests.
 */
export function itemUrls(opts: { itemBase?: string; itemLink?: string; feedBase?: string; feedLink?: string; feedUrl?: string }): {
  base?: URL;
  link?: string;
} {
  const fetched = tryUrl(opts.feedUrl);
  const root = isHttp(fetched) ? fetched : undefined;
  const feedBase = tryUrl(opts.feedBase, root);
  const feedScope = isHttp(feedBase) ? feedBase : root;
  const feedLink = tryUrl(opts.feedLink, feedScope);
  const xmlBase = tryUrl(opts.itemBase, feedScope);
  const itemScope = isHttp(xmlBase) ? xmlBase : feedScope;
  const itemLink = tryUrl(opts.itemLink, itemScope);
  const link = isHttp(itemLink) ? itemLink : undefined;
  const base = [xmlBase, link, feedLink, feedScope].find(isHttp);
  return { base, link: link?.href };
}

export type UrlUse = 'link' | 'media' | 'image-src';

const LINK_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:', 'tel:']);
const MEDIA_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:']);
// Any base works for telling relative from absolute; this one can never be real.
const PROBE_BASE = 'https://refeed.invalid/';
const PROBE_ORIGIN = new URL(PROBE_BASE).origin;

/**
 * The URL to write for an attribute, or undefined to drop it. Resolution uses
 * the WHATWG parser, the one browsers use, so a scheme hidden with tabs,
 * newlines or entities (`java&#9;script:`) is seen as the browser will see it.
 * `link` allows http(s)/mailto/tel; `media` only http(s); `image-src` also
 * data:image/… (an image can't run script). Fragment-only links stay as they
 * are so in-page anchors (tables of contents) keep working.
 */
export function safeUrl(value: string, use: UrlUse, base: URL | undefined): string | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  if (use === 'link' && v.startsWith('#')) return v;
  const probe = tryUrl(v, base ?? PROBE_BASE);
  if (!probe) return undefined;
  if (use === 'image-src' && probe.protocol === 'data:') {
    return /^data:image\/[a-z0-9.+-]+[;,]/i.test(probe.href) ? v : undefined;
  }
  const allowed = use === 'link' ? LINK_SCHEMES : MEDIA_SCHEMES;
  if (!allowed.has(probe.protocol)) return undefined;
  // Without a base a relative URL is left relative: it can't name a scheme.
  if (!base && probe.origin === PROBE_ORIGIN) return v;
  return probe.href;
}

/** Splits a srcset into candidates (URL + descriptor), following the HTML algorithm closely enough. */
export function parseSrcset(srcset: string): { url: string; descriptor: string }[] {
  const out: { url: string; descriptor: string }[] = [];
  let i = 0;
  const n = srcset.length;
  const ws = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';
  while (i < n) {
    while (i < n && (ws(srcset[i]) || srcset[i] === ',')) i++;
    if (i >= n) break;
    let start = i;
    while (i < n && !ws(srcset[i])) i++;
    let url = srcset.slice(start, i);
    let descriptor = '';
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      start = i;
      let depth = 0;
      while (i < n && (srcset[i] !== ',' || depth > 0)) {
        if (srcset[i] === '(') depth++;
        else if (srcset[i] === ')') depth = Math.max(0, depth - 1);
        i++;
      }
      descriptor = srcset.slice(start, i).trim().replace(/\s+/g, ' ');
    }
    if (url) out.push({ url, descriptor });
  }
  return out;
}
