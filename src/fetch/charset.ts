import { isUtf8 } from 'node:buffer';
import { analyse } from 'chardet';
import iconv from 'iconv-lite';

// Charset resolution, most trusted first:
//  1. a byte-order mark (browsers let it override any label);
//  2. the shape of UTF-16/32 text without a BOM (`<\0?\0`, XML 1.0 appendix F);
//  3. bytes that are valid UTF-8 with multi-byte sequences are UTF-8, whatever
//     a label says: legacy-encoded text practically never forms valid UTF-8,
//     while UTF-8 feeds mislabelled as ISO-8859-1 (a common server default) or
//     with a stale <?xml encoding> are everywhere. Miniflux does the same.
//     So are bytes that are UTF-8 but for a few stray bytes (a character cut
//     in half, one byte pasted from elsewhere): read any other way, every
//     other non-ASCII character would be garbled, so the stray bytes become
//     U+FFFD instead, as a browser shows a UTF-8 page;
//     A feed labelled UTF-8 that is ASCII but for a few stray bytes (no
//     well-formed multi-byte character to go by) is read the same way: the
//     label is the most trusted word there is, and a handful of bad bytes
//     is damage, not evidence of another charset (a legacy-encoded text
//     mislabelled UTF-8 has a malformed sequence in most lines);
//  4. otherwise the labels in browser order — the HTTP Content-Type charset,
//     then the in-document declaration (<?xml encoding>, <meta charset>) —
//     taking the first that decodes the bytes without errors;
//  5. otherwise chardet's guess, and as a last resort the least-bad decode.

export interface DecodedText {
  text: string;
  /** The charset actually used, lower-case (e.g. `utf-8`, `gb18030`, `windows-1251`). */
  charset: string;
}

/** Canonical names for labels whose WHATWG meaning is a superset codec. */
const ALIASES: Record<string, string> = {
  utf8: 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  // GB2312 and GBK documents routinely use characters only GBK/GB18030 define.
  gb2312: 'gb18030',
  gbk: 'gb18030',
  'x-gbk': 'gb18030',
  cp936: 'gb18030',
  'windows-936': 'gb18030',
  'euc-cn': 'gb18030',
  csgb2312: 'gb18030',
  'gb_2312-80': 'gb18030',
  'iso-ir-58': 'gb18030',
  chinese: 'gb18030',
  big5: 'big5',
  'big5-hkscs': 'big5',
  'cn-big5': 'big5',
  'x-x-big5': 'big5',
  csbig5: 'big5',
  cp950: 'big5',
  shift_jis: 'shift_jis',
  'shift-jis': 'shift_jis',
  sjis: 'shift_jis',
  'x-sjis': 'shift_jis',
  ms_kanji: 'shift_jis',
  csshiftjis: 'shift_jis',
  'windows-31j': 'shift_jis',
  ms932: 'shift_jis',
  cp932: 'shift_jis',
  'euc-jp': 'euc-jp',
  eucjp: 'euc-jp',
  'x-euc-jp': 'euc-jp',
  'euc-kr': 'euc-kr',
  euckr: 'euc-kr',
  'ks_c_5601-1987': 'euc-kr',
  ksc5601: 'euc-kr',
  cp949: 'euc-kr',
  'windows-949': 'euc-kr',
  korean: 'euc-kr',
  koi8: 'koi8-r',
  koi8r: 'koi8-r',
  // WHATWG: ISO-8859-1 and ASCII labels mean windows-1252 (a superset).
  'iso-8859-1': 'windows-1252',
  iso8859_1: 'windows-1252',
  'iso8859-1': 'windows-1252',
  latin1: 'windows-1252',
  l1: 'windows-1252',
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
  'ansi_x3.4-1968': 'windows-1252',
  cp1252: 'windows-1252',
  'iso-8859-9': 'windows-1254',
  latin5: 'windows-1254',
  'iso-8859-11': 'windows-874',
  'tis-620': 'windows-874',
};

/** iconv-lite codec for canonical names whose codec is a superset with another name. */
const CODECS: Record<string, string> = {
  big5: 'big5hkscs',
  shift_jis: 'cp932',
  'euc-kr': 'cp949',
};

const WIDE = new Set(['utf-16', 'utf-16le', 'utf-16be', 'utf-32', 'utf-32le', 'utf-32be', 'ucs-2', 'ucs2', 'utf16', 'utf32', 'unicode']);

/** A supported canonical charset name for a label, or undefined when unknown. */
export function normalizeCharset(label: string | undefined): string | undefined {
  if (!label) return undefined;
  const l = label.trim().replace(/^["']|["']$/g, '').toLowerCase();
  if (!l) return undefined;
  if (WIDE.has(l)) return l.replace(/^ucs-?2$|^unicode$/, 'utf-16').replace(/^utf(16|32)/, 'utf-$1');
  const name = ALIASES[l] ?? l;
  return iconv.encodingExists(CODECS[name] ?? name) ? name : undefined;
}

/** Decodes a feed (or HTML page) body to text, choosing the charset as described above. */
export function decodeFeedBytes(bytes: Buffer, contentType?: string): DecodedText {
  const bom = sniffBom(bytes);
  if (bom) return { text: decode(bytes.subarray(bom.length), bom.charset), charset: bom.charset };
  const wide = sniffWide(bytes);
  if (wide) return { text: decode(bytes, wide), charset: wide };

  // UTF-16/32 labels on bytes that are plainly ASCII-compatible are wrong.
  const labels = [charsetFromContentType(contentType), inDocumentCharset(bytes)]
    .map(normalizeCharset)
    .filter((c): c is string => c !== undefined && !WIDE.has(c));

  if (isAscii(bytes)) return { text: bytes.toString('latin1'), charset: labels[0] ?? 'utf-8' };
  // Decoded as UTF-8 at most once, however many of the checks below read it.
  let utf8: string | undefined;
  const asUtf8 = () => (utf8 ??= stripBom(bytes.toString('utf8')));
  if (isUtf8(bytes) || mostlyUtf8(asUtf8())) return { text: asUtf8(), charset: 'utf-8' };
  if (labels[0] === 'utf-8' && strayBytesOnly(asUtf8(), bytes.length)) return { text: asUtf8(), charset: 'utf-8' };

  const tried = new Map<string, string>();
  const attempt = (charset: string): string | undefined => {
    if (charset === 'utf-8') return undefined; // shown invalid above
    if (!tried.has(charset)) tried.set(charset, decode(bytes, charset));
    const text = tried.get(charset)!;
    return text.includes('\uFFFD') ? undefined : text;
  };
  for (const charset of [...labels, ...detectCharsets(bytes)]) {
    const text = attempt(charset);
    if (text !== undefined) return { text, charset };
  }
  // Nothing decodes cleanly: keep the least damaged reading rather than fail.
  const fallback = [...labels, 'windows-1252'].find((c) => c !== 'utf-8') ?? 'windows-1252';
  let best: DecodedText = { text: asUtf8(), charset: 'utf-8' };
  let bestErrors = countReplacements(best.text);
  for (const charset of new Set([fallback, ...tried.keys()])) {
    const text = tried.get(charset) ?? decode(bytes, charset);
    const errors = countReplacements(text);
    if (errors < bestErrors) {
      best = { text, charset };
      bestErrors = errors;
    }
  }
  return best;
}

function decode(bytes: Buffer, charset: string): string {
  if (charset === 'utf-8') return stripBom(bytes.toString('utf8'));
  return stripBom(iconv.decode(bytes, CODECS[charset] ?? charset));
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function sniffBom(b: Buffer): { charset: string; length: number } | undefined {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { charset: 'utf-8', length: 3 };
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return { charset: 'utf-32le', length: 4 };
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return { charset: 'utf-32be', length: 4 };
  if (b[0] === 0xff && b[1] === 0xfe) return { charset: 'utf-16le', length: 2 };
  if (b[0] === 0xfe && b[1] === 0xff) return { charset: 'utf-16be', length: 2 };
  return undefined;
}

/** UTF-16/32 without a BOM: the first characters of any feed are ASCII (`<`, `{`, whitespace). */
function sniffWide(b: Buffer): string | undefined {
  if (b.length < 4) return undefined;
  const ascii = (x: number) => x > 0 && x < 0x80;
  if (ascii(b[0]) && b[1] === 0 && b[2] === 0 && b[3] === 0) return 'utf-32le';
  if (b[0] === 0 && b[1] === 0 && b[2] === 0 && ascii(b[3])) return 'utf-32be';
  if (ascii(b[0]) && b[1] === 0 && ascii(b[2]) && b[3] === 0) return 'utf-16le';
  if (b[0] === 0 && ascii(b[1]) && b[2] === 0 && ascii(b[3])) return 'utf-16be';
  return undefined;
}

export function charsetFromContentType(contentType: string | undefined): string | undefined {
  const m = contentType?.match(/;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]+))/i);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** `<?xml … encoding="…"?>`, else an HTML `<meta charset>` / http-equiv, from the first KiB. */
function inDocumentCharset(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 1024).toString('latin1');
  const xml = head.match(/<\?xml\s[^>]*?encoding\s*=\s*["']\s*([^"'\s]+)\s*["']/i);
  if (xml) return xml[1];
  const meta = head.match(/<meta\s[^>]*?charset\s*=\s*["']?\s*([^"'\s/>;]+)/i);
  return meta?.[1];
}

function detectCharsets(bytes: Buffer): string[] {
  // Tags and URLs are ASCII Latin letters that skew chardet's letter
  // statistics towards Western charsets; it should judge the text only.
  // (latin1 maps bytes to chars one-to-one, so this keeps the bytes intact.)
  const sample = Buffer.from(bytes.subarray(0, 64 * 1024).toString('latin1').replace(/<[^>]*>/g, ' '), 'latin1');
  try {
    return analyse(sample)
      .filter((m) => m.confidence >= 10)
      .map((m) => normalizeCharset(m.name))
      .filter((c): c is string => c !== undefined && !WIDE.has(c));
  } catch {
    return [];
  }
}

/**
 * At least four well-formed non-ASCII characters per malformed sequence.
 * Legacy multi-byte text (GBK, Big5, Shift_JIS) read as UTF-8 gives the
 * opposite ratio: most of its byte pairs are malformed UTF-8.
 */
function mostlyUtf8(text: string): boolean {
  let good = 0;
  let bad = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0xfffd) bad++;
    else if (cp > 0x7f) good++;
  }
  return good >= 4 * bad;
}

/**
 * Malformed sequences are rare: at most 3, or one per KiB in a larger body.
 * Text in a legacy single-byte charset has a non-ASCII letter every few
 * dozen bytes, well above that.
 */
function strayBytesOnly(text: string, byteLength: number): boolean {
  return countReplacements(text) <= Math.max(3, byteLength / 1024);
}

function isAscii(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] > 0x7f) return false;
  return true;
}

function countReplacements(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) n++;
  return n;
}
