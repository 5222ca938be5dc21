import { decodeHTMLStrict } from 'entities';
import { replaceCodePoint } from 'entities/decode';
import { FeedParseError } from './errors.ts';
import { isXmlChar } from './repair.ts';

// Entity references in text and attribute values, decoded the way feeds
// mean them rather than the way a strict XML parser would reject them:
//  - the five XML entities and numeric references decode; a reference to a
//    character XML forbids (&#0;, &#xFFFF;) decodes to nothing; one from 128
//    to 159 (C1 controls, never meant) is the windows-1252 character feeds
//    written on Windows meant (&#146; is ’), as HTML5 and feedparser read it;
//  - entities declared in the document's own internal DTD subset expand, with
//    a bounded depth and a bounded total, so a billion-laughs or quadratic
//    blow-up document costs at most that bound and then fails as `parse`;
//  - HTML named entities (&nbsp; &eacute; …, Netscape-era RSS relied on an
//    external DTD to declare them) decode to their characters;
//  - anything else (a stray `&`, `&unknown;`) stays literal text.
// External entities (SYSTEM/PUBLIC) are never declared here, so never fetched.

/** At most this many characters come out of declared entities in one document. */
export const MAX_ENTITY_EXPANSION = 1_000_000;
/** Declared entities may refer to others this deep. */
const MAX_ENTITY_DEPTH = 16;

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REFERENCE = /&(?:#([0-9]{1,10})|#[xX]([0-9a-fA-F]{1,8})|([A-Za-z_][A-Za-z0-9._-]{0,63}));/y;
/** HTML names looked up so far (null: not an HTML entity); capped so hostile text can't grow it without end. */
const HTML_CACHE_MAX = 4096;

export class EntityDecoder {
  private readonly html = new Map<string, string | null>();
  private readonly expanded = new Map<string, string>();
  private readonly expanding = new Set<string>();
  private spent = 0;

  /** `declared`: name → replacement text as written in the internal subset. */
  constructor(private readonly declared: ReadonlyMap<string, string> = new Map()) {}

  /** `raw` with its references decoded; returns `raw` itself when it has none. */
  decode(raw: string): string {
    return raw.indexOf('&') === -1 ? raw : this.decodeAt(raw, 0);
  }

  private decodeAt(raw: string, depth: number): string {
    let amp = raw.indexOf('&');
    if (amp === -1) return raw;
    let out = '';
    let copied = 0;
    while (amp !== -1) {
      REFERENCE.lastIndex = amp;
      const m = REFERENCE.exec(raw);
      let next = amp + 1;
      if (m) {
        const replacement = this.reference(m, depth);
        if (replacement !== undefined) {
          out += raw.slice(copied, amp) + replacement;
          copied = amp + m[0].length;
        }
        next = amp + m[0].length;
      }
      amp = raw.indexOf('&', next);
    }
    return copied === 0 ? raw : out + raw.slice(copied);
  }

  /** What a matched reference stands for; undefined keeps it as written. */
  private reference(m: RegExpExecArray, depth: number): string | undefined {
    const [, dec, hex, name] = m;
    if (name === undefined) {
      let cp = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
      if (cp >= 0x80 && cp <= 0x9f) cp = replaceCodePoint(cp);
      return isXmlChar(cp) ? String.fromCodePoint(cp) : '';
    }
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) return predefined;
    if (this.declared.has(name)) return this.expand(name, depth);
    return this.htmlEntity(name);
  }

  private expand(name: string, depth: number): string {
    let value = this.expanded.get(name);
    if (value === undefined) {
      if (depth >= MAX_ENTITY_DEPTH) throw new FeedParseError('parse', `malformed XML: the DTD's entities nest deeper than ${MAX_ENTITY_DEPTH} levels (at &${name};)`);
      if (this.expanding.has(name)) throw new FeedParseError('parse', `malformed XML: the DTD's entity &${name}; refers to itself`);
      this.expanding.add(name);
      value = this.decodeAt(this.declared.get(name)!, depth + 1);
      this.expanding.delete(name);
      this.expanded.set(name, value);
    }
    // Every use counts, memoized or not: that is what bounds a quadratic blow-up.
    this.spent += value.length;
    if (this.spent > MAX_ENTITY_EXPANSION) {
      throw new FeedParseError(
        'parse',
        `malformed XML: the DTD's entities expand to more than ${MAX_ENTITY_EXPANSION.toLocaleString('en')} characters (an entity expansion attack?)`,
      );
    }
    return value;
  }

  private htmlEntity(name: string): string | undefined {
    const cached = this.html.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const ref = `&${name};`;
    const decoded = decodeHTMLStrict(ref);
    const value = decoded === ref ? null : decoded;
    if (this.html.size < HTML_CACHE_MAX) this.html.set(name, value);
    return value ?? undefined;
  }
}
