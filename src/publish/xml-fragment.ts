import { XMLBuilder } from 'fast-xml-parser';

// Item fragments are the bulk of every published feed (tens of thousands per
// full publish), so they are serialized by fast-xml-parser's builder, several
// times faster than xml-js's; the feed envelopes around them stay with
// `feed` + xml-js (xml.ts). Unindented on purpose: the builder's pretty
// printing puts whitespace inside elements that hold CDATA, which would
// change their text.

/** fast-xml-parser's object form: keys are element names, `@name` attributes, `#text` text, `#cdata` a CDATA section; arrays repeat an element. */
export type XmlNode = { [name: string]: string | XmlNode | (string | XmlNode)[] };

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  cdataPropName: '#cdata',
  format: false,
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
  // Text and attribute values are escaped by the builder (processEntities,
  // its default); "]]>" inside CDATA is split by it too.
});

/** A CDATA section holding `value` (split by the builder where the value contains "]]>"). */
export function cdata(value: string): XmlNode {
  return { '#cdata': value };
}

/**
 * A value for an attribute. The builder escapes markup characters but leaves
 * tabs and line breaks raw, which a reader's attribute normalization turns
 * into spaces: they are made spaces here, so what is written is what is read.
 */
export function attrValue(value: string): string {
  return value.replace(/[\t\n\r]/g, ' ');
}

/** `node` (one element) serialized on one line. */
export function buildFragment(node: XmlNode): string {
  return builder.build(node) as string;
}
