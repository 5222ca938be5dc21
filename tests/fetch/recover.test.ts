import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FeedParseError, parseFeed } from '../../src/fetch/index.ts';
import { thrownBy } from '../helpers/thrown.ts';

// Issue 11, part 2: a truncated or mis-nested feed keeps every complete item
// and says, line by line, what was repaired (ParsedFeed.recovered).

const hostile = (name: string) => readFileSync(new URL(`../fixtures/hostile/${name}`, import.meta.url), 'utf8');

const parseError = (text: string) => thrownBy(FeedParseError, () => parseFeed(text, 'https://x.example/feed'), 'parseFeed to fail');

const item = (n: number) => `<item><title>Item ${n}</title><link>https://x.example/${n}</link><guid>g${n}</guid></item>`;

describe('truncated documents', () => {
  it('keeps every item of a feed missing its closing </channel></rss>', () => {
    const feed = parseFeed(`<rss version="2.0"><channel><title>T</title>\n${item(1)}\n${item(2)}\n`, 'https://x.example/');
    expect(feed.items.map((i) => i.guid)).toEqual(['g1', 'g2']);
    expect(feed.title).toBe('T');
    expect(feed.recovered).toEqual(['document ends at line 3 with <channel>, <rss> still open (truncated?)']);
  });

  it('drops an item cut mid-way and keeps the complete ones before it', () => {
    const feed = parseFeed(`<rss version="2.0"><channel>\n${item(1)}\n${item(2)}\n<item><title>Cut`, 'https://x.example/');
    expect(feed.items.map((i) => i.title)).toEqual(['Item 1', 'Item 2']);
    expect(feed.recovered).toEqual(['document ends inside <item> at line 4 (truncated?): the incomplete last item was dropped']);
  });

  it('reads the hostile truncated.xml fixture: one complete item, the cut one dropped', () => {
    const feed = parseFeed(hostile('truncated.xml'), 'https://truncated.example/feed');
    expect(feed.items).toEqual([
      expect.objectContaining({ title: 'Complete item', link: 'https://truncated.example/1', date: 'Mon, 01 Apr 2024 00:00:00 GMT' }),
    ]);
    expect(feed.recovered).toEqual(['document ends inside <item> at line 14 (truncated?): the incomplete last item was dropped']);
  });

  it('drops a cut Atom entry and a cut RDF item too', () => {
    const atom = parseFeed('<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id></entry>\n<entry><id>2', 'https://x.example/');
    expect(atom.items.map((i) => i.guid)).toEqual(['1']);
    expect(atom.recovered).toEqual(['document ends inside <entry> at line 2 (truncated?): the incomplete last item was dropped']);
    const rdf = parseFeed(
      '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel><title>R</title></channel>\n<item><title>one</title></item><item><title>tw',
      'https://x.example/',
    );
    expect(rdf.items.map((i) => i.title)).toEqual(['one']);
    expect(rdf.recovered?.[0]).toMatch(/^document ends inside <item> at line 2/);
  });

  it('fails as parse, with the line, when no complete item is left', () => {
    expect(parseError(`<rss version="2.0"><channel>\n<item><title>Cut`)).toMatchObject({
      code: 'parse',
      message: 'malformed XML: document ends inside <item> at line 2 (truncated?): the incomplete last item was dropped',
    });
  });
});

describe('mis-nested and misspelt end tags', () => {
  it('closes an element left open at its parent’s end tag, and says where', () => {
    const feed = parseFeed('<rss version="2.0">\n<channel>\n<item><title>x</item>\n</channel></rss>', 'https://x.example/');
    expect(feed.items).toEqual([expect.objectContaining({ title: 'x' })]);
    expect(feed.recovered).toEqual(['<title> at line 3 is not closed; closed by </item> at line 3']);
  });

  it('reads the hostile malformed.xml fixture: </titel> is read as </title>', () => {
    const feed = parseFeed(hostile('malformed.xml'), 'https://malformed.example/feed');
    expect(feed.items).toEqual([expect.objectContaining({ title: 'Mismatched tags', link: 'https://malformed.example/1' })]);
    expect(feed.recovered).toEqual(['</titel> at line 7 closes nothing; read as </title> (misspelt?)']);
  });

  it('ignores an end tag that closes nothing and is no misspelling', () => {
    const feed = parseFeed('<rss><channel><item><title>t</title>\n<description>a</p> b</description></item></channel></rss>', 'https://x.example/');
    expect(feed.items[0]).toMatchObject({ title: 't', html: 'a b' });
    expect(feed.recovered).toEqual(['</p> at line 2 closes nothing; ignored']);
  });

  it('closes an item whose </item> is missing where the next item starts, keeping both', () => {
    const feed = parseFeed(
      `<rss><channel>\n<item><title>First</title><description>open <b>bold</description>\n<item><title>Second</title></item>\n${item(3)}</channel></rss>`,
      'https://x.example/',
    );
    expect(feed.items.map((i) => i.title)).toEqual(['First', 'Second', 'Item 3']);
    expect(feed.items[0].html).toBe('open <b>bold</b>');
    expect(feed.recovered).toEqual([
      '<b> at line 2 is not closed; closed by </description> at line 2',
      '<item> at line 2 is not closed; closed at the next <item> at line 3',
    ]);
    const atom = parseFeed('<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id>\n<entry><id>2</id></entry></feed>', 'https://x.example/');
    expect(atom.items.map((i) => i.guid)).toEqual(['1', '2']);
  });

  it('keeps an item whose </item> is missing when its channel closes', () => {
    const feed = parseFeed(`<rss><channel>${item(1)}<item><title>Open</title>\n</channel></rss>`, 'https://x.example/');
    expect(feed.items.map((i) => i.title)).toEqual(['Item 1', 'Open']);
    expect(feed.recovered).toEqual(['<item> at line 1 is not closed; closed by </channel> at line 2']);
  });

  it('describes the first 20 repairs and counts the rest, always saying where the document ends', () => {
    const feed = parseFeed(`<rss><channel>${'</x>'.repeat(30)}${item(1)}</channel></rss>`, 'https://x.example/');
    expect(feed.items).toHaveLength(1);
    expect(feed.recovered).toHaveLength(21);
    expect(feed.recovered?.at(-1)).toBe('… and 10 more repairs');
    const cut = parseFeed(`<rss><channel>${'</x>'.repeat(30)}${item(1)}<item><title>cut`, 'https://x.example/');
    expect(cut.recovered?.slice(-2)).toEqual(['… and 10 more repairs', 'document ends inside <item> at line 1 (truncated?): the incomplete last item was dropped']);
  });

  it('ignores what follows the root element', () => {
    const feed = parseFeed(`<rss><channel>${item(1)}</channel></rss>\n<b>Warning</b>: something <item><title>junk</title></item>`, 'https://x.example/');
    expect(feed.items.map((i) => i.title)).toEqual(['Item 1']);
    expect(feed.recovered).toBeUndefined();
  });

  it('leaves a well-formed feed without `recovered`', () => {
    expect(parseFeed(`<rss><channel>${item(1)}</channel></rss>`, 'https://x.example/').recovered).toBeUndefined();
  });

  it('refuses nesting deeper than 1000 levels as parse, with the line', () => {
    const deep = '<div>'.repeat(1500);
    expect(parseError(`<rss><channel><item><description>\n${deep}</description></item></channel></rss>`)).toMatchObject({
      code: 'parse',
      message: 'malformed XML: elements nest deeper than 1000 levels at line 2',
    });
  });
});
