import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { repairXml } from '../../src/fetch/repair.ts';

describe('repairXml', () => {
  it('rewrites HTML named entities as numeric references', () => {
    expect(repairXml('<a>&nbsp;&copy;&mdash;&hellip;&eacute;</a>')).toBe('<a>&#160;&#169;&#8212;&#8230;&#233;</a>');
  });

  it('rewrites a two-code-point entity as two references', () => {
    expect(repairXml('<a>&NotEqualTilde;</a>')).toBe('<a>&#8770;&#824;</a>');
  });

  it('keeps the XML predefined entities and valid numeric references', () => {
    const ok = '<a b="&quot;x&quot;">&amp;&lt;&gt;&apos;&#233;&#xE9;&#x1F600;</a>';
    expect(repairXml(ok)).toBe(ok);
  });

  it('escapes bare ampersands and unknown entity names', () => {
    expect(repairXml('<a href="?x=1&y=2">AT&T &unknown; & &#;</a>')).toBe('<a href="?x=1&amp;y=2">AT&amp;T &amp;unknown; &amp; &amp;#;</a>');
  });

  it('drops references to characters XML forbids', () => {
    expect(repairXml('<a>x&#0;y&#x1;z&#xFFFF;</a>')).toBe('<a>xyz</a>');
  });

  it('leaves CDATA sections, comments and processing instructions alone', () => {
    const text = '<a><![CDATA[Tom & Jerry &nbsp;]]><!-- a & b --><?pi x & y?></a>';
    expect(repairXml(text)).toBe(text);
  });

  it('leaves a DOCTYPE internal subset alone', () => {
    const text = '<!DOCTYPE rss [<!ENTITY nbsp "&#160;">]><rss>&nbsp;</rss>';
    expect(repairXml(text)).toBe('<!DOCTYPE rss [<!ENTITY nbsp "&#160;">]><rss>&#160;</rss>');
  });

  it('strips control characters and lone surrogates but keeps tabs, newlines and astral characters', () => {
    expect(repairXml('<a>\u0000a\u0008b\u000Bc\u001Fd\te\nf\uD800g\uDC00h\uFFFE😀</a>')).toBe('<a>abcd\te\nfgh😀</a>');
  });

  it('strips whitespace and a BOM before the document and junk before a late <?xml', () => {
    expect(repairXml('\uFEFF \n <?xml version="1.0"?><a/>')).toBe('<?xml version="1.0"?><a/>');
    expect(repairXml('Warning: headers already sent\n<?xml version="1.0"?><a/>')).toBe('<?xml version="1.0"?><a/>');
  });

  it('is the identity on well-formed documents', () => {
    const wellFormed = '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>A &amp; B</title><description><![CDATA[<p>&nbsp;</p>]]></description></channel></rss>';
    expect(repairXml(wellFormed)).toBe(wellFormed);
  });

  it('never throws and is idempotent on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('&', ';', '<', '>', '!', '[', ']', '-', '?', '#', 'x', 'a', 'n', 'b', 's', 'p', '1', ' ', 'C', 'D', 'A', 'T', '\u0001') }), (s) => {
        const once = repairXml(s);
        expect(repairXml(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('stays linear on pathological input', () => {
    const nasty = '<![CDATA['.repeat(20_000) + '&'.repeat(100_000) + '<!'.repeat(50_000);
    const started = Date.now();
    repairXml(nasty);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
