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
  if (mode === 'base64') value = Buffer.from(value, 'base64').toString('utf8');
  if (type === 'html' || type === 'xhtml' || type === 'text/html' || type.endsWith('xml')) return value.trim();
  if (type === 'text' || type.startsWith('text/')) return textToHtml(value);
  return undefined; // binary media types carry nothing to show
}

/** A title as plain text: markup flattened; Atom type="html" decoded. */
export function titleText(el: XElement | undefined, atom: boolean): string | undefined {
  if (el === undefined) return undefined;
  if (hasElements(el)) return nonBlank(collapsedText(el));
  const value = ownText(el)?.trim();
  if (!value) return undefined;
  const type = atom ? (attr(el, 'type') ?? 'text').toLowerCase() : 'text';
  return type === 'html' || type === 'text/html' ? nonBlank(htmlToText(value)) : value;
}

/** media:description (e.g. YouTube's only text) as HTML, when nothing richer exists. */
export function mediaDescription(item: XElement): string | undefined {
  const el = kid(item, NS.media, 'description') ?? kids(item, NS.media, 'group').flatMap((g) => kids(g, NS.media, 'description'))[0];
  const value = ownText(el)?.trim();
  if (!value) return undefined;
  return attr(el, 'type')?.toLowerCase() === 'html' ? value : textToHtml(value);
}

/**
 * Plain text of an HTML fragment (an Atom type="html" title): tags dropped,
 * entities decoded. Streamed, with nesting bounded: no tree to build or walk
 * (a DOM walk recurses, and htmlparser2's own stack is quadratic in depth).
 */
export function htmlToText(html: string): string {
  const parts: string[] = [];
  const parser = new DepthBoundParser({ ontext: (text) => parts.push(text) }, html, { decodeEntities: true });
  parser.end(html);
  return collapse(parts.join(''));
}
