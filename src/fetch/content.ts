import { decodeHTMLStrict } from 'entities';
import { nonBlank } from './item-fields.ts';
import { NS } from './namespaces.ts';
import { textToHtml } from './text-html.ts';
import { collapse, collapsedText, innerHtml } from './xhtml.ts';
import { attr, hasElements, kid, kids, ownText, type XElement } from './xml-tree.ts';
import { DepthBoundParser } from '../util/html-parser.ts';

// A field's content as RawItem wants it: HTML for bodies, plain text for
// titles, whatever form the feed used (escaped HTML, CDATA, inline markup,
// plain text, base64).

/** RSS description / content:encoded: escaped HTML, or (now and then) markup left unescaped. */
export function rssHtml(el: XElement | undefined): string | undefined {
  if (el === undefined) return undefined;
  return nonBlank(hasElements(el) ? innerHtml(el, false) : ownText(el));
}

/** An Atom content/summary construct as HTML, per its type (1.0) or mode (0.3); Atom's default type is text. */
export function contentHtml(el: XElement | undefined, defaultType = 'text'): string | undefined {
  if (el === undefined || attr(el, 'src')) return undefined; // out-of-line content: nothing inline
  const type = (attr(el, 'type') ?? defaultType).toLowerCase();
  const mode = attr(el, 'mode')?.toLowerCase();
  if (hasElements(el)) return nonBlank(innerHtml(el, true));
  let value = ownText(el);
  if (value === undefined || value.trim() === '') return undefined;
  if (mode === 'base64') value = fromBase64(value);
  if (type === 'html' || type === 'xhtml' || type === 'text/html' || type.endsWith('xml')) return value.trim();
  if (type === 'text' || type.startsWith('text/')) return textToHtml(value);
  return undefined; // binary media types carry nothing to show
}

/**
 * A title as plain text: markup flattened; Atom type="html" (or 0.3's
 * text/html, base64 or not) decoded; an RSS title that still holds HTML
 * after the XML unescape (see looksLikeHtml) rendered to its text.
 */
export function titleText(el: XElement | undefined, atom: boolean): string | undefined {
  if (el === undefined) return undefined;
  if (hasElements(el)) return nonBlank(collapsedText(el));
  let value = ownText(el)?.trim();
  if (!value) return undefined;
  if (!atom) return plainTitle(value);
  if (attr(el, 'mode')?.toLowerCase() === 'base64') value = fromBase64(value).trim();
  const type = (attr(el, 'type') ?? 'text').toLowerCase();
  return type === 'html' || type === 'text/html' ? nonBlank(htmlToText(value)) : nonBlank(value);
}

/** Plain text a reader shows for an RSS title (or other nominally plain text), HTML in it rendered. */
export function plainTitle(value: string | undefined): string | undefined {
  return value !== undefined && looksLikeHtml(value) ? nonBlank(htmlToText(value)) : value;
}

/** Atom 0.3 mode="base64" text; UTF-8, as the document was decoded to text already. */
function fromBase64(value: string): string {
  return Buffer.from(value, 'base64').toString('utf8');
}

// HTML elements whose presence marks nominally plain text as HTML: feedparser's
// list (its sanitizer's acceptable elements), so titles read as it reads them.
const HTML_ELEMENTS: ReadonlySet<string> = new Set(
  ('a abbr acronym address area article aside audio b big blockquote br button canvas caption center cite code col colgroup command ' +
    'datagrid datalist dd del details dfn dialog dir div dl dt em event-source fieldset figcaption figure font footer form h1 h2 h3 h4 h5 h6 ' +
    'header hr i img input ins kbd keygen label legend li m map menu meter multicol nav nextid noscript ol optgroup option output p pre ' +
    'progress q s samp section select small sound source spacer span strike strong sub sup table tbody td textarea tfoot th thead time tr ' +
    'tt u ul var video').split(' '),
);

/**
 * Whether nominally plain text (an RSS title) is in fact HTML: it has an end
 * tag or an entity reference left after the XML unescape, every tag is an
 * HTML element and every named reference an HTML entity. feedparser's rule,
 * conservative on purpose: `a <b> c` or `AT&T;` stay as written.
 */
export function looksLikeHtml(s: string): boolean {
  if (s.indexOf('<') === -1 && s.indexOf('&') === -1) return false;
  if (!/<\/\w+>|&#?\w+;/.test(s)) return false;
  for (const m of s.matchAll(/<\/?(\w+)/g)) if (!HTML_ELEMENTS.has(m[1].toLowerCase())) return false;
  for (const m of s.matchAll(/&(\w+);/g)) if (decodeHTMLStrict(m[0]) === m[0]) return false;
  return true;
}

/** media:description (e.g. YouTube's only text) as HTML, when nothing richer exists. */
export function mediaDescription(item: XElement): string | undefined {
  const el = kid(item, NS.media, 'description') ?? kids(item, NS.media, 'group').flatMap((g) => kids(g, NS.media, 'description'))[0];
  const value = ownText(el)?.trim();
  if (!value) return undefined;
  return attr(el, 'type')?.toLowerCase() === 'html' ? value : textToHtml(value);
}

/** Elements whose text is code, never shown: a title's text leaves it out. */
const HIDDEN: ReadonlySet<string> = new Set(['script', 'style', 'template', 'noscript']);

/**
 * Plain text of an HTML fragment (an HTML title), as a reader shows it: tags
 * dropped, entities decoded, script and style left out. Streamed, with nesting
 * bounded: no tree to build or walk (a DOM walk recurses, and htmlparser2's own
 * stack is quadratic in depth).
 */
export function htmlToText(html: string): string {
  // No tag and no reference: the text is the HTML (most titles), no parser needed.
  if (html.indexOf('<') === -1 && html.indexOf('&') === -1) return collapse(html);
  let text = '';
  let hidden = 0;
  const parser = new DepthBoundParser(
    {
      onopentagname: (name) => void (HIDDEN.has(name) && hidden++),
      onclosetag: (name) => void (HIDDEN.has(name) && hidden > 0 && hidden--),
      ontext: (data) => void (hidden === 0 && (text += data)),
    },
    html,
    { decodeEntities: true },
  );
  parser.end(html);
  return collapse(text);
}
