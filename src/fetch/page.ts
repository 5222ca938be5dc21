// An item's web page, fetched for its full text: the feed fetch's HTTP client
// and policy (address policy, size cap, timeout, redirect limit), asking for
// HTML and refusing anything else before a byte of it is parsed.
import type { FetchError } from '../core/types.ts';
import { fetchError } from './errors.ts';
import { fetchBytes, type FetchBytesRequest, type HttpSettings } from './http.ts';

export const PAGE_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1';

export type PageOutcome = { kind: 'ok'; body: Buffer; contentType?: string; finalUrl: string } | { kind: 'error'; error: FetchError };

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

/** Whether a response is an HTML page: by its declared type, or, undeclared, by its first bytes. */
function isHtml(contentType: string | undefined, body: Buffer): boolean {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  if (type) return HTML_TYPES.has(type);
  const head = body.subarray(0, 512).toString('latin1').replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || /^<(?:!--|head|body|meta|title|div|p|article)\b/.test(head);
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * The channel's fetch settings for one of its items' pages: the channel's
 * credentials (`headers: { Authorization: … }`, cookies) are the feed's, and
 * go only to the feed's own origin, never to whatever host an item links to.
 */
export function pageSettings<S extends Pick<HttpSettings, 'headers'>>(settings: S, feedUrl: string, pageUrl: string): S {
  const headers = settings.headers ?? {};
  if (originOf(feedUrl) === originOf(pageUrl) || !Object.keys(headers).some((h) => CREDENTIAL_HEADERS.has(h.toLowerCase()))) return settings;
  return { ...settings, headers: Object.fromEntries(Object.entries(headers).filter(([h]) => !CREDENTIAL_HEADERS.has(h.toLowerCase()))) };
}

/** GETs an item's page under the channel's fetch settings. Never throws. */
export async function fetchPage(req: Omit<FetchBytesRequest, 'accept' | 'etag' | 'lastModified'>): Promise<PageOutcome> {
  const res = await fetchBytes({ ...req, accept: PAGE_ACCEPT });
  if (res.kind === 'error') return res;
  if (res.kind !== 'ok') return { kind: 'error', error: fetchError('http-status', `unexpected HTTP ${res.status} from ${res.finalUrl}`, { status: res.status }) };
  if (res.body.length === 0) return { kind: 'error', error: fetchError('empty', `the page is empty (HTTP ${res.status} from ${res.finalUrl})`) };
  if (!isHtml(res.contentType, res.body)) {
    const what = res.contentType ? res.contentType.split(';')[0].trim() : 'no Content-Type and no HTML';
    return { kind: 'error', error: fetchError('not-html', `${res.finalUrl} is not an HTML page (${what})`) };
  }
  return { kind: 'ok', body: res.body, ...(res.contentType ? { contentType: res.contentType } : {}), finalUrl: res.finalUrl };
}
