import { XMLBuilder } from 'fast-xml-parser';

// The one XML writer of refeed's output (feeds, OPML): fast-xml-parser's
// builder writes every element and attribute and does every escape, so no
// value ever reaches the output without going through it.

/** fast-xml-parser's object form: keys are element names, `@name` attributes, `#text` text, `#cdata` a CDATA section; arrays repeat an element. */
export type XmlNode = { [name: string]: string | XmlNode | (string | XmlNode)[] };

const SPACE_LIKE = /[\t\n\r]/g;

const OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  cdataPropName: '#cdata',
  suppressEmptyNode: true,
  // isPermaLink="true" must stay an attribute with a value.
  suppressBooleanAttributes: false,
  // Quotes need no escaping in text, and the builder escapes them in
  // attributes anyway; ">" is kept so that "]]>" can never appear in text.
  entities: [
    { regex: /&/g, val: '&amp;' },
    { regex: />/g, val: '&gt;' },
    { regex: /</g, val: '&lt;' },
  ],
  // The builder leaves tabs and line breaks raw in attributes, where a
  // reader's attribute normalization turns them into spaces: they are
  // written as spaces, so that what is written is what is read.
  attributeValueProcessor: (_name: string, value: unknown) => String(value).replace(SPACE_LIKE, ' '),
};

// Unindented: the builder's pretty printing puts whitespace around CDATA
// sections, which would change an element's text.
const fragments = new XMLBuilder({ ...OPTIONS, format: false });
// Documents hold no CDATA (see buildDocument), so they are indented: one element per line.
const documents = new XMLBuilder({ ...OPTIONS, format: true, indentBy: '  ' });

const DECLARATION: XmlNode = { '@version': '1.0', '@encoding': 'utf-8' };

/** A CDATA section holding `value` (split by the builder where the value contains "]]>"). */
export function cdata(value: string): XmlNode {
  return { '#cdata': value };
}

/** `node` (one element) serialized on one line. */
export function buildFragment(node: XmlNode): string {
  return fragments.build(node) as string;
}

/**
 * A whole document: the XML declaration, then `root` (one element) indented,
 * one element per line, ending with a line break. `root` must hold no CDATA
 * (indentation would change its text): put such content in fragments.
 */
export function buildDocument(root: XmlNode): string {
  return documents.build({ '?xml': DECLARATION, ...root }) as string;
}
