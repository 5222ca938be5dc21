import type { Handler } from 'htmlparser2';
import { DepthBoundParser, MAX_HTML_DEPTH } from '../util/html-parser.ts';
import { hexoSafe } from './hexo-safe.ts';
import { ALLOWED_TAGS, escapeText, startTag, VOID_TAGS, type TagContext } from './html-policy.ts';
import { closesOpenElements } from './tree-rules.ts';

// The body sanitizer: one streaming pass over htmlparser2's parser events (no
// DOM tree), writing only what html-policy.ts allows. htmlparser2 reports every
// element it opens as closed again, implied or not, so every tag written here
// is closed, in order; where a browser would nest differently and close
// something early, the start tag is left out (tree-rules.ts). So nothing
// written closes the article's <div> wrapper, in htmlparser2 or in a browser.
// Text and attribute values are re-escaped, so no `<` or `&` in them can start
// markup; comments, CDATA, processing instructions and doctypes have no handler
// and are dropped. Elements nested deeper than MAX_HTML_DEPTH are flattened
// (util/html-parser.ts): parsing stays linear, however deep a body nests.

export interface SanitizedBody {
  html: string;
  /** What was dropped, as `tag` or `tag[attribute]`, each once, in order of appearance. */
  removed: string[];
  /** The first http(s) image left in the body (the article's head image). */
  firstImage?: string;
}

/** A channel's sanitizer: its policy (the iframe hosts it allows) is fixed when it is made. */
export interface Sanitizer {
  /** Relative URLs are resolved against `base`; without one they stay relative. Never throws. */
  sanitize(html: string, base?: URL): SanitizedBody;
}

export function createSanitizer(opts: { allowIframeHosts: readonly string[] }): Sanitizer {
  const hosts: ReadonlySet<string> = new Set(opts.allowIframeHosts.map((h) => h.trim().toLowerCase()));
  return {
    sanitize(html, base) {
      let source = typeof html === 'string' ? html : '';
      const cuts: Cut[] = [];
      try {
        for (;;) {
          try {
            return new Pass(hosts, base, cuts, source).run();
          } catch (err) {
            if (!(err instanceof Unclosed)) throw err;
            // Read the body again without the start tag that swallowed the rest of it.
            cuts.push({ at: err.tagStart, name: err.name });
            source = source.slice(0, err.tagStart) + source.slice(err.contentStart);
          }
        }
      } catch (err) {
        // Never seen, but a body is not worth a crash: drop it and say so.
        return { html: '', removed: [`everything (sanitizer failed: ${(err as Error)?.message ?? String(err)})`] };
      }
    },
  };
}

// What happens to an element's content and end tag.
const WRITE = 0; // allowed: content kept, end tag written
const UNWRAP = 1; // tag dropped (or void, or never finished): content kept, nothing written at the end
const DROP = 2; // script/style: content dropped
const REGION = 3; // content kept or dropped once the end shows how the element ended, see Region

// Raw text that is code, never prose: dropped even when unclosed (a browser
// shows nothing of an unclosed <script> either).
const DROP_TAGS: ReadonlySet<string> = new Set(['script', 'style']);
// Elements dropped with their content when closed. When one is never closed,
// only its own markup goes and what follows it stays: a stray <svg>,
// <textarea> or <select> must not cost the rest of the article.
const REGION_TAGS: ReadonlySet<string> = new Set(['svg', 'math', 'iframe', 'textarea', 'xmp', 'title', 'select', 'option', 'template', 'noembed', 'noframes']);
// The ones htmlparser2 reads as raw text up to their end tag. Unclosed, one
// of them turns the rest of the body into its text, so the body is read again
// without its start tag (only then is it known to be unclosed: at the end).
const RAW_TEXT_TAGS: ReadonlySet<string> = new Set(['textarea', 'xmp', 'title']);
// Each such start tag costs one more reading of the whole body. Past this
// many (more stray ones than any real article has) the rest stays escaped
// text, so a hostile body costs at most 5 readings.
const MAX_REREADS = 4;

/** Thrown at the end of a body that an unclosed raw-text element swallowed: read it again without the start tag. */
class Unclosed {
  constructor(
    readonly name: string,
    readonly tagStart: number,
    readonly contentStart: number,
  ) {}
}

/** A start tag left out of a re-read body, reported as removed where it stood. */
interface Cut {
  at: number;
  name: string;
}

/**
 * An element whose content is written tentatively: dropped at an end tag,
 * kept when the element ends without one (at the end of the body, or closed
 * by an ancestor's end tag).
 */
interface Region {
  /** Index in `parts` where the element's output starts. */
  at: number;
  removedAt: number;
  firstImage: string | undefined;
  /** An allowed iframe's start tag ('' otherwise): written without content either way. */
  tag: string;
  /** For raw-text elements: the element and where its start tag and its content start (else -1). */
  name: string;
  tagStart: number;
  contentStart: number;
}

const HTTP = /^https?:/i;

/** One sanitizing pass over one body. */
class Pass implements Partial<Handler>, TagContext {
  readonly removed: string[] = [];
  src: string | undefined;
  hexo = false;
  private firstImage: string | undefined;
  private parts: string[] = [];
  /** What to do at the end of each open element (WRITE…), innermost last. */
  private readonly acts: number[] = [];
  /** The written elements still open, outermost first (what a browser has open), and where the tables are among them. */
  private readonly open: string[] = [];
  private readonly tables: number[] = [];
  private readonly regions: Region[] = [];
  private readonly parser: DepthBoundParser;
  /** Set once the input is consumed: elements closed from then on were never closed. */
  private ending = false;
  /** How many of `cuts` have been reported. */
  private reported = 0;

  constructor(
    private readonly hosts: ReadonlySet<string>,
    readonly base: URL | undefined,
    private readonly cuts: readonly Cut[],
    private readonly input: string,
  ) {
    this.parser = new DepthBoundParser(this, input, { decodeEntities: true });
  }

  run(): SanitizedBody {
    this.parser.write(this.input);
    this.ending = true;
    this.parser.end();
    this.reportCuts(Infinity);
    if (this.parser.flattened) this.removed.push(`nesting deeper than ${MAX_HTML_DEPTH} levels`);
    const html = this.parts.join('');
    const body: SanitizedBody = { html: this.hexo ? hexoSafe(html) : html.trim(), removed: [...new Set(this.removed)] };
    if (this.firstImage !== undefined) body.firstImage = this.firstImage;
    return body;
  }

  // An element is on htmlparser2's stack, and will be closed, from its name
  // on; its attributes come with onopentag, which a start tag cut off by the
  // end of the input never gets. Its frame is pushed here so that every
  // onclosetag pops its own element's frame.
  onopentagname(): void {
    this.acts.push(UNWRAP);
  }

  onopentag(name: string, attribs: Record<string, string>): void {
    const acts = this.acts;
    const self = acts.length - 1;
    if (self > 0 && acts[self - 1] === DROP) {
      acts[self] = DROP;
      return;
    }
    if (this.reported < this.cuts.length) this.reportCuts(this.parser.startIndex);
    if (!ALLOWED_TAGS.has(name)) {
      this.removed.push(name);
      if (DROP_TAGS.has(name)) acts[self] = DROP;
      else if (REGION_TAGS.has(name)) this.openRegion('', RAW_TEXT_TAGS.has(name) ? name : '');
      return;
    }
    const tag = startTag(name, attribs, this);
    if (name === 'iframe') {
      // Its content is never shown (a browser reads it as raw text), so it is never written.
      const allowed = this.iframeAllowed(this.src);
      if (!allowed) this.removed.push('iframe');
      this.openRegion(allowed ? tag : '', '');
      return;
    }
    // Where a browser would take the tag as closing open elements, htmlparser2 nests it: it is left out, its content stays.
    if (this.open.length && closesOpenElements(name, this.open, this.tables.length ? this.tables[0] : -1)) return;
    this.parts.push(tag);
    if (name === 'img' && this.firstImage === undefined && this.src !== undefined && HTTP.test(this.src)) this.firstImage = this.src;
    if (VOID_TAGS.has(name)) return;
    acts[self] = WRITE;
    if (name === 'table') this.tables.push(this.open.length);
    this.open.push(name);
  }

  ontext(text: string): void {
    const acts = this.acts;
    if (acts.length && acts[acts.length - 1] === DROP) return;
    this.parts.push(escapeText(text, this));
  }

  onclosetag(name: string, isImplied: boolean): void {
    const act = this.acts.pop();
    if (act === WRITE) {
      this.parts.push('</' + name + '>');
      this.open.pop();
      if (name === 'table') this.tables.pop();
    } else if (act === REGION) this.closeRegion(this.regions.pop()!, isImplied);
  }

  /** Makes the element being opened a region (its frame is the top one); `raw` names a raw-text element. */
  private openRegion(tag: string, raw: string): void {
    const { startIndex, endIndex } = this.parser; // the start tag's `<` and `>`
    this.regions.push({
      at: this.parts.length,
      removedAt: this.removed.length,
      firstImage: this.firstImage,
      tag,
      name: raw,
      tagStart: raw ? startIndex : -1,
      contentStart: raw ? endIndex + 1 : -1,
    });
    if (tag) this.parts.push(''); // the iframe's slot, filled at its end
    this.acts[this.acts.length - 1] = REGION;
  }

  private closeRegion(r: Region, isImplied: boolean): void {
    if (!isImplied) {
      this.rollBack(r);
      if (r.tag) this.parts.push(r.tag + '</iframe>');
      return;
    }
    // Never closed: the content stays, after an allowed iframe (which gets no content).
    if (r.tag) this.parts[r.at] = r.tag + '</iframe>';
    // A raw-text element open at the end of the body took all of it as text (past
    // MAX_REREADS that text stays, escaped).
    if (r.tagStart >= 0 && this.ending && this.cuts.length < MAX_REREADS) throw new Unclosed(r.name, r.tagStart, r.contentStart);
  }

  /** Reports the start tags left out before `position` of this reading. */
  private reportCuts(position: number): void {
    while (this.reported < this.cuts.length && this.cuts[this.reported].at <= position) this.removed.push(this.cuts[this.reported++].name);
  }

  /** Forgets everything written since the region started. */
  private rollBack(r: Region): void {
    this.parts.length = r.at;
    this.removed.length = r.removedAt;
    this.firstImage = r.firstImage;
  }

  private iframeAllowed(src: string | undefined): boolean {
    if (src === undefined) return false;
    try {
      const u = new URL(src);
      return (u.protocol === 'https:' || u.protocol === 'http:') && this.hosts.has(u.hostname.toLowerCase());
    } catch {
      return false;
    }
  }
}
