import { setMaxListeners } from 'node:events';
import { STATUS_CODES } from 'node:http';
import { request, type Dispatcher } from 'undici';
import type { ChannelSettings, FetchError, FetchMeta } from '../core/types.ts';
import { BlockedAddressError, createFetchAgents, forbiddenAddress, type FetchAgents } from './address-policy.ts';
import { BodyError, formatBytes, readBody } from './body.ts';
import { fetchError } from './errors.ts';
import { classifyNetworkError } from './network-errors.ts';
import { parseRetryAfter } from './retry-after.ts';
import { redactUrl, redactUrlsIn } from '../util/redact.ts';

/** Feed types first; HTML last so content negotiation prefers a feed but pages still answer (discover). */
export const FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, ' +
  'application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.5, */*;q=0.3';


const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const PERMANENT_STATUSES = new Set([301, 308]);
/** Headers a cross-origin redirect must not carry to the new host (as browsers and undici do). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

export type HttpSettings = Pick<ChannelSettings, 'timeoutMs' | 'maxBytes' | 'maxRedirects' | 'userAgent' | 'headers' | 'allowPrivate'>;

export interface FetchBytesRequest {
  url: string;
  settings: HttpSettings;
  /** Validators from the last successful fetch: sent as If-None-Match / If-Modified-Since. */
  etag?: string;
  lastModified?: string;
  /** Accept header; defaults to FEED_ACCEPT. */
  accept?: string;
  /** Cancels the request (e.g. on shutdown); reported as a `network` error. */
  signal?: AbortSignal;
  /** The run's connection pools (see address-policy.ts); without them, this fetch makes its own. */
  agents?: FetchAgents;
  /** undici dispatcher to use instead (tests use it to fake DNS); the address policy then checks only literal IPs. */
  dispatcher?: Dispatcher;
}

export type FetchBytesOutcome =
  | (FetchMeta & { kind: 'not-modified' })
  | (FetchMeta & { kind: 'ok'; body: Buffer; contentType?: string; contentLocation?: string; redirects: string[]; /** The Link header (WebSub discovery). */ link?: string })
  | { kind: 'error'; error: FetchError };

/**
 * GETs `url` with conditional validators, following redirects by hand (so
 * loops, bad targets and permanent moves can be reported) and reading at most
 * `maxBytes` of decompressed body, all within `timeoutMs` from start to last
 * byte. Never throws: every failure is a `{ kind: 'error' }` outcome.
 */
export async function fetchBytes(req: FetchBytesRequest): Promise<FetchBytesOutcome> {
  const { settings } = req;
  let start: URL;
  try {
    start = new URL(req.url);
  } catch {
    return fail('network', `invalid URL "${req.url}"`);
  }
  if (!isHttp(start)) return fail('network', `unsupported URL scheme "${start.protocol}" in ${redact(start)}: only http and https can be fetched`);
  if (req.signal?.aborted) return fail('network', `request to ${redact(start)} aborted before it started`);

  // One deadline for the whole exchange: every redirect hop and the slowest
  // body all share it, so a server dripping bytes cannot hold a fetch open.
  // The caller's signal is relayed by hand rather than with AbortSignal.any,
  // whose listeners on a long-lived signal are not released on Node 20.
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, settings.timeoutMs);
  const onAbort = () => abort.abort();
  if (req.signal) {
    // A run shares one signal across all its fetches (site.concurrency at
    // once): more than EventTarget's default of 10 listeners is expected.
    setMaxListeners(0, req.signal);
    req.signal.addEventListener('abort', onAbort, { once: true });
  }
  const state: ExchangeState = { current: start, redirects: [] };
  const own = req.dispatcher || req.agents ? undefined : createFetchAgents();
  const agents = req.agents ?? own;
  const dispatcher = req.dispatcher ?? (settings.allowPrivate ? agents!.open : agents!.guarded);

  try {
    return await exchange(req, start, abort.signal, state, dispatcher);
  } catch (err) {
    const where = redact(state.current);
    if (timedOut) return fail('timeout', `no complete response from ${where} within ${settings.timeoutMs} ms`);
    if (req.signal?.aborted) return fail('network', `request to ${where} aborted`);
    if (err instanceof BodyError) return fail(err.code, `${err.message} (${where})`);
    const blocked = blockedCause(err);
    if (blocked) return fail('blocked', blockedMessage(state, blocked.message));
    return { kind: 'error', error: classifyNetworkError(err, state.current.href) };
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onAbort);
    await own?.close();
  }
}

/** The BlockedAddressError a connection failed with, however deep undici wrapped it. */
function blockedCause(err: unknown): BlockedAddressError | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) if (e instanceof BlockedAddressError) return e;
  return undefined;
}

function blockedMessage(state: ExchangeState, why: string): string {
  const what = state.redirects.length ? `redirect to ${redact(state.current)}` : `fetching ${redact(state.current)}`;
  return `${what} refused: ${why} (set allow_private: true on the channel to allow it)`;
}

interface ExchangeState {
  /** URL being requested now: error messages name it. */
  current: URL;
  redirects: string[];
}

async function exchange(req: FetchBytesRequest, start: URL, signal: AbortSignal, state: ExchangeState, dispatcher: Dispatcher): Promise<FetchBytesOutcome> {
  const { settings } = req;
  const seen = new Set<string>([loopKey(start)]);
  // The URL the channel should move to: advanced only while every hop so far
  // was permanent, since a temporary hop means the source itself did not move.
  let permanent: URL | undefined;
  let allPermanent = true;
  let url = start;

  for (;;) {
    state.current = url;
    // Names are judged where they are resolved (address-policy.ts); a literal address is never looked up, so here.
    const literal = settings.allowPrivate ? undefined : forbiddenAddress(url.hostname);
    if (literal) throw new BlockedAddressError(url.hostname, url.hostname, literal);
    const res = await request(withoutCredentials(url), {
      method: 'GET',
      headers: requestHeaders(req, start, url),
      signal,
      dispatcher,
    });
    // Destroying a body emits 'error' on it; with no listener that would be
    // an uncaught exception. Read errors still reach readBody's pipeline.
    res.body.on('error', ignore);
    const status = res.statusCode;
    const header = (name: string) => firstHeader(res.headers[name]);

    if (REDIRECT_STATUSES.has(status)) {
      discard(res.body);
      const location = header('location');
      if (!location) return fail('bad-redirect', `HTTP ${status} redirect without a Location header from ${redact(url)}`, { status });
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return fail('bad-redirect', `HTTP ${status} redirect from ${redact(url)} to an invalid URL "${redactUrlsIn(location)}"`, { status });
      }
      if (!isHttp(next)) return fail('bad-redirect', `redirect from ${redact(url)} to a non-HTTP URL (${next.protocol}), refused`, { status });
      carryCredentials(url, next);
      const key = loopKey(next);
      if (seen.has(key)) return fail('redirect-loop', `redirect loop: ${[...seen, key].map(shortUrl).join(' → ')}`, { status });
      if (state.redirects.length >= settings.maxRedirects) {
        return fail('too-many-redirects', `more than ${settings.maxRedirects} redirects starting at ${redact(start)} (last: ${redact(next)})`, { status });
      }
      seen.add(key);
      state.redirects.push(redact(next));
      allPermanent &&= PERMANENT_STATUSES.has(status);
      if (allPermanent) permanent = next;
      url = next;
      continue;
    }

    const notModified = status === 304;
    // A 304 may omit the validators; the ones we sent still describe what we have.
    const etag = header('etag') ?? (notModified ? req.etag : undefined);
    const lastModified = header('last-modified') ?? (notModified ? req.lastModified : undefined);
    const meta: FetchMeta = {
      // Relative links in the feed resolve against finalUrl: keep credentials out of it.
      finalUrl: withoutCredentials(url),
      ...(permanent && permanent.href !== start.href ? { permanentRedirect: permanent.href } : {}),
      status,
      ...(etag ? { etag } : {}),
      ...(lastModified ? { lastModified } : {}),
    };

    if (notModified) {
      discard(res.body);
      return { kind: 'not-modified', ...meta };
    }
    if (status < 200 || status >= 300) {
      discard(res.body);
      return { kind: 'error', error: statusError(status, url, header('retry-after')) };
    }

    const declared = Number(header('content-length'));
    if (Number.isFinite(declared) && declared > settings.maxBytes) {
      res.body.destroy();
      return fail('too-large', `${redact(url)} announces ${formatBytes(declared)}, over the ${formatBytes(settings.maxBytes)} limit`, { status });
    }
    try {
      const body = await readBody(res.body, { contentEncoding: header('content-encoding'), maxBytes: settings.maxBytes, signal });
      const contentLocation = header('content-location');
      const link = header('link');
      return { kind: 'ok', ...meta, body, contentType: header('content-type'), ...(contentLocation ? { contentLocation } : {}), redirects: state.redirects, ...(link ? { link } : {}) };
    } finally {
      res.body.destroy();
    }
  }
}

function statusError(status: number, url: URL, retryAfter: string | undefined): FetchError {
  const line = `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;
  const where = redact(url);
  if (status === 410) return fetchError('gone', `${line}: ${where} was removed for good; stop fetching it`, { status });
  if (status === 429 || status === 503) {
    const retryAfterSec = parseRetryAfter(retryAfter);
    const wait = retryAfterSec !== undefined ? `asks to retry after ${retryAfterSec} s` : 'gave no Retry-After';
    return fetchError('rate-limited', `${line} from ${where}: the server ${wait}`, {
      status,
      ...(retryAfterSec !== undefined ? { retryAfterSec } : {}),
    });
  }
  return fetchError('http-status', `${line} from ${where}`, { status });
}

function requestHeaders(req: FetchBytesRequest, start: URL, url: URL): Record<string, string> {
  const crossOrigin = url.origin !== start.origin;
  const headers: Record<string, string> = {
    'user-agent': req.settings.userAgent,
    accept: req.accept ?? FEED_ACCEPT,
    'accept-encoding': 'gzip, deflate, br',
  };
  for (const [name, value] of Object.entries(req.settings.headers ?? {})) {
    const key = name.toLowerCase();
    if (crossOrigin && CREDENTIAL_HEADERS.has(key)) continue;
    headers[key] = value;
  }
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  if (req.etag) headers['if-none-match'] = req.etag;
  if (req.lastModified) headers['if-modified-since'] = req.lastModified;
  return headers;
}

/** Credentials in the feed URL keep applying to same-origin redirect targets that carry none. */
function carryCredentials(from: URL, to: URL): void {
  if (to.origin !== from.origin || to.username || to.password) return;
  to.username = from.username;
  to.password = from.password;
}

/** Same resource for loop detection: no credentials, no fragment (never sent anyway). */
function loopKey(url: URL): string {
  const u = new URL(withoutCredentials(url));
  u.hash = '';
  return u.href;
}

function withoutCredentials(url: URL): string {
  if (!url.username && !url.password) return url.href;
  const u = new URL(url.href);
  u.username = '';
  u.password = '';
  return u.href;
}

/** For messages and logs: no password, no key or token (see util/redact.ts). */
function redact(url: URL): string {
  return redactUrl(url.href);
}

function shortUrl(raw: string): string {
  const href = redactUrl(raw);
  return href.length > 120 ? `${href.slice(0, 117)}...` : href;
}

function ignore(): void {}

/** Bodies of responses whose content is not used (304s, redirects, error pages) are read this far and no further. */
const DISCARD_LIMIT = 64 * 1024;

/**
 * Lets go of a body that is not read: drained in the background up to
 * DISCARD_LIMIT (so a keep-alive connection can serve the next request),
 * cut off beyond it. Destroying an unread body instead makes undici build an
 * error with its stack for each one: a tenth of a quiet run's CPU on 1,000
 * 304s.
 */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.dump({ limit: DISCARD_LIMIT }).catch(ignore);
}

function isHttp(url: URL): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:';
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

function fail(code: FetchError['code'], message: string, extra: Omit<FetchError, 'code' | 'message'> = {}): { kind: 'error'; error: FetchError } {
  return { kind: 'error', error: fetchError(code, message, extra) };
}
