import type { ParsedFeed } from '../core/types.ts';
import type { StreamReader } from './xml-stream.ts';
import { FeedParseError } from './errors.ts';
import { alternateLink, text } from './item-fields.ts';
import { NS } from './namespaces.ts';
import { kids, type XElement } from './xml-tree.ts';

/** One format's reader, driven by the event stream (read-xml.ts). */
export interface FeedReader extends StreamReader {
  /** Name of an item the end of the document cut off, which was dropped. */
  dropped?: string;
  /** The feed read (no `recovered`: the driver adds that). Throws FeedParseError when the structure is not a feed's. */
  finish(): ParsedFeed;
}

/** The feed-level element with the fields kept while streaming as its children, for the field readers. */
export function withChildren(el: XElement | undefined, children: XElement[]): XElement | undefined {
  return el && { ...el, children };
}

/**
 * An RSS or RDF channel's fields as streamed, as a ParsedFeed's head: its
 * title (or dc:title) and alternate link (or atom:link). A missing channel
 * is no feed.
 */
export function channelHead(channel: XElement | undefined, fields: XElement[], root: string): { channel: XElement; title?: string; link?: string } {
  const el = withChildren(channel, fields);
  if (!el) throw new FeedParseError('parse', `malformed feed: <${root}> without a <channel>`);
  const title = text(kids(el, el.ns, 'title')) ?? text(kids(el, NS.dc, 'title'));
  const link = alternateLink(kids(el, el.ns, 'link')) ?? alternateLink(kids(el, NS.atom, 'link'));
  return { channel: el, ...(title ? { title } : {}), ...(link ? { link } : {}) };
}
