import type { ParsedFeed } from '../core/types.ts';
import { FeedParseError } from './errors.ts';
import { findFeedLinks } from './feed-links.ts';
import { parseJsonFeed } from './parse-json.ts';
import { readProlog } from './prolog.ts';
import { formatOfRoot, parseXmlFeed } from './read-xml.ts';
import { repairXml } from './repair.ts';

/** Elements that only start HTML documents (or HTML error pages and PHP warnings). */
const HTML_ROOTS = new Set(['html', 'head', 'body', 'div', 'p', 'br', 'b', 'script', 'style', 'meta', 'link', 'title', 'table', 'center', 'h1', 'h2', 'iframe', 'noscript', 'pre', 'span', 'form']);

/**
 * Parses decoded feed text: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed
 * 1.0/1.1, sniffed from the content (servers' Content-Type is unreliable).
 * `baseUrl` is the document's URL: a relative xml:base resolves against it
 * and an HTML page's advertised feeds are made absolute with it.
 * Throws FeedParseError: `empty`, `not-a-feed` (HTML page, other XML or
 * JSON; with the page's advertised feeds in `alternates`), or `parse`.
 * A broken document read anyway lists its repairs in `recovered`.
 */
export function parseFeed(text: string, baseUrl: string): ParsedFeed {
  const start = text.search(/[^\s\uFEFF\u200B]/);
  if (start === -1) throw new FeedParseError('empty', 'the response body is empty');
  const body = start > 0 ? text.slice(start) : text;

  if (body[0] === '{' || body[0] === '[') return parseJsonFeed(body);

  const xml = repairXml(body);
  const root = readProlog(xml);
  if (!root) {
    if (xml.startsWith('<')) throw new FeedParseError('parse', 'malformed XML: no root element could be found');
    throw notMarkup(body);
  }
  const htmlDoctype = root.doctype?.toLowerCase() === 'html';
  if (HTML_ROOTS.has(root.name.toLowerCase()) || (htmlDoctype && !formatOfRoot(root))) throw htmlPage(body, baseUrl);
  // A feed some template prefixed with an HTML page's DOCTYPE: the root says what it is.
  const notes = htmlDoctype ? [`a stray <!DOCTYPE ${root.doctype}> before <${root.name}> was ignored`] : [];
  return parseXmlFeed(xml, root, baseUrl, notes);
}

function htmlPage(html: string, baseUrl: string): FeedParseError {
  const links = findFeedLinks(html, baseUrl).map((l) => l.url);
  if (links.length === 0) return new FeedParseError('not-a-feed', 'not a feed: this is an HTML page, and it advertises no feed (<link rel="alternate">)');
  const where = links.length === 1 ? `a feed at ${links[0]}` : `${links.length} feeds: ${links.join(', ')}`;
  return new FeedParseError('not-a-feed', `not a feed: this is an HTML page; it advertises ${where}`, links);
}

/** Neither markup nor JSON: binary data (a 'parse' failure) or some plain text (not a feed). */
function notMarkup(body: string): FeedParseError {
  const sample = body.slice(0, 512);
  // eslint-disable-next-line no-control-regex
  const odd = sample.match(/[\u0000-\u0008\u000E-\u001F\uFFFD]/g)?.length ?? 0;
  if (odd > sample.length * 0.05) return new FeedParseError('parse', 'not a feed: the response is binary data, neither XML nor JSON');
  const preview = sample.slice(0, 60).replace(/\s+/g, ' ').trim();
  return new FeedParseError('not-a-feed', `not a feed: the response is plain text ("${preview}${body.length > 60 ? '…' : ''}"), neither XML nor JSON`);
}
