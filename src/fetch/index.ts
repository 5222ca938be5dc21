// The fetch stage: a channel URL in, a ParsedFeed (or a precise error) out.
// http.ts gets the bytes, charset.ts makes them text, parse.ts makes that a
// feed; each is usable alone (discover and preview reuse them).
import type { ChannelSettings, FetchError, FetchOutcome, ParsedFeed } from '../core/types.ts';
import { decodeFeedBytes } from './charset.ts';
import { FeedParseError, fetchError } from './errors.ts';
import { fetchBytes, type FetchBytesRequest } from './http.ts';
import { parseFeed } from './parse.ts';
import { documentUrl } from './url.ts';

export { decodeFeedBytes, normalizeCharset, type DecodedText } from './charset.ts';
export { FeedParseError, type FeedParseErrorCode } from './errors.ts';
export { findFeedLinks, type FeedLink } from './feed-links.ts';
export { createFetchAgents, forbiddenAddress, type FetchAgents } from './address-policy.ts';
export { fetchBytes, FEED_ACCEPT, type FetchBytesOutcome, type FetchBytesRequest, type HttpSettings } from './http.ts';
export { parseFeed } from './parse.ts';
export { fetchPage, pageSettings, PAGE_ACCEPT, type PageOutcome } from './page.ts';
export { parseRetryAfter } from './retry-after.ts';
export { linkHeaderWebSub, type WebSubLinks } from './websub-links.ts';

export interface FetchFeedRequest {
  url: string;
  settings: ChannelSettings;
  etag?: string;
  lastModified?: string;
  signal?: AbortSignal;
  /** See FetchBytesRequest.agents. */
  agents?: FetchBytesRequest['agents'];
  /** See FetchBytesRequest.dispatcher. */
  dispatcher?: FetchBytesRequest['dispatcher'];
}

/**
 * Fetches and parses one channel. HTTP, transport, size, decoding and the
 * feed's own faults all come back as `{ kind: 'error' }` with a specific code
 * and a message fit for a person; a repaired feed is `ok` with its repairs in
 * `feed.recovered`. Anything else thrown is a bug in refeed, and is left to
 * the caller's guard (ingest reports it as `internal`) rather than passed off
 * as the feed's fault.
 */
export async function fetchFeed(req: FetchFeedRequest): Promise<FetchOutcome> {
  const res = await fetchBytes(req);
  if (res.kind !== 'ok') return res;
  const { body, contentType, contentLocation, redirects: _redirects, kind: _kind, ...meta } = res;
  const parsed = feedFromBytes(body, contentType, res.finalUrl, res.status, contentLocation);
  return parsed.kind === 'error' ? parsed : { kind: 'ok', ...meta, feed: parsed.feed, charset: parsed.charset, bytes: parsed.bytes };
}

export type FeedFromBytes = { kind: 'ok'; feed: ParsedFeed; charset: string; bytes: number } | { kind: 'error'; error: FetchError };

/**
 * The second half of fetchFeed: a 2xx body (decompressed) to a feed, the
 * feed's faults as `{ kind: 'error' }`. Synchronous and split out so the
 * CPU-bound half can run on another thread. A `contentLocation` header is
 * the base of the feed's relative links (the feed's `base`, unless its own
 * xml:base says otherwise).
 */
export function feedFromBytes(body: Uint8Array, contentType: string | undefined, finalUrl: string, status: number, contentLocation?: string): FeedFromBytes {
  if (body.length === 0) return { kind: 'error', error: fetchError('empty', `the response body is empty (HTTP ${status} from ${finalUrl})`) };
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.length);
  const { text, charset } = decodeFeedBytes(bytes, contentType);
  const docUrl = documentUrl(finalUrl, contentLocation);
  try {
    const feed = parseFeed(text, docUrl);
    if (docUrl !== finalUrl && feed.base === undefined) feed.base = docUrl;
    return { kind: 'ok', feed, charset, bytes: body.length };
  } catch (err) {
    if (err instanceof FeedParseError) return { kind: 'error', error: err.toFetchError() };
    throw err; // a bug, not the feed's fault: see fetchFeed
  }
}
