import { CST, isScalar, Lexer, Schema } from 'yaml';

// The yaml package's Document API (parse, parseDocument) costs about 300 ms
// of CPU on a 1,000-channel config in a fresh process, its Parser (the
// syntax tree) about 190 ms of that, its Lexer about 95 ms: most commands read
// the config once and exit, so that is most of `refeed status`. This reads
// the package's lexemes into plain values directly, for the plain shape a
// config has: block mappings and sequences, one-line flow collections,
// plain and quoted scalars, comments.
//
// Anything else — anchors, aliases, tags, block scalars, explicit keys,
// several documents, tabs, a duplicate or non-string key, an indentation it
// does not expect, any problem — is declined, and the Document API reads the
// file (and says where a problem is). Scalars go through the package's own
// scalar resolution and YAML 1.2 core schema tags, so a value means the same
// on both paths; tests/config/yaml-fast.test.ts holds the two to it.

type Kind = CST.TokenType;

interface Lexeme {
  kind: Kind;
  source: string;
  offset: number;
  /** Column of the lexeme's first character. */
  col: number;
  /** The line's indentation as the yaml Parser counts it (block scalars are trimmed by it). */
  indent: number;
}

/** Thrown inside the reader to give up on the fast path. */
const DECLINE = Symbol('decline');
const decline = (): never => {
  throw DECLINE;
};

interface ScalarTag {
  default?: boolean | 'key';
  test?: RegExp;
  resolve: (source: string, onError: (message: string) => void, options: object) => unknown;
}
let coreTags: ScalarTag[] | undefined;
/** The core schema's implicit scalar tags, in the order the composer tries them (compose-scalar.js). */
function tags(): ScalarTag[] {
  return (coreTags ??= (new Schema({}).tags as unknown as ScalarTag[]).filter((t) => t.default === true && t.test));
}
const RESOLVE_OPTS = { intAsBigInt: false };

const ACCEPTED = new Set<Kind>(['scalar', 'single-quoted-scalar', 'double-quoted-scalar', 'space', 'newline', 'comment', 'seq-item-ind', 'map-value-ind', 'flow-map-start', 'flow-map-end', 'flow-seq-start', 'flow-seq-end', 'comma', 'doc-start', 'block-scalar-header']);

/** The lexemes with their columns, as the yaml Parser counts offsets; declines what the reader does not handle. */
function lexemes(text: string): Lexeme[] {
  const out: Lexeme[] = [];
  let offset = 0;
  let lineStart = 0;
  let atScalar = false;
  let documents = 0;
  // Parser.next()'s indentation count: spaces and indicators that open a line.
  let indent = 0;
  let atNewLine = true;
  let blockScalar = false;
  for (const source of new Lexer().lex(text)) {
    let kind: Kind;
    if (atScalar) {
      atScalar = false;
      kind = 'scalar';
    } else {
      const k = CST.tokenType(source);
      if (k === 'scalar') {
        atScalar = true;
        atNewLine = false;
        continue;
      }
      if (k === 'doc-mode') {
        if (++documents > 1) decline();
        continue;
      }
      if (!k || !ACCEPTED.has(k)) return decline();
      kind = k;
    }
    if (source === '' && kind === 'newline') break; // the end of the input
    out.push({ kind, source, offset, col: offset - lineStart, indent });
    offset += source.length;
    if (kind === 'newline') lineStart = offset;
    else if (source.includes('\n')) lineStart = offset - source.length + source.lastIndexOf('\n') + 1;
    if (kind === 'newline') {
      atNewLine = true;
      indent = 0;
    } else if (kind === 'space') {
      if (atNewLine) indent += source.length;
    } else if (kind === 'seq-item-ind' || kind === 'map-value-ind') {
      if (atNewLine) indent += source.length;
    } else if (kind === 'block-scalar-header') {
      blockScalar = true;
      atNewLine = false;
    } else if (kind === 'scalar' && blockScalar) {
      // A block scalar's lines include its last line break (Parser.blockScalar()).
      blockScalar = false;
      atNewLine = true;
      indent = 0;
    } else if (kind !== 'scalar') atNewLine = false;
  }
  return out;
}

const isScalarKind = (k: Kind | undefined) => k === 'scalar' || k === 'single-quoted-scalar' || k === 'double-quoted-scalar';

class Reader {
  private i = 0;
  /** A block scalar took its line break with it. */
  private lineEnded = false;

  constructor(private readonly t: Lexeme[]) {}

  private get cur(): Lexeme | undefined {
    return this.t[this.i];
  }

  private kindAt(i: number): Kind | undefined {
    return this.t[i]?.kind;
  }

  /** Spaces, and a comment after white space, up to the line's end. */
  private skipInline(): void {
    while (this.cur?.kind === 'space') this.i++;
    if (this.cur?.kind === 'comment') {
      const before = this.kindAt(this.i - 1);
      if (before !== undefined && before !== 'space' && before !== 'newline') decline();
      this.i++;
    }
  }

  /** The rest of the line (white space, a comment) and its line break, or the end. */
  private endOfLine(): void {
    if (this.lineEnded) {
      this.lineEnded = false;
      return;
    }
    this.skipInline();
    const t = this.cur;
    if (!t) return;
    if (t.kind !== 'newline') decline();
    this.i++;
  }

  /** Whether content follows on this line after a space (then consumed); otherwise the line ends here. */
  private contentFollows(): boolean {
    const after = this.kindAt(this.i + 1);
    if (this.cur?.kind !== 'space' || after === 'comment' || after === 'newline' || after === undefined) return false;
    this.i++;
    return true;
  }

  /** Whether the current lexeme is a key: a scalar right before a `:`. */
  private atKey(): boolean {
    return isScalarKind(this.cur?.kind) && this.kindAt(this.i + 1) === 'map-value-ind';
  }

  /** A scalar or flow collection and the rest of its line, up to the next line's content. */
  private lineValue(parent: number): unknown {
    const value = this.inline(parent);
    this.endOfLine();
    this.skipBlank();
    return value;
  }

  /** Blank and comment lines and indentation: stops at the next line's first lexeme of content. */
  private skipBlank(): void {
    for (;;) {
      this.skipInline();
      if (this.cur?.kind !== 'newline') return;
      this.i++;
    }
  }

  private scalar(lexeme: Lexeme): unknown {
    const token = { type: lexeme.kind as 'scalar', offset: lexeme.offset, indent: 0, source: lexeme.source };
    const resolved = CST.resolveAsScalar(token, true, decline);
    if (lexeme.kind !== 'scalar') return resolved.value;
    const tag = tags().find((t) => t.test!.test(resolved.value));
    if (!tag) return resolved.value;
    const value = tag.resolve(resolved.value, decline, RESOLVE_OPTS);
    return isScalar(value) ? value.value : value;
  }

  /** A mapping key: a one-line scalar right before its `:`, as a string. */
  private key(into: Record<string, unknown>): string {
    const k = this.cur!;
    if (!isScalarKind(k.kind) || k.source.includes('\n') || k.source.length > 1000 || this.kindAt(this.i + 1) !== 'map-value-ind') decline();
    const name = this.scalar(k);
    if (typeof name !== 'string' || name === '__proto__' || name === '<<' || Object.hasOwn(into, name)) decline();
    this.i += 2;
    return name as string;
  }

  document(): unknown {
    this.skipBlank();
    const marker = this.cur;
    if (marker?.kind === 'doc-start') {
      if (marker.col !== 0) decline();
      this.i++;
      // Content on the marker's line is left to the Document API.
      const after = this.kindAt(this.i);
      if (after !== undefined && after !== 'space' && after !== 'newline') decline();
      this.endOfLine();
      this.skipBlank();
    }
    const value = this.cur ? this.block(0, 0) : null;
    this.skipBlank();
    if (this.cur) decline();
    return value;
  }

  /** The node starting at the current lexeme, the first of its line's content, at a column of at least `min`. */
  private block(min: number, parent: number): unknown {
    const t = this.cur!;
    if (t.col < min) decline();
    if (t.kind === 'seq-item-ind') return this.sequence(t.col);
    if (this.atKey()) return this.mapping(t.col);
    return this.lineValue(parent);
  }

  private sequence(col: number): unknown[] {
    const out: unknown[] = [];
    while (this.cur && this.cur.col >= col) {
      const t = this.cur;
      // At the column but no `-`: the mapping this sequence is a value of goes on (or, at the root, the Document API decides).
      if (t.col === col && t.kind !== 'seq-item-ind') break;
      if (t.col !== col) decline();
      this.i++;
      if (this.contentFollows()) {
        const c = this.cur!;
        if (c.kind === 'seq-item-ind') out.push(this.sequence(c.col));
        else if (this.atKey()) out.push(this.mapping(c.col));
        else out.push(this.lineValue(col));
      } else {
        this.endOfLine();
        this.skipBlank();
        out.push(this.cur && this.cur.col > col ? this.block(col + 1, col) : null);
      }
    }
    return out;
  }

  private mapping(col: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (this.cur && this.cur.col >= col) {
      if (this.cur.col !== col) decline();
      const name = this.key(out);
      if (this.contentFollows()) {
        // `a: - b` and `a: b: c` are not YAML.
        if (this.cur!.kind === 'seq-item-ind' || this.atKey()) decline();
        out[name] = this.lineValue(col);
      } else {
        this.endOfLine();
        this.skipBlank();
        const c = this.cur;
        // A sequence may sit at its key's column; anything else nests deeper.
        if (c && c.col === col && c.kind === 'seq-item-ind') out[name] = this.sequence(col);
        else out[name] = c && c.col > col ? this.block(col + 1, col) : null;
      }
    }
    return out;
  }

  /** A scalar or a one-line flow collection, on the current line; `parent`: the column of the collection it is in. */
  private inline(parent: number): unknown {
    const t = this.cur;
    if (!t) return decline();
    if (isScalarKind(t.kind)) {
      this.i++;
      return this.scalar(t);
    }
    if (t.kind === 'flow-seq-start' || t.kind === 'flow-map-start') return this.flow();
    if (t.kind === 'block-scalar-header') return this.blockScalar(t, parent);
    return decline();
  }

  /** `|` or `>` and its lines, which end with their line break; indented relative to the enclosing collection (as in Parser.pop()). */
  private blockScalar(header: Lexeme, parent: number): string {
    this.i++;
    const props = [header];
    while (this.cur && (this.cur.kind === 'space' || this.cur.kind === 'comment' || this.cur.kind === 'newline')) props.push(this.t[this.i++]);
    const body = this.cur;
    if (body?.kind !== 'scalar') return decline();
    this.i++;
    const sourceToken = (l: Lexeme) => ({ type: l.kind, offset: l.offset, indent: l.indent, source: l.source }) as CST.SourceToken;
    const token: CST.BlockScalar = { type: 'block-scalar', offset: header.offset, indent: parent, props: props.map(sourceToken), source: body.source };
    this.lineEnded = true;
    return CST.resolveAsScalar(token, true, decline).value;
  }

  private skipSpaces(): void {
    while (this.cur?.kind === 'space') this.i++;
  }

  private flowItem(): unknown {
    const t = this.cur;
    if (!t) return decline();
    if (t.kind === 'flow-seq-start' || t.kind === 'flow-map-start') return this.flow();
    if (!isScalarKind(t.kind) || t.source.includes('\n')) decline();
    this.i++;
    return this.scalar(t);
  }

  private flow(): unknown {
    const isMap = this.cur!.kind === 'flow-map-start';
    const close: Kind = isMap ? 'flow-map-end' : 'flow-seq-end';
    this.i++;
    const list: unknown[] = [];
    const map: Record<string, unknown> = {};
    for (let n = 0; ; n++) {
      this.skipSpaces();
      // Empty, or after a trailing comma.
      if (this.cur?.kind === close && (n === 0 || this.kindAt(this.i - 1) === 'comma' || this.kindAt(this.i - 2) === 'comma')) break;
      if (isMap) {
        const name = this.key(map);
        this.skipSpaces();
        map[name] = this.cur?.kind === 'comma' || this.cur?.kind === close ? null : this.flowItem();
      } else {
        list.push(this.flowItem());
        if (this.cur?.kind === 'map-value-ind') decline();
      }
      this.skipSpaces();
      const after: Kind | undefined = this.cur?.kind;
      if (after === close) break;
      if (after !== 'comma') decline();
      this.i++;
    }
    this.i++;
    return isMap ? map : list;
  }
}

/**
 * The config file's data when the text has a config's plain shape, read from
 * the yaml package's lexemes; undefined to let the Document API read it.
 */
export function fastParse(text: string): { value: unknown } | undefined {
  // Tabs and carriage returns have rules of their own (indentation, folding): rare in a config, left to the Document API.
  if (text.includes('\t') || text.includes('\r')) return undefined;
  try {
    return { value: new Reader(lexemes(text)).document() };
  } catch {
    // DECLINE, or anything the package's resolvers throw: the Document API then reads it and reports.
    return undefined;
  }
}
