import { Parser } from 'htmlparser2';

// Characters XML 1.0 forbids (C0 controls other than tab/LF/CR, U+FFFE/U+FFFF)
// and lone UTF-16 surrogates. One of them anywhere makes a whole feed
// unreadable for a strict parser, so every string is cleaned before output.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// Every character outside XML 1.0's plain ranges, surrogates included: a
// single-class scan, much cheaper than XML_INVALID's lookarounds, that rules
// out nearly every string (all but those with astral characters or bad ones).
// eslint-disable-next-line no-control-regex
const MAYBE_INVALID = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/;

/** The string without characters XML 1.0 cannot carry. */
export function xmlSafe(s: string): string {
  return MAYBE_INVALID.test(s) ? s.replace(XML_INVALID, '') : s;
}

// Elements after which text reads as a new phrase: their boundary becomes a space.
const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'figcaption', 'figure', 'footer',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'ol', 'p', 'pre', 'section', 'table', 'td', 'th', 'tr', 'ul',
]);
// Elements whose text is never prose.
const SKIP = new Set(['script', 'style', 'template', 'noscript', 'iframe', 'svg', 'button']);

/**
 * The visible text of an HTML fragment, whitespace collapsed. With `enough`,
 * parsing stops once the text is known to be longer than `enough` code
 * points: the result is then a prefix of the full text (all but its last
 * couple of characters exact), which is all an excerpt needs.
 */
function visibleText(html: string, enough = Infinity): string {
  const parts: string[] = [];
  let skipping = 0;
  let units = 0;
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
        if (skipping) return;
        parts.push(text);
        units += text.length;
      },
    },
    { decodeEntities: true },
  );
  const clean = () => xmlSafe(parts.join('').replace(/\s+/gu, ' ').trim());
  if (enough !== Infinity) {
    for (let at = 0; at < html.length; at += TEXT_CHUNK) {
      parser.write(html.slice(at, at + TEXT_CHUNK));
      // Cheap test first (UTF-16 units bound code points from above), exact one second.
      if (units > enough) {
        const text = clean();
        if (countCodePoints(text) > enough) return text;
      }
    }
  } else parser.write(html);
  parser.end();
  return clean();
}

const TEXT_CHUNK = 1024;

function countCodePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The visible text of an HTML fragment, whitespace collapsed. */
export function htmlToText(html: string): string {
  return visibleText(html);
}

/**
 * A plain-text excerpt of at most `max` characters (code points, so CJK and
 * emoji are never cut in half), ending at a word boundary when the text has
 * spaces near the cut, with an ellipsis when something was cut.
 */
export function excerpt(html: string, max = 240): string {
  // Only the first max - 1 characters of a longer text are used: reading a
  // few past `max` is enough, however long the article.
  const text = visibleText(html, max + 8);
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  let cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  if (space > cut.length * 0.7) cut = cut.slice(0, space);
  return `${cut.trimEnd()}…`;
}
