// The repairs made on the decoded text before the reader sees it, because no
// tokenizer event can undo them afterwards:
//  - anything before a late `<?xml` declaration (PHP warnings, whitespace, a
//    BOM that survived decoding) is dropped: the declaration can only come first;
//  - characters XML 1.0 forbids (control characters, lone surrogates) are
//    removed wherever they are, since no context allows them.
// Entities (HTML names, stray `&`, references to forbidden characters) are
// the reader's job: see xml-entities.ts.

// eslint-disable-next-line no-control-regex
const ILLEGAL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** How far in a late `<?xml` declaration is looked for: junk before it is never long. */
const PROLOG_SEARCH = 4096;

/** Forbidden characters removed, then leading whitespace and junk before a late `<?xml` dropped. */
export function repairXml(input: string): string {
  // Forbidden characters go first: once removed, what was before them may be
  // leading whitespace to strip (so a second repair changes nothing).
  return stripBeforeDocument(removeIllegalChars(input));
}

function stripBeforeDocument(text: string): string {
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

function removeIllegalChars(text: string): string {
  if (!MAYBE_ILLEGAL.test(text) && (text as WellFormedCheck).isWellFormed()) return text;
  return text.replace(ILLEGAL_CHARS, '');
}

export function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
  );
}
