import { Parser, type Handler } from 'htmlparser2';
import { ALLOWED_TAGS, escapeText, startTag, VOID_TAGS, type TagContext } from './html-policy.ts';

// The body sanitizer: one streaming pass over htmlparser2's parser events (no
// DOM tree), writing only what html-policy.ts allows. htmlparser2 reports every
// element it opens as closed again, implied or not, so every tag written here
// is closed, in order.
// Text and attribute values are re-escaped, so no `<` or `&` in them can start
// markup; comments, CDATA, processing instructions and doctypes have no handler
// and are dropped.

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
      try {
        return new Pass(hosts, base).run(typeof html === 'string' ? html : '');
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
const DROP = 2; // content dropped up to the element's end
const CUT = 3; // a blocked iframe: everything written since its start goes at its end

// Containers whose content is no use as text when the tag itself goes.
const DROP_TAGS: ReadonlySet<string> = new Set(['script', 'style', 'textarea', 'option', 'xmp', 'select', 'noembed', 'noframes', 'template', 'title', 'svg', 'math']);

interface Cut {
  /** Index in `parts` where the element's output starts. */
  at: number;
  removedAt: number;
  firstImage: string | undefined;
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
  private readonly cuts: Cut[] = [];

  constructor(
    private readonly hosts: ReadonlySet<string>,
    readonly base: URL | undefined,
  ) {}

  run(input: string): SanitizedBody {
    const parser = new Parser(this, { decodeEntities: true });
    parser.write(input);
    parser.end();
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
    if (!ALLOWED_TAGS.has(name)) {
      this.removed.push(name);
      if (DROP_TAGS.has(name)) acts[self] = DROP;
      return;
    }
    const tag = startTag(name, attribs, this);
    if (name === 'iframe' && !this.iframeAllowed(this.src)) {
      // Cut out whole, content included, once its end shows where that is.
      this.removed.push('iframe');
      this.cuts.push({ at: this.parts.length, removedAt: this.removed.length, firstImage: this.firstImage });
      acts[self] = CUT;
      return;
    }
    this.parts.push(tag);
    if (name === 'img' && this.firstImage === undefined && this.src !== undefined && HTTP.test(this.src)) this.firstImage = this.src;
    if (!VOID_TAGS.has(name)) acts[self] = WRITE;
  }

  ontext(text: string): void {
    const acts = this.acts;
    if (acts.length && acts[acts.length - 1] === DROP) return;
    this.parts.push(escapeText(text, this));
  }

  onclosetag(name: string): void {
    const act = this.acts.pop();
    if (act === WRITE) this.parts.push('</' + name + '>');
    else if (act === CUT) {
      const cut = this.cuts.pop()!;
      this.parts.length = cut.at;
      this.removed.length = cut.removedAt;
      this.firstImage = cut.firstImage;
    }
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

const HEXO_ESCAPES: Record<string, string> = { '{': '&#123;', '}': '&#125;', '`': '&#96;' };

/**
 * Makes sanitized HTML safe inside a Hexo post: braces become entities (so
 * Nunjucks sees no tags), backticks and ~~~ too (so Hexo's code-fence filter
 * sees no fences), and no blank line is left (Markdown ends an HTML block at a
 * blank line). Inside <pre> a line break before a blank line becomes &#10;,
 * which renders the same. Safe on sanitizer output, where `<` and `>` only
 * ever delimit tags. Only needed when some text or attribute value holds one
 * of the characters involved (TagContext.hexo); most bodies hold none.
 */
function hexoSafe(html: string): string {
  const escaped = html.replace(/\r\n?/g, '\n').replace(/[{}`]|~{3,}/g, (m) => (m[0] === '~' ? '&#126;'.repeat(m.length) : HEXO_ESCAPES[m]));
  return escaped
    .replace(/(<pre\b[^>]*>[\s\S]*?<\/pre>)|\n[ \t]*(?=\n)/g, (m, pre: string | undefined) => (pre ? pre.replace(/\n(?=[ \t]*\n)/g, '&#10;') : ''))
    .trim();
}
