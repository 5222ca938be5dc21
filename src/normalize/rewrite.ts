import { DomHandler, type AnyNode, type Element } from 'domhandler';
import type { ArticleOriginal, ChannelSettings, RewriteRule } from '../core/types.ts';
import { DepthBoundParser } from '../util/html-parser.ts';
import { compilePattern, type Pattern } from '../util/re2.ts';
import { compileSelector, type SelectorTest } from '../util/selector.ts';
import { createSanitizer, type Sanitizer } from './sanitize.ts';
import { fallbackImageFor } from './fallback-image.ts';
import { oneLine, sha1Hex } from './text.ts';
import { isTrackingPixel, mayHoldTrackingPixel } from './tracking-pixels.ts';

// A channel's rewrites, applied to an article after sanitizing: to its
// original (the sanitized title and body, kept in the store) at ingest, and
// again to the stored original whenever the rewrites change. One pure
// function of the original and the rules, so both give the same article.
//
// The body is parsed once into htmlparser2's DOM with source positions; the
// rewrites become edits of the sanitized text (an element's range cut, a text
// node's range replaced by its new text, escaped), so the markup left alone
// stays byte for byte. Replacements run on text nodes only, on their decoded
// text: a pattern never sees markup and its replacement is always text, never
// a tag. The edited body is sanitized again all the same (the Hexo escapes,
// and whatever a future rewrite might let through). Everything here is linear
// in the body: RE2 patterns, a depth-bounded parse, selectors tested per
// element against at most MAX_HTML_DEPTH ancestors.

/** What the rewrites make of an original. */
export interface Rewritten {
  title: string;
  html: string;
  /** The first http(s) image left in the body: the article's head image. */
  firstImage?: string;
}

export interface Rewriter {
  /**
   * The rewritten title and body; never throws (a body that cannot be
   * rewritten is kept as it is). `sanitized`: what the sanitizer that just
   * wrote original.html found in it, so a body only images matter for is not
   * read again to find them.
   */
  apply(original: ArticleOriginal, sanitized?: { firstImage?: string }): Rewritten;
}

type CompiledRule =
  | { kind: 'title'; pattern: Pattern; with: string }
  | { kind: 'content'; pattern: Pattern; with: string }
  | { kind: 'remove'; test: SelectorTest }
  | { kind: 'prefix' | 'suffix'; text: string };

function compileRule(r: RewriteRule): CompiledRule {
  if (r.kind === 'replace') return { kind: r.field, pattern: compilePattern(r.pattern), with: r.with };
  if (r.kind === 'remove') return { kind: 'remove', test: compileSelector(r.selector) };
  return { kind: r.kind, text: r.text };
}

type RewriteSettings = Pick<ChannelSettings, 'rewrite' | 'trackingPixels' | 'allowIframeHosts'>;

/** The rewriter of a channel: its rules compiled once (the config was validated: they compile). */
export function createRewriter(settings: RewriteSettings | undefined, sanitizer?: Sanitizer): Rewriter {
  const rules = (settings?.rewrite ?? []).map(compileRule);
  const titleRules = rules.filter((r) => r.kind === 'title' || r.kind === 'prefix' || r.kind === 'suffix');
  const body: BodyRules = {
    replace: rules.flatMap((r) => (r.kind === 'content' ? [r] : [])),
    remove: rules.flatMap((r) => (r.kind === 'remove' ? [r.test] : [])),
    pixels: settings?.trackingPixels !== false,
  };
  const resanitizer = sanitizer ?? createSanitizer({ allowIframeHosts: settings?.allowIframeHosts ?? [] });
  return {
    apply(original, sanitized) {
      try {
        let title = original.title;
        for (const r of titleRules) {
          if (r.kind === 'title') title = r.pattern.replaceAll(title, r.with);
          else if (r.kind === 'prefix') title = r.text + title;
          else if (r.kind === 'suffix') title = title + r.text;
        }
        // A title rewritten to nothing keeps the original: an article needs a title.
        title = titleRules.length ? oneLine(title) || original.title : original.title;
        return { title, ...rewriteBody(original.html, body, resanitizer, sanitized) };
      } catch {
        // Never seen; but an article is not worth a failed channel: it stays as the source gave it.
        return { title: original.title, html: original.html };
      }
    },
  };
}

interface BodyRules {
  replace: { pattern: Pattern; with: string }[];
  remove: SelectorTest[];
  pixels: boolean;
}

/** An edit of the source: [start, end] (inclusive, as htmlparser2 reports ranges) becomes `text`. */
interface Edit {
  start: number;
  end: number;
  text: string;
}

const HTTP = /^https?:/i;
const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function rewriteBody(html: string, rules: BodyRules, sanitizer: Sanitizer, sanitized?: { firstImage?: string }): { html: string; firstImage?: string } {
  // Without body rules only images matter (pixels, the head image), and a body without one needs no reading at all;
  // nor does one without a sign of a pixel whose first image the sanitizer already found.
  if (!rules.replace.length && !rules.remove.length) {
    if (!html.includes('<img')) return { html };
    if (sanitized && (!rules.pixels || !mayHoldTrackingPixel(html))) return sanitized.firstImage === undefined ? { html } : { html, firstImage: sanitized.firstImage };
    return rewriteImages(html, rules.pixels, sanitizer);
  }
  let root;
  try {
    const handler = new DomHandler(undefined, { withStartIndices: true, withEndIndices: true });
    const parser = new DepthBoundParser(handler, html, { decodeEntities: true });
    parser.write(html);
    parser.end();
    root = handler.root;
  } catch {
    return { html };
  }
  const edits: Edit[] = [];
  let firstImage: string | undefined;
  // Depth-first, in document order, with an explicit stack: no recursion on a deep body.
  const stack: AnyNode[] = [...root.children].reverse();
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === 'text') {
      if (!rules.replace.length) continue;
      const data = (node as unknown as { data: string }).data;
      let text = data;
      for (const r of rules.replace) text = r.pattern.replaceAll(text, r.with);
      if (text !== data) edits.push({ start: node.startIndex ?? -1, end: node.endIndex ?? -1, text: escapeText(text) });
      continue;
    }
    if (node.type !== 'tag') continue;
    const el = node as Element;
    if (removed(el, rules)) {
      edits.push({ start: el.startIndex ?? -1, end: el.endIndex ?? -1, text: '' });
      continue;
    }
    if (el.name === 'img' && firstImage === undefined && HTTP.test(el.attribs.src ?? '')) firstImage = el.attribs.src;
    for (let i = el.children.length - 1; i >= 0; i--) stack.push(el.children[i]);
  }
  return applyEdits(html, edits, firstImage, sanitizer);
}

/**
 * Only images to look at (no body rules): one streaming pass, no DOM, for
 * the same result the DOM walk gives (pixels cut, the first other image).
 */
function rewriteImages(html: string, pixels: boolean, sanitizer: Sanitizer): { html: string; firstImage?: string } {
  const edits: Edit[] = [];
  let firstImage: string | undefined;
  try {
    const parser: DepthBoundParser = new DepthBoundParser(
      {
        onopentag(name, attribs) {
          if (name !== 'img') return;
          if (pixels && isTrackingPixel(attribs)) edits.push({ start: parser.startIndex, end: parser.endIndex, text: '' });
          else if (firstImage === undefined && HTTP.test(attribs.src ?? '')) firstImage = attribs.src;
        },
      },
      html,
      { decodeEntities: true },
    );
    parser.write(html);
    parser.end();
  } catch {
    return { html };
  }
  return applyEdits(html, edits, firstImage, sanitizer);
}

/** The body with the edits made (in document order, not overlapping), sanitized again; unchanged without edits. */
function applyEdits(html: string, edits: readonly Edit[], firstImage: string | undefined, sanitizer: Sanitizer): { html: string; firstImage?: string } {
  if (!edits.length) return firstImage === undefined ? { html } : { html, firstImage };
  let out = '';
  let at = 0;
  for (const e of edits) {
    // Ranges come in document order and never overlap on sanitized HTML; on anything else, a doubtful one is not cut.
    if (!(e.start >= at && e.end >= e.start)) continue;
    out += html.slice(at, e.start) + e.text;
    at = e.end + 1;
  }
  out += html.slice(at);
  const again = sanitizer.sanitize(out);
  return again.firstImage === undefined ? { html: again.html } : { html: again.html, firstImage: again.firstImage };
}

function removed(el: Element, rules: BodyRules): boolean {
  if (rules.pixels && el.name === 'img' && isTrackingPixel(el.attribs)) return true;
  for (const test of rules.remove) if (test(el)) return true;
  return false;
}

/**
 * What a channel's stored articles depend on besides their originals: its
 * rewrites, its tracking-pixel setting and its fallback image. '' for the
 * defaults (no rewrites, pixels dropped, the site's fallback), which is what
 * a store from before rewrites existed records: its articles are left alone.
 */
export function rewriteFingerprint(settings: Pick<ChannelSettings, 'rewrite' | 'trackingPixels' | 'fallbackImage'> | undefined): string {
  const rewrite = settings?.rewrite ?? [];
  const pixels = settings?.trackingPixels !== false;
  const fallback = settings?.fallbackImage;
  if (!rewrite.length && pixels && fallback === undefined) return '';
  return sha1Hex(JSON.stringify({ rewrite, pixels, fallback: fallback ?? null }));
}

/** An article's rewritten title and body, and its head image: the body's first image, else the item's own, else the fallback. */
export interface RewrittenArticle {
  title: string;
  html: string;
  headimg: string;
  /** The head image is the fallback (or none): the article has no image of its own. */
  fallback: boolean;
}

/** The article the rewrites make of an original; `fallbackTemplate` is the channel's fallback image template ('' for none). */
export function rewriteArticle(original: ArticleOriginal, itemKey: string, rewriter: Rewriter, fallbackTemplate: string, sanitized?: { firstImage?: string }): RewrittenArticle {
  const { title, html, firstImage } = rewriter.apply(original, sanitized);
  const own = firstImage ?? original.image;
  return own ? { title, html, headimg: own, fallback: false } : { title, html, headimg: fallbackImageFor(fallbackTemplate, itemKey), fallback: true };
}
