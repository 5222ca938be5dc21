import type { ParsedFeed } from '../core/types.ts';
import type { StreamReader } from './xml-stream.ts';
import type { XElement } from './xml-tree.ts';

/** One format's reader, driven by the event stream (read-xml.ts). */
export interface FeedReader extends StreamReader {
  /** Name of an item the end of the document cut off, which was dropped. */
  dropped?: string;
  /** What was odd about the feed's structure and read anyway (items out of place), one sentence each. */
  readonly oddities: string[];
  /** The feed read (no `recovered`: the driver adds that). Throws FeedParseError when the structure is not a feed's. */
  finish(): ParsedFeed;
}

/** The feed-level element with the fields kept while streaming as its children, for the field readers. */
export function withChildren(el: XElement | undefined, children: XElement[]): XElement | undefined {
  return el && { ...el, children };
}
