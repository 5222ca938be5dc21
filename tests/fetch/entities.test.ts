import { describe, expect, it } from 'vitest';
import { FeedParseError, parseFeed } from '../../src/fetch/index.ts';
import { EntityDecoder, MAX_ENTITY_EXPANSION } from '../../src/fetch/xml-entities.ts';
import { thrownBy } from '../helpers/thrown.ts';

// Entities as feeds mean them (issue 11, part 2): XML's five, numeric
// references, HTML names, the document's own DTD entities (bounded), and a
// stray `&` as text.

const titleOf = (xml: string) => parseFeed(xml, 'https://x.example/').items[0].title;

const parseError = (xml: string) => thrownBy(FeedParseError, () => parseFeed(xml, 'https://x.example/'), 'parseFeed to fail');

describe('EntityDecoder', () => {
  const d = new EntityDecoder();

  it('decodes XML, numeric and HTML references', () => {
    expect(d.decode('&lt;&amp;&gt;&quot;&apos; &#233;&#xE9;&#x1F600; &nbsp;&copy;&mdash;&hellip;&eacute;')).toBe('<&>"\' éé😀 \u00a0©—…é');
    expect(d.decode('&NotEqualTilde;')).toBe('\u2242\u0338');
  });

  it('keeps a stray & and unknown names as written, and returns plain text unchanged', () => {
    expect(d.decode('AT&T &unknown; & &#; &#xZZ; a&b')).toBe('AT&T &unknown; & &#; &#xZZ; a&b');
    const plain = 'no references here';
    expect(d.decode(plain)).toBe(plain);
  });

  it('drops references to characters XML forbids', () => {
    expect(d.decode('x&#0;y&#x1;z&#xFFFF;&#xD800;&#99999999;.')).toBe('xyz.');
  });

  it('expands declared entities, nested, before HTML names', () => {
    const dtd = new EntityDecoder(new Map([['brand', 'ACME &reg;'], ['full', '&brand; Corp &#38; co'], ['copy', 'own copy']]));
    expect(dtd.decode('&full; &copy;')).toBe('ACME ® Corp & co own copy');
  });
});

describe('the internal DTD subset', () => {
  it('expands the feed’s own entities in text and attributes', () => {
    const xml = `<?xml version="1.0"?>
<!DOCTYPE rss [
  <!-- a comment with ] and > in it -->
  <!ENTITY site "Example &amp; Co">
  <!ENTITY sq 'single "quoted" ]>'>
  <!ENTITY % pe "parameter entities are ignored">
]>
<rss><channel><item><title>&site; &sq;</title><enclosure url="https://x.example/&site;.mp3" type="audio/mpeg"/></item></channel></rss>`;
    const [item] = parseFeed(xml, 'https://x.example/').items;
    expect(item.title).toBe('Example & Co single "quoted" ]>');
    expect(item.enclosures[0].url).toBe('https://x.example/Example & Co.mp3');
  });

  it('never fetches external entities: a reference to one stays as written', () => {
    const xml = `<!DOCTYPE rss [<!ENTITY ext SYSTEM "http://127.0.0.1:9/evil"><!ENTITY pub PUBLIC "-//x" "file:///etc/passwd">]>
<rss><channel><item><title>a &ext; b &pub;</title></item></channel></rss>`;
    expect(titleOf(xml)).toBe('a &ext; b &pub;');
  });

  it('stops a billion-laughs document at the expansion bound, as a parse error', () => {
    const levels = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i <= 9; i++) levels.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    const err = parseError(`<!DOCTYPE rss [${levels.join('')}]><rss><channel><item><title>&lol9;</title></item></channel></rss>`);
    expect(err).toMatchObject({ code: 'parse' });
    expect(err.message).toMatch(/entities expand to more than 1,000,000 characters/);
  });

  it('stops a quadratic blow-up (one big entity used many times) at the same bound', () => {
    const big = 'x'.repeat(50_000);
    const uses = '&big;'.repeat(MAX_ENTITY_EXPANSION / big.length + 1);
    const err = parseError(`<!DOCTYPE rss [<!ENTITY big "${big}">]><rss><channel><item><title>${uses}</title></item></channel></rss>`);
    expect(err.message).toMatch(/entities expand to more than/);
  });

  it('refuses entities that refer to themselves or nest too deep', () => {
    expect(parseError('<!DOCTYPE rss [<!ENTITY a "&b;"><!ENTITY b "&a;">]><rss><channel><item><title>&a;</title></item></channel></rss>').message).toMatch(
      /refers to itself/,
    );
    const chain = Array.from({ length: 20 }, (_, i) => `<!ENTITY e${i} "${i === 19 ? 'end' : `&e${i + 1};`}">`).join('');
    expect(parseError(`<!DOCTYPE rss [${chain}]><rss><channel><item><title>&e0;</title></item></channel></rss>`).message).toMatch(/nest deeper than 16/);
  });

  it('reads HTML entities of Netscape-era feeds whose external DTD is never fetched', () => {
    const xml = '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel><item><title>Caf&eacute;&nbsp;&amp; more</title></item></channel></rss>';
    expect(titleOf(xml)).toBe('Café\u00a0& more');
  });
});
