// Issue 19's minimal feeds, one or more per class, shared by the reader
// fidelity tests, the well-formedness test and the feedparser differential
// test. Classes 1–8 are well-formed XML and must read with no `recovered`
// note; class 9's documents are read with the note `oddity` (the issue asks
// for one naming the oddity, though an XML parser accepts all but <r:rss>).

export interface FidelityFeed {
  name: string;
  text: string;
  /** The `recovered` note expected (class 9); none for the others. */
  oddity?: string;
}

const ITUNES = 'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"';
const DECL = '<?xml version="1.0" encoding="utf-8"?>\n';

const rss = (items: string, ns = '', channel = '<title>Fidelity</title><link>https://fidelity.example/</link>') =>
  `${DECL}<rss version="2.0"${ns ? ` ${ns}` : ''}>\n<channel>${channel}\n${items}\n</channel>\n</rss>\n`;

export const FIDELITY_FEEDS: FidelityFeed[] = [
  {
    name: 'class 1: nested itunes:category',
    text: rss(
      '<item><title>Episode 1</title><link>https://fidelity.example/1</link><guid>e1</guid><pubDate>Mon, 07 Jan 2019 12:00:00 GMT</pubDate></item>',
      ITUNES,
      '<title>Podcast</title><link>https://fidelity.example/</link>\n<itunes:category text="Technology">\n  <itunes:category text="Gadgets"/>\n</itunes:category>\n<itunes:category text="Arts"><itunes:category text="Design"></itunes:category></itunes:category>',
    ),
  },
  {
    name: 'class 2: HTML in RSS titles',
    text: rss(
      [
        '<item><title>Cocaine bust worth &amp;#163;300m</title><link>https://fidelity.example/2a</link></item>',
        '<item><title><![CDATA[1055ft<sup>2</sup> loft]]></title><link>https://fidelity.example/2b</link></item>',
        '<item><title>Fish &amp;amp; chips &lt;em&gt;tonight&lt;/em&gt;</title><link>https://fidelity.example/2c</link></item>',
        '<item><title>a &lt; b and c &gt; d</title><link>https://fidelity.example/2d</link></item>',
      ].join('\n'),
    ),
  },
  {
    name: 'class 3: windows-1252 numeric references',
    text: rss('<item><title>Don&#146;t panic: &#147;quote&#148; &#151; &#x80;5</title><link>https://fidelity.example/3</link></item>'),
  },
  {
    name: 'class 4: Atom 0.3 base64',
    text: `${DECL}<feed version="0.3" xmlns="http://purl.org/atom/ns#">
<title>Atom 0.3</title><link rel="alternate" type="text/html" href="https://fidelity.example/"/><modified>2004-01-02T00:00:00Z</modified>
<entry><title type="text/plain" mode="base64">${Buffer.from('Caf\u00e9 at noon').toString('base64')}</title>
<link rel="alternate" type="text/html" href="https://fidelity.example/4"/><id>tag:fidelity.example,2004:4</id>
<issued>2004-01-01T10:00:00Z</issued><modified>2004-01-01T10:00:00Z</modified>
<content type="text/html" mode="base64">${Buffer.from('<p>Hello <b>base64</b></p>').toString('base64')}</content></entry>
</feed>
`,
  },
  {
    name: 'class 4: Atom type="html" title with script',
    text: `${DECL}<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title><id>urn:x:feed</id><updated>2020-01-01T00:00:00Z</updated>
<entry><id>urn:x:4b</id><title type="html">safe&lt;script&gt;location.href='http://evil/'&lt;/script&gt; description&lt;style&gt;p{}&lt;/style&gt;</title>
<link href="https://fidelity.example/4b"/><updated>2020-01-01T00:00:00Z</updated></entry>
</feed>
`,
  },
  {
    name: 'class 5: dates',
    text: rss(
      [
        '<item><title>Spanish pubDate</title><link>https://fidelity.example/5a</link><pubDate>Lun, 07 Ene 2019</pubDate><dc:date>2019-01-07T12:00:00Z</dc:date></item>',
        '<item><title>dcterms</title><link>https://fidelity.example/5b</link><dcterms:modified>2019-02-03T04:05:06Z</dcterms:modified></item>',
        '<item><title>atom:updated</title><link>https://fidelity.example/5c</link><atom:updated>2019-03-04T05:06:07Z</atom:updated></item>',
        '<item><title>Zulu</title><link>https://fidelity.example/5d</link><pubDate>Sat, 07 Sep 2002 12:59:45 Z</pubDate></item>',
        '<item><title>Alpha</title><link>https://fidelity.example/5e</link><pubDate>Sat, 07 Sep 2002 12:59:45 A</pubDate></item>',
        '<item><title>Yankee</title><link>https://fidelity.example/5f</link><pubDate>Sat, 07 Sep 2002 12:59:45 Y</pubDate></item>',
      ].join('\n'),
      'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:atom="http://www.w3.org/2005/Atom"',
    ),
  },
  {
    name: 'class 5: Atom published unreadable, updated valid',
    text: `${DECL}<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title><id>urn:x:feed</id><updated>2020-01-01T00:00:00Z</updated>
<entry><id>urn:x:5g</id><title>Bad published</title><author><name>Ann</name></author><link href="https://fidelity.example/5g"/><published>sometime last week</published><updated>2020-02-02T02:02:02Z</updated></entry>
</feed>
`,
  },
  {
    name: 'class 6: authors',
    text: rss(
      [
        '<item><title>a10 author</title><link>https://fidelity.example/6a</link><a10:author><a10:name>Ada Writer</a10:name><a10:email>ada@fidelity.example</a10:email></a10:author></item>',
        '<item><title>atom author</title><link>https://fidelity.example/6b</link><atom:author><atom:name>Bob Writer</atom:name></atom:author></item>',
      ].join('\n'),
      'xmlns:a10="http://www.w3.org/2005/Atom" xmlns:atom="http://www.w3.org/2005/Atom"',
    ),
  },
  {
    name: 'class 6: Atom author with only an email',
    text: `${DECL}<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title><id>urn:x:feed</id><updated>2020-01-01T00:00:00Z</updated>
<entry><id>urn:x:6c</id><title>Email only</title><link href="https://fidelity.example/6c"/><author><email>carol@fidelity.example</email></author><updated>2020-01-01T00:00:00Z</updated></entry>
</feed>
`,
  },
  {
    name: 'class 7: guid isPermaLink="false"',
    text: rss(
      [
        '<item><title>Tracker id</title><guid isPermaLink="false">http://tracker.example.com/id/123</guid></item>',
        '<item><title>Permalink</title><guid isPermaLink="true">https://fidelity.example/7b</guid></item>',
      ].join('\n'),
    ),
  },
  {
    name: 'class 8: podcast fallbacks',
    text: rss(
      [
        '<item><itunes:title>Only an itunes:title</itunes:title><link>https://fidelity.example/8a</link><itunes:summary>Show notes: one &amp; two.\n\nSecond paragraph.</itunes:summary></item>',
        '<item><title>Both titles</title><itunes:title>iTunes title</itunes:title><link>https://fidelity.example/8b</link><description>Description wins</description><itunes:summary>Summary loses</itunes:summary></item>',
      ].join('\n'),
      ITUNES,
    ),
  },
  {
    name: 'class 9: stray HTML DOCTYPE before <rss>',
    oddity: 'a stray <!DOCTYPE html> before <rss> was ignored',
    text: `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n${rss('<item><title>After a doctype</title><link>https://fidelity.example/9a</link></item>').slice(DECL.length)}`,
  },
  {
    name: 'class 9: RSS items without <channel>',
    oddity: "<rss> has no <channel>: its items were read without the channel's title and link",
    text: `${DECL}<rss version="2.0">\n<item><title>No channel</title><link>https://fidelity.example/9b</link></item>\n</rss>\n`,
  },
  {
    name: 'class 9: RDF items without <channel>',
    oddity: "<rdf:RDF> has no <channel>: its items were read without the channel's title and link",
    text: `${DECL}<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">\n<item rdf:about="https://fidelity.example/9c"><title>No RDF channel</title><link>https://fidelity.example/9c</link></item>\n</rdf:RDF>\n`,
  },
  {
    name: 'class 9: prefixed root <r:rss>',
    oddity: 'the root element <r:rss> has a prefix; read as <rss>',
    text: `${DECL}<r:rss version="2.0">\n<channel><title>Prefixed</title><link>https://fidelity.example/</link>\n<item><title>Under r:rss</title><link>https://fidelity.example/9d</link></item>\n</channel>\n</r:rss>\n`,
  },
  {
    name: 'class 9: Atom with <item> for <entry>',
    oddity: 'Atom <item> elements instead of <entry>: read as entries',
    text: `${DECL}<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom items</title><id>urn:x:feed</id><updated>2020-01-01T00:00:00Z</updated>\n<item><id>urn:x:9e</id><title>An item</title><link href="https://fidelity.example/9e"/><updated>2020-01-01T00:00:00Z</updated></item>\n</feed>\n`,
  },
  {
    name: 'class 9: RSS 1.0 item inside <channel>',
    oddity: "RSS 1.0 <item> elements inside <channel> (they belong beside it): read as the feed's items",
    text: `${DECL}<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">\n<channel rdf:about="https://fidelity.example/"><title>RDF</title><link>https://fidelity.example/</link>\n<item rdf:about="https://fidelity.example/9f"><title>Inside channel</title><link>https://fidelity.example/9f</link></item>\n</channel>\n</rdf:RDF>\n`,
  },
];

export function fidelityFeed(name: string): string {
  const f = FIDELITY_FEEDS.find((d) => d.name === name);
  if (!f) throw new Error(`no fidelity feed named ${name}`);
  return f.text;
}
