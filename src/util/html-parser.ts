import { Parser, type Handler, type ParserOptions } from 'htmlparser2';

// htmlparser2 keeps its open elements in an array it grows and shrinks at the
// front (unshift/shift), so each start tag costs as much as the nesting depth:
// a body nested 200,000 levels deep took 40 s. Browsers bound nesting instead
// (past a limit, elements become siblings), and so does this parser: a start
// tag that would open an element deeper than MAX_HTML_DEPTH is dropped, with
// its end tag, and its content stays where it is, as text and elements at the
// limit. Every start tag then costs at most the limit, so parsing is linear.
//
// Only public parts of htmlparser2 are relied on: the handler's events (which
// mirror its open elements exactly) and the tokenizer callbacks the Parser
// class implements, whose positions index the text written so far.

/** How deep HTML elements may nest: past it, start tags are dropped and their content kept (flattened). */
export const MAX_HTML_DEPTH = 256;

// Elements the tokenizer reads as raw text up to their own end tag: they hold
// no elements, so they are let through at the limit (one level more, at
// most); dropping the start tag would turn a script's code into text.
const RAW_TEXT: ReadonlySet<string> = new Set(['script', 'style', 'title', 'textarea', 'xmp']);

const EVENTS = [
  'onparserinit', 'onreset', 'onend', 'onerror', 'onattribute', 'onopentag', 'ontext', 'oncomment', 'oncdatastart',
  'oncdataend', 'oncommentend', 'onprocessinginstruction',
] as const;

interface Levels {
  depth: number;
  deepest: number;
}

/**
 * htmlparser2's Parser with nesting bounded by `maxDepth`. The text written
 * (write/end) must be `source`, in order: tag names of dropped tags are read
 * from it.
 */
export class DepthBoundParser extends Parser {
  /** Start tags dropped for being too deep. */
  flattened = 0;
  /** Dropped start tags whose end tag has not come yet, by name: that end tag is dropped too. */
  private readonly dropped = new Map<string, number>();
  private dropping = false;
  private readonly lowerCase: boolean;
  private readonly levels: Levels;

  constructor(
    handler: Partial<Handler>,
    private readonly source: string,
    options: ParserOptions = {},
    private readonly maxDepth = MAX_HTML_DEPTH,
  ) {
    const levels: Levels = { depth: 0, deepest: 0 };
    const counted: Partial<Handler> = {};
    const target = handler as Record<string, unknown>;
    // Forward only the events the handler has: htmlparser2 does less work (no attributes) for a missing onopentag.
    for (const name of EVENTS) {
      const fn = target[name];
      if (typeof fn === 'function') (counted as Record<string, unknown>)[name] = fn.bind(handler);
    }
    counted.onopentagname = (name) => {
      if (++levels.depth > levels.deepest) levels.deepest = levels.depth;
      handler.onopentagname?.call(handler, name);
    };
    counted.onclosetag = (name, implied) => {
      levels.depth--;
      handler.onclosetag?.call(handler, name, implied);
    };
    super(counted, options);
    this.levels = levels;
    this.lowerCase = options.lowerCaseTags ?? !options.xmlMode;
  }

  /** Elements open right now (htmlparser2's stack). */
  get depth(): number {
    return this.levels.depth;
  }

  /** The most elements ever open at once. */
  get deepest(): number {
    return this.levels.deepest;
  }

  private nameAt(start: number, endIndex: number): string {
    const name = this.source.slice(start, endIndex);
    return this.lowerCase ? name.toLowerCase() : name;
  }

  override onopentagname(start: number, endIndex: number): void {
    if (this.depth >= this.maxDepth) {
      const name = this.nameAt(start, endIndex);
      if (!this.isVoidElement(name) && !RAW_TEXT.has(name)) {
        this.dropping = true;
        this.flattened++;
        this.dropped.set(name, (this.dropped.get(name) ?? 0) + 1);
        this.endIndex = endIndex;
        return;
      }
    }
    super.onopentagname(start, endIndex);
  }

  override onattribname(start: number, endIndex: number): void {
    if (!this.dropping) super.onattribname(start, endIndex);
  }

  override onattribdata(start: number, endIndex: number): void {
    if (!this.dropping) super.onattribdata(start, endIndex);
  }

  override onattribentity(cp: number): void {
    if (!this.dropping) super.onattribentity(cp);
  }

  override onattribend(quote: Parameters<Parser['onattribend']>[0], endIndex: number): void {
    if (!this.dropping) super.onattribend(quote, endIndex);
  }

  override onopentagend(endIndex: number): void {
    if (this.dropping) this.skipTag(endIndex);
    else super.onopentagend(endIndex);
  }

  override onselfclosingtag(endIndex: number): void {
    if (this.dropping) this.skipTag(endIndex);
    else super.onselfclosingtag(endIndex);
  }

  override onclosetag(start: number, endIndex: number): void {
    if (this.dropped.size) {
      const name = this.nameAt(start, endIndex);
      const n = this.dropped.get(name);
      if (n !== undefined) {
        // The end tag of a dropped element: dropped with it.
        if (n > 1) this.dropped.set(name, n - 1);
        else this.dropped.delete(name);
        this.endIndex = endIndex;
        this.startIndex = endIndex + 1;
        return;
      }
      const before = this.depth;
      super.onclosetag(start, endIndex);
      // An open element closed: the dropped ones were inside it, and are closed with it.
      if (this.depth < before) this.dropped.clear();
      return;
    }
    super.onclosetag(start, endIndex);
  }

  override reset(): void {
    super.reset();
    this.levels.depth = 0;
    this.dropped.clear();
    this.dropping = false;
  }

  private skipTag(endIndex: number): void {
    this.dropping = false;
    this.endIndex = endIndex;
    this.startIndex = endIndex + 1;
  }
}
