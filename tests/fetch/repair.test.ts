import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { repairXml } from '../../src/fetch/repair.ts';

// What is repaired on the text before the reader runs; entities are the
// reader's (tests/fetch/entities.test.ts).

describe('repairXml', () => {
  it('strips control characters and lone surrogates but keeps tabs, newlines and astral characters', () => {
    expect(repairXml('<a>\u0000a\u0008b\u000Bc\u001Fd\te\nf\uD800g\uDC00h\uFFFE😀</a>')).toBe('<a>abcd\te\nfgh😀</a>');
  });

  it('strips whitespace and a BOM before the document and junk before a late <?xml', () => {
    expect(repairXml('\uFEFF \n <?xml version="1.0"?><a/>')).toBe('<?xml version="1.0"?><a/>');
    expect(repairXml('Warning: headers already sent\n<?xml version="1.0"?><a/>')).toBe('<?xml version="1.0"?><a/>');
  });

  it('leaves entities, CDATA and a DOCTYPE to the reader', () => {
    const text = '<!DOCTYPE rss [<!ENTITY nbsp "&#160;">]><rss>&nbsp; AT&T <![CDATA[&]]></rss>';
    expect(repairXml(text)).toBe(text);
  });

  it('is the identity on well-formed documents', () => {
    const wellFormed = '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>A &amp; B</title><description><![CDATA[<p>&nbsp;</p>]]></description></channel></rss>';
    expect(repairXml(wellFormed)).toBe(wellFormed);
  });

  it('never throws and is idempotent on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('&', ';', '<', '>', '?', 'x', 'm', 'l', ' ', '\uFEFF', '\u0001', '\uD800') }), (s) => {
        const once = repairXml(s);
        expect(repairXml(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });
});
