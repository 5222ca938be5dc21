// The prolog, read from the text before the reader starts: it finds the root
// element (to tell a feed from an HTML page or other XML) and the entities the
// DTD's internal subset declares. htmlparser2 ends a declaration at its first
// `>`, so it cannot read `<!DOCTYPE rss [<!ENTITY …>]>` itself; the reader is
// fed the text from the root's start tag on, and this scan reads the prolog
// instead. It is not a second parse: it stops where the document element starts.

/** The document element as seen from the text, before the reader runs. */
export interface RootElement {
  /** Qualified name as written, e.g. `rss`, `feed`, `atom:feed`, `rdf:RDF`, `html`. */
  name: string;
  localName: string;
  /** The DOCTYPE's root name if there is one (`html` for HTML pages). */
  doctype?: string;
  /** Offset of the root's `<` in the text. */
  start: number;
  /** Internal general entities the DOCTYPE declares: name → replacement text as written. */
  entities: Map<string, string>;
}

/** A prolog longer than this is not a feed's. */
const MAX_PROLOG = 1 << 20;

/**
 * Finds the first element's start tag, skipping the XML declaration,
 * processing instructions, comments and a DOCTYPE (reading its internal
 * subset). Undefined when the text does not begin like markup.
 */
export function readProlog(text: string): RootElement | undefined {
  const n = Math.min(text.length, MAX_PROLOG);
  let i = 0;
  let doctype: string | undefined;
  let entities = new Map<string, string>();
  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n || text[i] !== '<') return undefined;
    if (text.startsWith('<?', i)) {
      i = after(text, '?>', i + 2, n);
    } else if (text.startsWith('<!--', i)) {
      i = after(text, '-->', i + 4, n);
    } else if (/^<!doctype/i.test(text.slice(i, i + 9))) {
      doctype = /^<!doctype\s+([^\s>[]+)/i.exec(text.slice(i, i + 200))?.[1];
      const read = readDoctype(text, i + 9, n);
      if (!read) return undefined;
      entities = read.entities;
      i = read.end;
    } else {
      const tag = /^<([A-Za-z_][\w.:-]*)[\s/>]/.exec(text.slice(i, i + 1024));
      if (!tag) return undefined;
      const name = tag[1];
      const colon = name.indexOf(':');
      return { name, localName: colon === -1 ? name : name.slice(colon + 1), ...(doctype ? { doctype } : {}), start: i, entities };
    }
    if (i === -1) return undefined;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Index just past the next `close` at or after `from`, or -1. */
function after(text: string, close: string, from: number, n: number): number {
  const at = text.indexOf(close, from);
  return at === -1 || at + close.length > n ? -1 : at + close.length;
}

/** Index just past the next unquoted `>` at or after `from`, or -1. */
function afterDeclaration(text: string, from: number, n: number): number {
  let quote = '';
  for (let i = from; i < n; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i + 1;
  }
  return -1;
}

/** Reads `<!DOCTYPE … [subset]>` from just after `<!DOCTYPE`: its end and its internal entities. */
function readDoctype(text: string, from: number, n: number): { end: number; entities: Map<string, string> } | undefined {
  const entities = new Map<string, string>();
  let quote = '';
  let i = from;
  for (; i < n; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return { end: i + 1, entities };
    else if (c === '[') break;
  }
  i = readSubset(text, i + 1, n, entities);
  if (i === -1) return undefined;
  const end = afterDeclaration(text, i, n);
  return end === -1 ? undefined : { end, entities };
}

/** Reads declarations up to the subset's closing `]`; returns the index after it, or -1. */
function readSubset(text: string, from: number, n: number, entities: Map<string, string>): number {
  let i = from;
  while (i !== -1 && i < n) {
    const c = text[i];
    if (isSpace(text.charCodeAt(i))) i++;
    else if (c === ']') return i + 1;
    else if (text.startsWith('<!--', i)) i = after(text, '-->', i + 4, n);
    else if (text.startsWith('<?', i)) i = after(text, '?>', i + 2, n);
    else if (text.startsWith('<!', i)) {
      const end = afterDeclaration(text, i + 2, n);
      if (end !== -1 && text.startsWith('<!ENTITY', i)) entityDeclaration(text.slice(i + 8, end - 1), entities);
      i = end;
    } else i++; // a parameter-entity reference (%name;) or stray text: nothing to declare
  }
  return -1;
}

/**
 * `name "value"` declares an internal general entity; parameter entities
 * (`% name`) and external ones (SYSTEM/PUBLIC) are ignored, so never fetched.
 * The first declaration of a name wins, as in XML.
 */
function entityDeclaration(body: string, entities: Map<string, string>): void {
  const m = /^\s+([A-Za-z_][\w.:-]*)\s+(?:"([^"]*)"|'([^']*)')\s*$/.exec(body);
  if (m && !entities.has(m[1])) entities.set(m[1], m[2] ?? m[3]);
}
