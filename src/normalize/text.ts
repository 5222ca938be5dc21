import { createHash } from 'node:crypto';

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

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes the entities text extraction meets most; enough for matching and excerpts. */
function decodeBasicEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]+);/gi, (m, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : m;
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? m;
  });
}

const BLOCK_TAG = /<\/?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|tr|td|th|table|caption|blockquote|pre|section|article|aside|header|footer|figure|figcaption|img|video|audio|iframe|details|summary)\b[^>]*>/gi;

/**
 * Rough visible text of an HTML fragment, for include/exclude matching and
 * fallback titles. Not a sanitizer: its output is never written as HTML.
 */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<(script|style|template|svg|math)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    // Block boundaries separate words; inline tags must not (产品<b>经理</b> is one word).
    .replace(BLOCK_TAG, ' ')
    .replace(/<[^>]*>/g, '');
  return decodeBasicEntities(text).replace(/\s+/g, ' ').trim();
}

/** At most `max` code points, cut at a word boundary when one is near. */
export function excerpt(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max).join('');
  const space = cut.lastIndexOf(' ');
  return (space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd() + '…';
}
