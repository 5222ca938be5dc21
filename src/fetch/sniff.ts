import { decodeXML } from 'entities';

/** The document element as seen from the text, before any real parse. */
export interface RootElement {
  /** Qualified name as written, e.g. `rss`, `feed`, `atom:feed`, `rdf:RDF`, `html`. */
  name: string;
  /** Namespace prefix including the colon (`atom:`), or ''. */
  prefix: string;
  localName: string;
  attrs: Record<string, string>;
  /** The DOCTYPE's root name if there is one (`html` for HTML pages). */
  doctype?: string;
}

/**
 * Finds the first element's start tag, skipping the XML declaration,
 * processing instructions, comments and a DOCTYPE (with internal subset).
 * Undefined when the text does not begin like markup.
 */
export function sniffRoot(text: string): RootElement | undefined {
  let i = 0;
  let doctype: string | undefined;
  const n = Math.min(text.length, 1 << 20); // a prolog longer than 1 MiB is not a feed
  for (;;) {
    while (i < n && /\s/.test(text[i])) i++;
    if (i >= n || text[i] !== '<') return undefined;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end === -1) return undefined;
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end === -1) return undefined;
      i = end + 3;
    } else if (/^<!doctype/i.test(text.slice(i, i + 9))) {
      doctype = /^<!doctype\s+([^\s>[]+)/i.exec(text.slice(i, i + 200))?.[1];
      const bracket = text.indexOf('[', i);
      let end = text.indexOf('>', i);
      if (bracket !== -1 && end !== -1 && bracket < end) {
        const close = text.indexOf(']', bracket);
        end = close === -1 ? -1 : text.indexOf('>', close);
      }
      if (end === -1) return undefined;
      i = end + 1;
    } else {
      const tag = /^<([A-Za-z_][\w.:-]*)([^>]*)>/.exec(text.slice(i, i + 64 * 1024));
      if (!tag) return undefined;
      const name = tag[1];
      const colon = name.indexOf(':');
      return {
        name,
        prefix: colon === -1 ? '' : name.slice(0, colon + 1),
        localName: colon === -1 ? name : name.slice(colon + 1),
        attrs: parseAttributes(tag[2]),
        ...(doctype ? { doctype } : {}),
      };
    }
  }
}

function parseAttributes(s: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of s.matchAll(/([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[m[1]] = decodeXML(m[2] ?? m[3] ?? '');
  return attrs;
}
