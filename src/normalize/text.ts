import { createHash } from 'node:crypto';
import { DepthBoundParser } from '../util/html-parser.ts';

export function sha1Hex(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** The value when it is a string, else undefined: feed data is never trusted to be typed. */
export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Trimmed non-empty string, else undefined. */
export function nonEmpty(value: unknown): string | undefined {
  const s = str(value)?.trim();
  return s ? s : undefined;
}

// Characters YAML 1.2 does not allow in a document at all (outside c-printable):
// C0 controls except tab/LF/CR, DEL, C1 controls except NEL, lone surrogates,
// U+FFFE/U+FFFF. They cannot be written in a single-quoted or plain scalar.
const YAML_FORBIDDEN = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x84\x86-\x9f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Line breaks in any spelling (CR, LF, NEL, LS, PS), with the blanks around them.
const LINE_BREAKS = /[ \t]*(?:\r\n|[\r\n\u0085\u2028\u2029])[ \t\r\n\u0085\u2028\u2029]*/g;

/**
 * Text fit for a one-line YAML scalar: line breaks collapse to one space,
 * characters YAML forbids are dropped (and only those), ends trimmed.
 */
export function oneLine(text: string): string {
  return text.replace(YAML_FORBIDDEN, '').replace(LINE_BREAKS, ' ').trim();
}

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
const BLOCK: ReadonlySet<string> = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'figcaption', 'figure', 'footer',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'ol', 'p', 'pre', 'section', 'table', 'td', 'th', 'tr', 'ul',
]);
// Elements whose text is never prose.
const SKIP: ReadonlySet<string> = new Set(['script', 'style', 'template', 'noscript', 'iframe', 'svg', 'button']);

/**
 * The visible text of an HTML fragment, whitespace collapsed. With `enough`,
 * parsing stops once the text is known to be longer than `enough` code
 * points: the result is then a prefix of the full text (all but its last
 * couple of characters exact), which is all an excerpt needs.
 */
export function visibleText(html: string, enough = Infinity): string {
  const parts: string[] = [];
  let skipping = 0;
  let units = 0;
  // Depth-bound: linear however deep the markup nests (articles written before the sanitizer flattened deep nesting).
  const parser = new DepthBoundParser(
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
    html,
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

/**
 * The visible text of an HTML fragment, whitespace collapsed: for
 * include/exclude matching, fallback titles and excerpts. Not a sanitizer:
 * its output is never written as HTML.
 */
export function htmlToText(html: string): string {
  return visibleText(html);
}

/** At most `max` code points, cut at a word boundary when one is near. */
export function excerpt(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max).join('');
  const space = cut.lastIndexOf(' ');
  return (space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd() + '…';
}

/** RSS `author` is often `mail@example.com (Name)`: the name is what a reader wants. */
export function authorName(raw: string): string {
  const m = /^\s*\S+@\S+\s+\((.+)\)\s*$/.exec(raw);
  return oneLine(m ? m[1] : raw);
}
