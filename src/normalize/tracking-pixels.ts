// Tracking pixels: images that exist to tell a tracker the article was read
// (and by whom), not to be seen. Dropped from bodies unless a channel says
// `tracking_pixels: false`. Two signs, either enough: the image is declared
// 1×1 (or 0×0), or it is loaded from a known tracker. The list is short and
// documented in the README: the trackers seen in real feeds.

interface Tracker {
  host: string;
  /** Any subdomain of `host` too. */
  subdomains?: boolean;
  /** Only these paths of the host (all when absent). */
  path?: RegExp;
}

const TRACKERS: readonly Tracker[] = [
  { host: 'medium.com', path: /^\/_\/stat\b/ },
  { host: 'feeds.feedburner.com', path: /^\/~r\/.*\/~4\// },
  { host: 'feeds.feedblitz.com', path: /^\/~\/i\// },
  { host: 'pixel.wp.com' },
  { host: 'stats.wordpress.com' },
  { host: 'google-analytics.com', subdomains: true, path: /^\/(?:g\/)?collect\b|^\/__utm\.gif/ },
  { host: 'www.facebook.com', path: /^\/tr\/?$/ },
  { host: 'pixel.quantserve.com' },
  { host: 'sb.scorecardresearch.com' },
  { host: 'list-manage.com', subdomains: true, path: /^\/track\/open\b/ },
];

// A dimension as a width/height attribute writes it: `1`, `1px`, `0`.
const TINY = /^\s*[01](?:\.0*)?\s*(?:px)?\s*$/i;

/** Whether an <img> with these attributes is a tracking pixel. */
export function isTrackingPixel(attribs: Readonly<Record<string, string>>): boolean {
  const { width, height, src } = attribs;
  if (width !== undefined && height !== undefined && TINY.test(width) && TINY.test(height)) return true;
  return src !== undefined && fromTracker(src);
}

function fromTracker(src: string): boolean {
  let url: URL;
  try {
    url = new URL(src);
  } catch {
    return false;
  }
  const host = url.hostname.toLowerCase();
  return TRACKERS.some(
    (t) => (host === t.host || (t.subdomains === true && host.endsWith(`.${t.host}`))) && (t.path === undefined || t.path.test(url.pathname)),
  );
}

/** A 1 or 0 width/height as refeed's sanitizer writes attributes (`width="1"`, `height="0px"`). */
const TINY_ATTRIBUTE = /\s(?:width|height)="\s*[01](?:\.0*)?\s*(?:px)?\s*"/i;

/**
 * Whether sanitized HTML may hold a tracking pixel: false only when none of
 * its images can be one, so a body without a sign is not read again (a
 * false true costs a read, never a pixel kept).
 */
export function mayHoldTrackingPixel(sanitizedHtml: string): boolean {
  if (TINY_ATTRIBUTE.test(sanitizedHtml)) return true;
  const lower = sanitizedHtml.toLowerCase(); // a host may be written in capitals; the URL parser reads it lowercased
  return TRACKERS.some((t) => lower.includes(t.host));
}
