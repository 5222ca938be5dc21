import { decodeHTMLStrict } from 'entities';

// Repairs for the ways real feeds break XML well-formedness, applied only
// where the intended document is unambiguous. Each is a no-op on
// well-formed XML, so repairing always is safe:
//  - anything before a late `<?xml` declaration (PHP warnings, whitespace, a
//    BOM that survived decoding) — the declaration can only come first;
//  - characters XML 1.0 forbids (control characters, lone surrogates) and
//    numeric references to them;
//  - HTML named entities (&nbsp; &copy; &mdash; …) the XML parser does not
//    know — rewritten as numeric references to the same characters;
//  - an `&` that starts no entity — escaped as `&amp;`.
// CDATA sections, comments and processing instructions are copied untouched
// (except for forbidden characters, which no context allows).

const XML_PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

// eslint-disable-next-line no-control-regex
const ILLEGAL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITY = /&(?:#([0-9]{1,10})|#[xX]([0-9a-fA-F]{1,8})|([A-Za-z_][A-Za-z0-9._-]{0,63}));/y;

/** How far in a late `<?xml` declaration is looked for: junk before it is never long. */
const PROLOG_SEARCH = 4096;

export function repairXml(input: string): string {
  // Forbidden characters go first: once removed, what was before them may be
  // leading whitespace to strip (so a second repair changes nothing).
  return fixAmpersands(stripBeforeDocument(removeIllegalChars(input)));
}

export function stripBeforeDocument(text: string): string {
  let t = text.replace(/^[\s\uFEFF\u200B]+/, '');
  if (!t.startsWith('<?xml')) {
    const decl = t.indexOf('<?xml', 0);
    if (decl > 0 && decl < PROLOG_SEARCH) t = t.slice(decl);
  }
  return t;
}

// The same characters without the surrogate pairing checks: a cheap test
// that lets the (lookaround, so slow) removal skip text with none of them.
// eslint-disable-next-line no-control-regex
const MAYBE_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** String.prototype.isWellFormed (no lone surrogates): in Node 20, not yet in TypeScript's ES2023 lib. */
type WellFormedCheck = string & { isWellFormed(): boolean };

export function removeIllegalChars(text: string): string {
  if (!MAYBE_ILLEGAL.test(text) && (text as WellFormedCheck).isWellFormed()) return text;
  return text.replace(ILLEGAL_CHARS, '');
}

export function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Rewrites entity references the XML parser would reject; see the header comment. */
export function fixAmpersands(text: string): string {
  if (!text.includes('&')) return text;
  const out: string[] = [];
  let copied = 0; // text[copied..] has not been emitted yet
  const n = text.length;
  // Next occurrences, recomputed only once passed: keeps the scan linear.
  let amp = -1;
  let bang = -1;
  let pi = -1;
  let i = 0;
  while (i < n) {
    if (amp < i) amp = indexOrEnd(text, '&', i);
    if (bang < i) bang = indexOrEnd(text, '<!', i);
    if (pi < i) pi = indexOrEnd(text, '<?', i);
    const markup = Math.min(bang, pi);
    if (amp === n && markup === n) break;
    if (markup < amp) {
      // Skip a section whose content is not parsed for entities.
      const end = sectionEnd(text, markup);
      if (end === -1) break; // unterminated: leave the rest for the parser to report
      i = end;
      continue;
    }
    ENTITY.lastIndex = amp;
    const m = ENTITY.exec(text);
    const length = m ? m[0].length : 1;
    const replacement = m ? entityReplacement(m) : '&amp;';
    if (replacement !== undefined) {
      out.push(text.slice(copied, amp), replacement);
      copied = amp + length;
    }
    i = amp + length;
  }
  if (copied === 0) return text;
  out.push(text.slice(copied));
  return out.join('');
}

function indexOrEnd(text: string, needle: string, from: number): number {
  const at = text.indexOf(needle, from);
  return at === -1 ? text.length : at;
}

/** Index just past the CDATA section, comment, PI or declaration starting at `start`, or -1. */
function sectionEnd(text: string, start: number): number {
  const close = text.startsWith('<![CDATA[', start) ? ']]>' : text.startsWith('<!--', start) ? '-->' : text.startsWith('<?', start) ? '?>' : '>';
  if (close === '>') {
    // <!DOCTYPE …> may hold an internal subset in brackets; other <!… are rare.
    const bracket = text.indexOf('[', start);
    const gt = text.indexOf('>', start);
    if (bracket !== -1 && gt !== -1 && bracket < gt) {
      const subsetEnd = text.indexOf(']', bracket);
      if (subsetEnd === -1) return -1;
      const end = text.indexOf('>', subsetEnd);
      return end === -1 ? -1 : end + 1;
    }
    return gt === -1 ? -1 : gt + 1;
  }
  const end = text.indexOf(close, start + 2);
  return end === -1 ? -1 : end + close.length;
}

/** What to write instead of a matched reference; undefined keeps it as is. */
function entityReplacement(m: RegExpExecArray): string | undefined {
  const [ref, dec, hex, name] = m;
  if (dec !== undefined || hex !== undefined) {
    const cp = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return isXmlChar(cp) ? undefined : '';
  }
  if (XML_PREDEFINED.has(name)) return undefined;
  const decoded = decodeHTMLStrict(ref);
  if (decoded === ref) return `&amp;${name};`; // not an entity anyone defines: literal text
  return [...decoded].map((ch) => `&#${ch.codePointAt(0)};`).join('');
}
