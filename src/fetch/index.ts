// The fetch stage: a channel URL in, a ParsedFeed (or a precise error) out.
// http.ts gets the bytes, charset.ts makes them text, parse.ts makes that a
// feed; each is usable alone (discover and preview reuse them).
import type { ChannelSettings, FetchError, FetchOutcome, ParsedFeed } from '../core/types.ts';
import { decodeFeedBytes } from './charset.ts';
import { FeedParseError, errorText, fetchError } from './errors.ts';
import { fetchBytes, type FetchBytesRequest } from './http.ts';
import { parseFeed } from './parse.ts';

export { decodeFeedBytes, normalizeCharset, type DecodedText } from './charset.ts';
export { FeedParseError, type FeedParseErrorCode } from './errors.ts';
export { findFeedLinks, type FeedLink } from './feed-links.ts';
export { fetchBytes, FEED_ACCEPT, type FetchBytesOutcome, type FetchBytesRequest, type HttpSettings } from './http.ts';
export { parseFeed } from './parse.ts';
export { repairXml } from './repair.ts';
export { parseRetryAfter } from './retry-after.ts';

export interface FetchFeedRequest {
  url: string;
  settings: ChannelSettings;
  etag?: string;
  lastModified?: string;
  signal?: AbortSignal;
  /** See FetchBytesRequest.dispatcher. */
  dispatcher?: FetchBytesRequest['dispatcher'];
}

/**
 * Fetches and parses one channel. Never throws: HTTP, transport, size,
 * decoding and parsing failures all come back as `{ kind: 'error' }` with a
 * specific code and a message fit for a person.
 */
export async function fetchFeed(req: FetchFeedRequest): Promise<FetchOutcome> {
  try {
    const res = await fetchBytes(req);
    if (res.kind !== 'ok') return res;
    const { body, contentType, redirects: _redirects, kind: _kind, ...meta } = res;
    const parsed = await feedFromBytes(body, contentType, res.finalUrl, res.status);
    return parsed.kind === 'error' ? parsed : { kind: 'ok', ...meta, feed: parsed.feed, charset: parsed.charset, bytes: parsed.bytes };
  } catch (err) {
    // Unreachable by design; kept so one odd feed can never take the caller down.
    return { kind: 'error', error: fetchError('parse', `unexpected failure: ${errorText(err)}`) };
  }
}

export type FeedFromBytes = { kind: 'ok'; feed: ParsedFeed; charset: string; bytes: number } | { kind: 'error'; error: FetchError };

/**
 * The second half of fetchFeed: a 2xx body (decompressed) to a feed. Never
 * throws. Split out so the CPU-bound half can run on another thread.
 */
export async function feedFromBytes(body: Uint8Array, contentType: string | undefined, finalUrl: string, status: number): Promise<FeedFromBytes> {
  try {
    if (body.length === 0) return { kind: 'error', error: fetchError('empty', `the response body is empty (HTTP ${status} from ${finalUrl})`) };
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.length);
    const { text, charset } = decodeFeedBytes(bytes, contentType);
    const feed = await parseFeed(text, finalUrl);
    return { kind: 'ok', feed, charset, bytes: body.length };
  } catch (err) {
    if (err instanceof FeedParseError) return { kind: 'error', error: err.toFetchError() };
    // Unreachable by design; kept so one odd feed can never take the caller down.
    return { kind: 'error', error: fetchError('parse', `unexpected failure: ${errorText(err)}`) };
  }
}
