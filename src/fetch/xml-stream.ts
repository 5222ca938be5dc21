import { Parser, type Handler } from 'htmlparser2';
import { FeedParseError } from './errors.ts';
import { FeedTokenizer } from './fast-tokenizer.ts';
import { canonicalNamespace, isNamespaceDeclaration, NS, WELL_KNOWN_PREFIXES } from './namespaces.ts';
import type { EntityDecoder } from './xml-entities.ts';
import { hasElements, Scope, type XElement } from './xml-tree.ts';
import { editDistance } from '../util/suggest.ts';

// The one parse of a feed: htmlparser2's streaming Parser in xmlMode over the
// decoded text, turned into element events with namespaces resolved (by URI,
// from the xmlns declarations in scope), entities decoded (xml-entities.ts),
// and the subtrees a format reader asks for built as small trees.
//
// htmlparser2 never throws on broken markup; it closes what it must and
// carries on. This layer tells the reader how each element ended and writes
// down, with lines, every repair that took:
//  - an end tag that closes nothing is ignored; when it is a near-miss of the
//    open element's name (`<title>…</titel>`) it is read as that end tag;
//  - an end tag that closes an outer element closes the inner ones with it;
//  - an item (or entry) opening inside one of its own name closes that one
//    first, as its end tag is taken to be missing; the repair is only noted
//    once htmlparser2 confirms it (the outer item's end is implied), so a
//    well-formed document never gets a note. Other elements may nest in their
//    own kind (`<itunes:category>` subcategories) and are left alone;
//  - the document ending closes everything still open (truncation); the
//    reader decides what an unfinished element is worth, and says so.

export type EndKind = 'closed' | 'implied' | 'eof';

export interface StreamReader {
  /** An element outside any kept tree opened (`depth` 0 is the root); true keeps it: its subtree is built. */
  open(el: XElement, depth: number): boolean;
  /** An element that was not kept, or the top of a kept tree, ended (`depth` as at open). */
  close(el: XElement, how: EndKind, depth: number): void;
}

/** Deeper nesting than this is refused: no feed needs it, and it only costs. */
const MAX_DEPTH = 1000;
/** Elements that never contain one of their own name: one opening inside another means its end tag is missing. */
const ITEMS: ReadonlySet<string> = new Set(['item', 'entry']);
/** Repairs described one by one; past this they are counted. */
const MAX_NOTES = 20;

/** htmlparser2's Parser, telling the stream about each end tag before it acts on it. */
class HookedParser extends Parser {
  constructor(
    private readonly hooks: XmlStream,
    handler: Partial<Handler>,
  ) {
    super(handler, { xmlMode: true, decodeEntities: false, Tokenizer: FeedTokenizer });
  }

  override onclosetag(start: number, endIndex: number): void {
    this.hooks.beforeEndTag(start, endIndex);
    super.onclosetag(start, endIndex);
    this.hooks.closer = undefined;
  }

  override onselfclosingtag(endIndex: number): void {
    this.hooks.selfClosing = true;
    super.onselfclosingtag(endIndex);
    this.hooks.selfClosing = false;
  }
}

export class XmlStream {
  private readonly notes: string[] = [];
  /** Set while htmlparser2 handles an end tag that names an open element. */
  closer: { name: string; at: number } | undefined;
  selfClosing = false;

  /** htmlparser2's open elements, in order; null for ignored ones (after the root). */
  private readonly mirror: (XElement | null)[] = [];
  /** Elements still open to the reader: the mirror without those closed early (a misspelt end tag, an unclosed item). */
  private readonly live: XElement[] = [];
  /** Elements closed early, with the note to record should htmlparser2 confirm the end tag was missing. */
  private readonly closedEarly = new Map<XElement, (() => string) | undefined>();
  /** Index in `live` of the root of the tree being kept (an item, a channel field), or -1. */
  private keptRoot = -1;
  private readonly rootScope = new Scope(undefined, new Map([['xml', NS.xml]]));
  private readonly parser: HookedParser;
  private inCdata = false;
  private done = false;
  private moreNotes = 0;
  /** Elements the end of the document closed, innermost first. */
  readonly openAtEnd: string[] = [];
  private lineAt = 0;
  private lineCount = 1;

  /** `text` starts at the root's start tag; `lineOffset` lines came before it. */
  constructor(
    private readonly text: string,
    private readonly lineOffset: number,
    private readonly entities: EntityDecoder,
    private readonly reader: StreamReader,
  ) {
    this.parser = new HookedParser(this, {
      onopentag: (name, attribs) => this.open(name, attribs),
      ontext: (data) => this.addText(data),
      oncdatastart: () => (this.inCdata = true),
      oncdataend: () => (this.inCdata = false),
      onclosetag: (_name, implied) => this.end(implied),
    });
  }

  run(): void {
    this.parser.end(this.text);
  }

  /** 1-based line of an offset in the text read. */
  line(at: number): number {
    if (at < this.lineAt) {
      this.lineAt = 0;
      this.lineCount = 1;
    }
    for (let i = this.text.indexOf('\n', this.lineAt); i !== -1 && i < at; i = this.text.indexOf('\n', i + 1)) this.lineCount++;
    this.lineAt = at;
    return this.lineOffset + this.lineCount;
  }

  /**
   * Records a repair; `message` is only built while under the cap (it may
   * count lines). A `vital` one (the document's end) is always recorded.
   */
  note(message: () => string, vital = false): void {
    if (vital || this.notes.length < MAX_NOTES) this.notes.push(message());
    else this.moreNotes++;
  }

  private open(name: string, attribs: Record<string, string>): void {
    if (this.done) {
      this.mirror.push(null); // after the root: trailing junk (a PHP warning, a second document)
      return;
    }
    if (this.live.length >= MAX_DEPTH) {
      throw new FeedParseError('parse', `malformed XML: elements nest deeper than ${MAX_DEPTH} levels at line ${this.line(this.parser.startIndex)}`);
    }
    const parent = this.live.at(-1);
    let declared: Map<string, string> | undefined;
    for (const key in attribs) {
      const raw = attribs[key];
      const value = raw.indexOf('&') === -1 ? raw : (attribs[key] = this.entities.decode(raw));
      if (isNamespaceDeclaration(key)) {
        (declared ??= new Map()).set(key.slice(6), canonicalNamespace(value));
      }
    }
    const scope = declared ? new Scope(parent?.scope ?? this.rootScope, declared) : (parent?.scope ?? this.rootScope);
    const colon = name.indexOf(':');
    let local = name;
    let ns: string;
    if (colon === -1) ns = scope.lookup('') ?? NS.none;
    else {
      const prefix = name.slice(0, colon);
      local = name.slice(colon + 1);
      ns = scope.lookup(prefix) ?? WELL_KNOWN_PREFIXES.get(prefix) ?? `undeclared:${prefix}`;
    }
    const el: XElement = { name, local, ns, attrs: attribs, children: null, at: this.parser.startIndex, scope };
    const root = this.keptRoot === -1 ? undefined : this.live[this.keptRoot];
    // An <item> inside an <item>: the first one's end tag is missing.
    if (root && root.local === local && root.ns === ns && ITEMS.has(local)) this.closeUnfinished(root, el.at);
    const into = this.live.at(-1);
    if (into?.children) {
      el.children = [];
      into.children.push(el);
    } else if (this.reader.open(el, this.live.length)) {
      el.children = [];
      this.keptRoot = this.live.length;
    }
    this.mirror.push(el);
    this.live.push(el);
  }

  /** Closes the kept tree `root` (and what is open inside it) where the next element of its name starts. */
  private closeUnfinished(root: XElement, at: number): void {
    const note = () => `<${root.name}> at line ${this.line(root.at)} is not closed; closed at the next <${root.name}> at line ${this.line(at)}`;
    // htmlparser2 still has them open: its end events for them are ignored when they come.
    while (this.live.length > this.keptRoot) {
      const el = this.live.pop()!;
      this.closedEarly.set(el, el === root ? note : undefined);
    }
    this.finish(root, 'implied');
  }

  private addText(data: string): void {
    const children = this.live.at(-1)?.children;
    if (!children) return; // text outside a kept tree (whitespace between items) is not read
    const value = this.inCdata ? data : this.entities.decode(data);
    const last = children.length - 1;
    if (last >= 0 && typeof children[last] === 'string') children[last] += value;
    else children.push(value);
  }

  /** Called by the parser before it handles the end tag at [start, endIndex). */
  beforeEndTag(start: number, endIndex: number): void {
    if (this.done) return;
    const name = this.text.slice(start, endIndex);
    for (let i = this.mirror.length - 1; i >= 0; i--) {
      if (this.mirror[i]?.name === name) {
        this.closer = { name, at: start };
        return;
      }
    }
    this.strayEndTag(name, start);
  }

  /** An end tag that names no open element: htmlparser2 ignores it; a near-miss closes the element it misspells. */
  private strayEndTag(name: string, at: number): void {
    const top = this.live.at(-1);
    if (!top) return;
    if (top.children && !hasElements(top) && isMisspelling(name.slice(name.indexOf(':') + 1), top.local)) {
      this.note(() => `</${name}> at line ${this.line(at)} closes nothing; read as </${top.name}> (misspelt?)`);
      this.closedEarly.set(top, undefined);
      this.live.pop();
      this.finish(top, 'closed');
      return;
    }
    this.note(() => `</${name}> at line ${this.line(at)} closes nothing; ignored`);
  }

  private end(implied: boolean): void {
    const el = this.mirror.pop();
    if (!el) return;
    if (this.closedEarly.has(el)) {
      const note = this.closedEarly.get(el);
      this.closedEarly.delete(el);
      // Its end tag came after all (`<item><item/></item>`, well-formed): nothing was repaired.
      if (note && implied && !this.selfClosing) this.note(note);
      return;
    }
    this.live.pop();
    let how: EndKind = 'closed';
    if (implied && !this.selfClosing) {
      const closer = this.closer;
      if (closer) {
        how = 'implied';
        this.note(() => `<${el.name}> at line ${this.line(el.at)} is not closed; closed by </${closer.name}> at line ${this.line(closer.at)}`);
      } else {
        how = 'eof';
        this.openAtEnd.push(el.name);
      }
    }
    this.finish(el, how);
  }

  private finish(el: XElement, how: EndKind): void {
    const depth = this.live.length;
    if (depth === this.keptRoot) this.keptRoot = -1;
    if (!this.live.at(-1)?.children) this.reader.close(el, how, depth);
    if (depth === 0) this.done = true;
  }

  /** The repairs, one sentence each, with a count of those past the cap. */
  recovered(): string[] {
    if (!this.moreNotes) return this.notes;
    // The count goes before a vital last note, which stays last.
    const at = this.notes.length > MAX_NOTES ? this.notes.length - 1 : this.notes.length;
    return [...this.notes.slice(0, at), `… and ${this.moreNotes} more repairs`, ...this.notes.slice(at)];
  }

  /** Line the document's last character (trailing whitespace aside) is on. */
  endLine(): number {
    return this.line(this.text.trimEnd().length);
  }
}

/**
 * Whether end tag `name` is a misspelling of open element `open`: one edit
 * (or a swap of two neighbours) apart, for names long enough that this is not
 * a coincidence (`</b>` is not a misspelt `</i>`), or the same local name.
 */
function isMisspelling(name: string, open: string): boolean {
  const a = name.toLowerCase();
  const b = open.toLowerCase();
  if (a === b) return true; // another prefix or another case: `<atom:title>…</title>`
  if (b.length < 4 || Math.abs(a.length - b.length) > 1) return false;
  return editDistance(a, b) <= 1;
}
