// Full text: an item's web page to the article it holds, as a sanitized body.
// Pure and CPU-bound (it runs on a worker thread, see ingest/full-text-pool.ts).
// The page is hostile input: it is first read by the depth-bounded htmlparser2
// parser (linear however deep it nests) with its element count bounded, so
// neither css-select nor readability ever walks a pathological tree.
import { Readability } from '@mozilla/readability';
import { selectAll } from 'css-select';
import render from 'dom-serializer';
import { DomHandler, type ChildNode, type Document, type Element } from 'domhandler';
import type { Handler } from 'htmlparser2';
import { parseHTML } from 'linkedom';
import { DepthBoundParser } from '../util/html-parser.ts';
import { createSanitizer } from './sanitize.ts';
import { htmlToText } from './text.ts';

export interface ExtractRequest {
  /** The page, decoded. */
  html: string;
  /** Where it was finally fetched from: the base of its relative links. */
  url: string;
  /** The element(s) to keep; readability when absent. */
  selector?: string;
  /** The channel's allow_iframes hosts (the sanitizer's policy). */
  allowIframeHosts: readonly string[];
}

export type Extracted = { kind: 'ok'; html: string; image?: string } | { kind: 'error'; reason: string };

/** Elements a page may have: far more than any article page, far fewer than a tree built to stall a reader. */
export const MAX_PAGE_ELEMENTS = 60_000;

/** Elements whose content is never article text: dropped before readability reads the page (fewer nodes, no code). */
const NEVER_TEXT: ReadonlySet<string> = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed']);

class TooManyElements extends Error {}

function parsePage(html: string): Document {
  let elements = 0;
  const dom = new DomHandler();
  const handler: Partial<Handler> = {
    onparserinit: (p) => dom.onparserinit(p),
    onreset: () => dom.onreset(),
    onend: () => dom.onend(),
    onerror: (e) => dom.onerror(e),
    onopentag: (name, attribs) => {
      if (++elements > MAX_PAGE_ELEMENTS) throw new TooManyElements(`the page has more than ${MAX_PAGE_ELEMENTS} elements`);
      dom.onopentag(name, attribs);
    },
    onclosetag: () => dom.onclosetag(),
    ontext: (t) => dom.ontext(t),
    oncomment: (t) => dom.oncomment(t),
    oncommentend: () => dom.oncommentend(),
    onprocessinginstruction: (n, d) => dom.onprocessinginstruction(n, d),
  };
  const parser = new DepthBoundParser(handler, html);
  parser.write(html);
  parser.end();
  return dom.root;
}

/** The selected elements, each once: one inside another already taken is part of it. */
function outermost(found: Element[]): Element[] {
  const taken = new Set<ChildNode>(found);
  return found.filter((el) => {
    for (let p = el.parent; p; p = p.parent) if (taken.has(p as ChildNode)) return false;
    return true;
  });
}

function dropNonText(nodes: ChildNode[]): void {
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    if (n.type === 'script' || n.type === 'style' || n.type === 'comment' || (n.type === 'tag' && NEVER_TEXT.has(n.name))) nodes.splice(i, 1);
    else if ('children' in n) dropNonText(n.children);
  }
}

/** Readability's wrapper (`<div id="readability-page-1" class="page">`): one per page, so not kept in every article. */
const PAGE_WRAPPER = 'readability-page-1';

type ReadabilityElement = { innerHTML: string; children: ArrayLike<{ id: string; innerHTML: string }> };

function readable(doc: Document): string | undefined {
  dropNonText(doc.children);
  const { document } = parseHTML(render(doc));
  const article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], {
    maxElemsToParse: MAX_PAGE_ELEMENTS,
    // Kept: editors' `remove:` selectors name classes, as they do on any feed body.
    keepClasses: true,
    serializer: (el) => {
      const e = el as unknown as ReadabilityElement;
      return e.children.length === 1 && e.children[0].id === PAGE_WRAPPER ? e.children[0].innerHTML : e.innerHTML;
    },
  }).parse();
  return article?.content ?? undefined;
}

/**
 * The article of a page: readability's reading, or the elements `selector`
 * matches (all of them, in page order), sanitized as any feed body with the
 * page's URL as the base of its links. Never throws.
 */
export function extractFullText(req: ExtractRequest): Extracted {
  let base: URL | undefined;
  try {
    base = new URL(req.url);
  } catch {
    base = undefined;
  }
  let raw: string | undefined;
  try {
    const doc = parsePage(req.html);
    if (req.selector !== undefined) {
      const found = outermost(selectAll<ChildNode, Element>(req.selector, doc.children));
      if (!found.length) return { kind: 'error', reason: `nothing extracted: no element of the page matches "${req.selector}"` };
      raw = found.map((el) => render(el)).join('\n');
    } else {
      raw = readable(doc);
      if (raw === undefined) return { kind: 'error', reason: 'nothing extracted: readability found no article in the page' };
    }
  } catch (err) {
    if (err instanceof TooManyElements) return { kind: 'error', reason: `not read: ${err.message}` };
    return { kind: 'error', reason: `extraction failed: ${(err as Error)?.message ?? String(err)}` };
  }
  const body = createSanitizer({ allowIframeHosts: req.allowIframeHosts }).sanitize(raw, base);
  if (!htmlToText(body.html).trim() && body.firstImage === undefined) return { kind: 'error', reason: 'nothing extracted: the article has no text once sanitized' };
  return { kind: 'ok', html: body.html, ...(body.firstImage ? { image: body.firstImage } : {}) };
}
