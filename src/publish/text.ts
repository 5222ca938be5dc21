import { Parser } from 'htmlparser2';

// Characters XML 1.0 forbids (C0 controls other than tab/LF/CR, U+FFFE/U+FFFF)
// and lone UTF-16 surrogates. One of them anywhere makes a whole feed
// unreadable for a strict parser, so every string is cleaned before output.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The string without characters XML 1.0 cannot carry. */
export function xmlSafe(s: string): string {
  return s.replace(XML_INVALID, '');
}

// Elements after which text reads as a new phrase: their boundary becomes a space.
const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'figcaption', 'figure', 'footer',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'ol', 'p', 'pre', 'section', 'table', 'td', 'th', 'tr', 'ul',
]);
// Elements whose text is never prose.
const SKIP = new Set(['script', 'style', 'template', 'noscript', 'iframe', 'svg', 'button']);

/** The visible text of an HTML fragment, whitespace collapsed. */
export function htmlToText(html: string): string {
  const parts: string[] = [];
  let skipping = 0;
  const parser = new Parser(
    {
      onopentagname(name) {
        if (SKIP.has(name)) skipping++;
        if (BLOCK.has(name)) parts.push(' ');
      },
      onclosetag(name) {
        if (SKIP.has(name)) skipping = Math.max(0, skipping - 1);
        if (BLOCK.has(name)) parts.push(' ');
      },
      ontext(text) {
        if (!skipping) parts.push(text);
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return xmlSafe(parts.join('').replace(/\s+/gu, ' ').trim());
}

/**
 * A plain-text excerpt of at most `max` characters (code points, so CJK and
 * emoji are never cut in half), ending at a word boundary when the text has
 * spaces near the cut, with an ellipsis when something was cut.
 */
export function excerpt(html: string, max = 240): string {
  const text = htmlToText(html);
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  let cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  if (space > cut.length * 0.7) cut = cut.slice(0, space);
  return `${cut.trimEnd()}…`;
}
