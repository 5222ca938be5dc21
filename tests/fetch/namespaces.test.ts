import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/fetch/index.ts';

// Elements are matched by namespace URI, whatever the prefix (issue 11, part 1).

const parse = (xml: string) => parseFeed(xml, 'https://ns.example/feed');

describe('namespace prefixes', () => {
  it('reads Atom links, Media RSS, content:encoded, Dublin Core and iTunes under odd prefixes', () => {
    const xml = `<rss version="2.0" xmlns:a10="http://www.w3.org/2005/Atom" xmlns:m="http://search.yahoo.com/mrss" xmlns:c="http://purl.org/rss/1.0/modules/content/"
      xmlns:d="http://purl.org/dc/elements/1.1/" xmlns:pod="https://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>Odd</title>
      <a10:link rel="alternate" href="https://ns.example/home"/>
      <item><title>One</title><a10:link href="https://ns.example/1"/><a10:link rel="enclosure" type="audio/mpeg" href="https://ns.example/1.mp3"/>
        <c:encoded>&lt;p&gt;Body&lt;/p&gt;</c:encoded><d:creator>Dee</d:creator><d:date>2024-05-01T10:00:00Z</d:date><d:subject>ns</d:subject>
        <m:group><m:content url="https://ns.example/v.mp4" type="video/mp4"/><m:thumbnail url="https://ns.example/t.jpg"/></m:group>
        <pod:image href="https://ns.example/cover.png"/></item></channel></rss>`;
    const feed = parse(xml);
    expect(feed.link).toBe('https://ns.example/home');
    expect(feed.items[0]).toEqual({
      title: 'One',
      link: 'https://ns.example/1',
      html: '<p>Body</p>',
      author: 'Dee',
      date: '2024-05-01T10:00:00Z',
      categories: ['ns'],
      enclosures: [
        { url: 'https://ns.example/1.mp3', type: 'audio/mpeg' },
        { url: 'https://ns.example/v.mp4', type: 'video/mp4' },
      ],
      images: ['https://ns.example/t.jpg', 'https://ns.example/cover.png'],
    });
  });

  it('reads an Atom document whose every element is prefixed, with an xhtml div under its own prefix', () => {
    const xml = `<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>P</a:title><a:author><a:name>Feed author</a:name></a:author>
      <a:entry><a:id>e1</a:id><a:title type="html">&lt;b&gt;Bold&lt;/b&gt; title</a:title><a:link href="https://ns.example/e1"/>
      <a:content type="xhtml"><h:div xmlns:h="http://www.w3.org/1999/xhtml"><h:p>Hi <h:a href="x">there</h:a></h:p></h:div></a:content></a:entry></a:feed>`;
    expect(parse(xml)).toMatchObject({
      format: 'atom',
      title: 'P',
      items: [{ guid: 'e1', title: 'Bold title', link: 'https://ns.example/e1', author: 'Feed author', html: '<p>Hi <a href="x">there</a></p>' }],
    });
  });

  it('does not take an element of another namespace for a feed element of the same local name', () => {
    const xml = `<rss version="2.0" xmlns:x="urn:elsewhere" xmlns:media="urn:not-media-rss"><channel><item>
      <x:title>Wrong</x:title><title>Right</title><x:link>https://ns.example/wrong</x:link><link>https://ns.example/right</link>
      <media:thumbnail url="https://ns.example/not-an-image.jpg"/></item></channel></rss>`;
    expect(parse(xml).items[0]).toMatchObject({ title: 'Right', link: 'https://ns.example/right', images: [] });
  });

  it('reads well-known prefixes a feed forgot to declare', () => {
    const xml = '<rss version="2.0"><channel><item><title>t</title><dc:creator>Undeclared</dc:creator><content:encoded>&lt;p&gt;x&lt;/p&gt;</content:encoded></item></channel></rss>';
    expect(parse(xml).items[0]).toMatchObject({ author: 'Undeclared', html: '<p>x</p>' });
  });

  it('reads RSS 2.0 elements in a default namespace the feed declared', () => {
    const xml = '<rss xmlns="http://backend.userland.com/rss2" version="2.0"><channel><title>NS</title><item><title>a</title><link>https://ns.example/a</link></item></channel></rss>';
    expect(parse(xml)).toMatchObject({ title: 'NS', items: [{ title: 'a', link: 'https://ns.example/a' }] });
  });

  it('resolves a redeclared prefix by the innermost declaration', () => {
    const xml = `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:m="http://search.yahoo.com/mrss/"><entry xmlns:m="urn:other"><id>1</id>
      <m:thumbnail url="https://ns.example/no.jpg"/><m:thumbnail xmlns:m="http://search.yahoo.com/mrss/" url="https://ns.example/yes.jpg"/></entry>
      <entry><id>2</id><m:thumbnail url="https://ns.example/outer.jpg"/></entry></feed>`;
    expect(parse(xml).items.map((i) => i.images)).toEqual([['https://ns.example/yes.jpg'], ['https://ns.example/outer.jpg']]);
  });
});

describe('inline XHTML content', () => {
  it('keeps text, elements and CDATA in document order, serialized as HTML', () => {
    const xml = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id><content type="xhtml">
      <div xmlns="http://www.w3.org/1999/xhtml">Lead <em>one</em> middle <![CDATA[<raw> & text]]> <span class="a&quot;b">two <b>three</b> four</span> tail<br/>after<!-- dropped --><img src="i.png" alt=""/>&#160;end</div>
      </content></entry></feed>`;
    expect(parse(xml).items[0].html).toBe(
      'Lead <em>one</em> middle &lt;raw&gt; &amp; text <span class="a&quot;b">two <b>three</b> four</span> tail<br>after<img src="i.png" alt="">&nbsp;end',
    );
  });

  it('keeps the div when xhtml content is more than one div, and reads Atom 0.3 mode="xml"', () => {
    const multi = parse(
      '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>m</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">a</div><p xmlns="http://www.w3.org/1999/xhtml">b</p></content></entry></feed>',
    );
    expect(multi.items[0].html).toBe('<div>a</div><p>b</p>');
    const old = parse(
      '<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><id>o</id><content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Old <i>style</i></p></div></content></entry></feed>',
    );
    expect(old.items[0].html).toBe('<p>Old <i>style</i></p>');
  });

  it('serializes HTML left unescaped in an RSS description in order, raw text elements as written', () => {
    const xml = '<rss><channel><item><description><p>1 <b>2</b> 3</p><style>a > b { }</style><p>4 &amp; 5</p></description></item></channel></rss>';
    expect(parse(xml).items[0].html).toBe('<p>1 <b>2</b> 3</p><style>a > b { }</style><p>4 &amp; 5</p>');
  });
});
