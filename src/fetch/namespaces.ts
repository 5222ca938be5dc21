// Namespace URIs the feed readers match elements by. Feeds pick any prefix
// (`<a10:link>`, `<atom:feed>`…), so readers compare URIs, never prefixes.

export const NS = {
  none: '',
  atom: 'http://www.w3.org/2005/Atom',
  atom03: 'http://purl.org/atom/ns#',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  dcterms: 'http://purl.org/dc/terms/',
  media: 'http://search.yahoo.com/mrss/',
  itunes: 'http://www.itunes.com/dtds/podcast-1.0.dtd',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rss10: 'http://purl.org/rss/1.0/',
  rss090: 'http://my.netscape.com/rdf/simple/0.9/',
  xhtml: 'http://www.w3.org/1999/xhtml',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

/**
 * Prefixes used without being declared (common: `dc:creator` in a feed that
 * never says `xmlns:dc`) are read as their well-known namespace: the intent
 * is clear, and rss-parser, which ignores namespaces, reads them too.
 */
export const WELL_KNOWN_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['atom', NS.atom],
  ['content', NS.content],
  ['dc', NS.dc],
  ['dcterms', NS.dcterms],
  ['media', NS.media],
  ['itunes', NS.itunes],
  ['rdf', NS.rdf],
  ['xhtml', NS.xhtml],
  ['xml', NS.xml],
]);

/** `xmlns` or `xmlns:prefix`: an attribute that declares a namespace rather than carrying a value. */
export function isNamespaceDeclaration(name: string): boolean {
  return name.startsWith('xmlns') && (name.length === 5 || name[5] === ':');
}

/** Spellings of the same namespace seen in real feeds (scheme, case, trailing slash), keyed by a loose form. */
const ALIASES = new Map<string, string>(
  [NS.media, NS.itunes, NS.dc, NS.dcterms, NS.content, NS.atom, NS.rss10].map((uri) => [loose(uri), uri]),
);

function loose(uri: string): string {
  return uri
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
}

/** The canonical URI for a declared namespace: `http://search.yahoo.com/mrss` is Media RSS too. */
export function canonicalNamespace(uri: string): string {
  return ALIASES.get(loose(uri)) ?? uri;
}
