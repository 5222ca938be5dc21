import type { FeedFormat, ParsedFeed } from '../core/types.ts';
import { FeedParseError } from './errors.ts';
import type { FeedReader } from './feed-reader.ts';
import type { RootElement } from './prolog.ts';
import { AtomReader } from './read-atom.ts';
import { RssReader } from './read-rss.ts';
import { EntityDecoder } from './xml-entities.ts';
import { XmlStream } from './xml-stream.ts';

type XmlFormat = Exclude<FeedFormat, 'json'>;

const READERS: Record<XmlFormat, (docUrl: string) => FeedReader> = {
  rss: (docUrl) => new RssReader(docUrl, 'rss'),
  rdf: (docUrl) => new RssReader(docUrl, 'rdf'),
  atom: (docUrl) => new AtomReader(docUrl),
};

export function formatOfRoot(root: Pick<RootElement, 'name' | 'localName'>): XmlFormat | undefined {
  if (root.localName === 'feed') return 'atom';
  if (root.localName === 'rss') return 'rss'; // `<r:rss>` too: a prefixed root (noted)
  if (root.localName === 'RDF') return 'rdf';
  return undefined;
}

/**
 * Reads an RSS, RDF or Atom document (forbidden characters already removed)
 * whose root element the prolog scan found, in one streaming parse.
 * `baseUrl` is the document's URL, the base of a relative xml:base.
 *
 * A document broken in a way the reader could repair (truncated, an end tag
 * missing, misspelt or out of place) comes back with every complete item and
 * the repairs in `recovered`; one with no complete item left is a `parse`
 * FeedParseError naming the first problem and its line. Oddities of the
 * feed's structure read anyway (`prologNotes` from the caller, a prefixed
 * root, items outside their usual place) are in `recovered` too.
 */
export function parseXmlFeed(text: string, root: RootElement, baseUrl: string, prologNotes: readonly string[] = []): ParsedFeed {
  const format = formatOfRoot(root);
  if (!format) throw new FeedParseError('not-a-feed', `not a feed: an XML document whose root element is <${root.name}>`);
  const oddities = [...prologNotes];
  if (format === 'rss' && root.name !== 'rss') oddities.push(`the root element <${root.name}> has a prefix; read as <rss>`);
  const reader = READERS[format](baseUrl);
  const stream = new XmlStream(text.slice(root.start), countLines(text, root.start), new EntityDecoder(root.entities), reader);
  stream.run();
  if (stream.openAtEnd.length) {
    // The end of the document closed what was open: it was cut off.
    const line = stream.endLine();
    stream.note(
      () =>
        reader.dropped
          ? `document ends inside <${reader.dropped}> at line ${line} (truncated?): the incomplete last item was dropped`
          : `document ends at line ${line} with ${stream.openAtEnd.map((n) => `<${n}>`).join(', ')} still open (truncated?)`,
      true,
    );
  }
  const feed = reader.finish();
  const repairs = stream.recovered();
  if (repairs.length > 0 && feed.items.length === 0) throw new FeedParseError('parse', `malformed XML: ${repairs[0]}`);
  const recovered = [...oddities, ...repairs, ...reader.oddities];
  return recovered.length === 0 ? feed : { ...feed, recovered };
}

function countLines(text: string, end: number): number {
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}
