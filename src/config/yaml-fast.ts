import { CST, isScalar, Parser, Schema } from 'yaml';

// The yaml package's Document API (parse, parseDocument) costs about 300 ms
// of CPU on a 1,000-channel config in a fresh process — most commands read
// the config once and exit, so that is most of `refeed status`. Reading the
// same package's concrete syntax tree (its Parser, one level down) into plain
// values skips building the Document and its nodes, about 40% of the work.
//
// The tree is read only for the plain shape a config has: block mappings and
// sequences of scalars, comments. Anything else — anchors, aliases, tags,
// flow collections, explicit keys, several documents, tabs, a duplicate or
// non-string key, any problem — is declined, and the Document API reads the
// file (and says where a problem is). Scalars go through the package's own
// scalar resolution and YAML 1.2 core schema tags, so a value means the same
// on both paths; tests/config/yaml-fast.test.ts holds the two to it.

type Token = CST.Token;
type SourceToken = CST.SourceToken;

/** Thrown inside the walk to give up on the fast path. */
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

/**
 * Whether a list of separator tokens holds only white space, line breaks,
 * comments (each after white space, as YAML requires) and at most `indicators`
 * (each at most once).
 */
function plainSeparators(list: readonly SourceToken[] | undefined, spaceBefore: boolean, indicator?: SourceToken['type']): { found: boolean; newline: boolean } {
  let hasSpace = spaceBefore;
  let found = false;
  let newline = false;
  for (const t of list ?? []) {
    switch (t.type) {
      case 'space':
        hasSpace = true;
        break;
      case 'newline':
        hasSpace = true;
        newline = true;
        break;
      case 'comment':
        if (!hasSpace) decline();
        hasSpace = false;
        break;
      default:
        if (t.type !== indicator || found) decline();
        found = true;
        hasSpace = false;
    }
  }
  return { found, newline };
}

function scalar(token: CST.FlowScalar | CST.BlockScalar): unknown {
  const resolved = CST.resolveAsScalar(token, true, decline);
  if (token.type !== 'scalar') return resolved.value;
  const tag = tags().find((t) => t.test!.test(resolved.value));
  if (!tag) return resolved.value;
  const value = tag.resolve(resolved.value, decline, RESOLVE_OPTS);
  return isScalar(value) ? value.value : value;
}

function node(token: Token | undefined): unknown {
  if (!token) return null;
  switch (token.type) {
    case 'scalar':
    case 'single-quoted-scalar':
    case 'double-quoted-scalar':
      plainSeparators(token.end, false);
      return scalar(token);
    case 'block-scalar':
      for (const p of token.props) if (p.type !== 'block-scalar-header' && p.type !== 'space' && p.type !== 'comment' && p.type !== 'newline') decline();
      return scalar(token);
    case 'block-map':
      return blockMap(token);
    case 'block-seq':
      return blockSeq(token);
    case 'flow-collection':
      return flowCollection(token);
    default:
      return decline();
  }
}

function blockMap(map: CST.BlockMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  map.items.forEach((item, i) => {
    if (item.explicitKey) decline();
    // An item of only comments ends a mapping; anywhere else the Document API decides.
    if (!item.key && !item.sep) {
      plainSeparators(item.start, true);
      if (i !== map.items.length - 1) decline();
      return;
    }
    const key = item.key;
    plainSeparators(item.start, true);
    if (!key || (key.type !== 'scalar' && key.type !== 'single-quoted-scalar' && key.type !== 'double-quoted-scalar')) return decline();
    // One line, at the mapping's column, nothing after it but the `:`.
    if (key.indent !== map.indent || key.source.includes('\n') || key.source.length > 1000 || key.end?.length) decline();
    const name = scalar(key);
    if (typeof name !== 'string' || name === '__proto__' || name === '<<' || Object.hasOwn(out, name)) decline();
    const sep = plainSeparators(item.sep, false, 'map-value-ind');
    if (!sep.found) decline();
    if (item.value?.type === 'block-map' && !sep.newline) decline();
    out[name as string] = node(item.value);
  });
  return out;
}

function blockSeq(seq: CST.BlockSequence): unknown[] {
  const out: unknown[] = [];
  seq.items.forEach((item, i) => {
    const { found } = plainSeparators(item.start, true, 'seq-item-ind');
    if (!found) {
      if (item.value || i !== seq.items.length - 1) decline();
      return;
    }
    out.push(node(item.value));
  });
  return out;
}

/** Only white space (no line break, no comment), then at most one `indicator`, then only white space. */
function inlineSeparators(list: readonly SourceToken[] | undefined, indicator?: SourceToken['type']): boolean {
  let found = false;
  for (const t of list ?? []) {
    if (t.type === 'space') continue;
    if (t.type !== indicator || found) decline();
    found = true;
  }
  return found;
}

/** A flow collection on one line (`[a, b]`, `{ k: v }`) of scalars and flow collections. */
function flowValue(token: Token | undefined): unknown {
  if (!token) return null;
  if (token.type === 'flow-collection') return flowCollection(token);
  if (token.type !== 'scalar' && token.type !== 'single-quoted-scalar' && token.type !== 'double-quoted-scalar') return decline();
  if (token.source.includes('\n')) decline();
  inlineSeparators(token.end);
  return scalar(token);
}

function flowCollection(fc: CST.FlowCollection): unknown {
  const isMap = fc.start.source === '{';
  const [close, ...after] = fc.end;
  if (close?.source !== (isMap ? '}' : ']')) decline();
  plainSeparators(after, false);
  const list: unknown[] = [];
  const map: Record<string, unknown> = {};
  fc.items.forEach((item, i) => {
    // A comma before every item but the first; a trailing comma leaves a last, empty item.
    if (inlineSeparators(item.start, 'comma') !== i > 0) decline();
    if (!item.key && !item.sep && !item.value) {
      if (i === 0 || i !== fc.items.length - 1) decline();
      return;
    }
    if (!isMap) {
      if (item.key !== undefined || item.sep) decline();
      list.push(flowValue(item.value));
      return;
    }
    const key = item.key;
    if (!key || !inlineSeparators(item.sep, 'map-value-ind')) return decline();
    const name = flowValue(key);
    if (typeof name !== 'string' || name === '__proto__' || name === '<<' || Object.hasOwn(map, name)) decline();
    map[name as string] = flowValue(item.value);
  });
  return isMap ? map : list;
}

function documentValue(doc: CST.Document): unknown {
  let afterStart = false;
  let lineBroken = true;
  for (const t of doc.start) {
    if (t.type === 'doc-start') {
      if (afterStart) decline();
      afterStart = true;
      lineBroken = false;
    } else if (t.type === 'newline') lineBroken = true;
    else if (t.type !== 'space' && t.type !== 'comment') decline();
  }
  plainSeparators(
    doc.start.filter((t) => t.type !== 'doc-start'),
    true,
  );
  // `--- key: value`: the Document API refuses a collection on the marker's line.
  if (!lineBroken && doc.value && doc.value.type !== 'scalar') decline();
  plainSeparators(doc.end as SourceToken[] | undefined, true);
  return node(doc.value);
}

/**
 * The config file's data when the text has a config's plain shape, read from
 * the yaml package's syntax tree; undefined to let the Document API read it.
 */
export function fastParse(text: string): { value: unknown } | undefined {
  // Tabs and carriage returns have rules of their own (indentation, folding): rare in a config, left to the Document API.
  if (text.includes('\t') || text.includes('\r')) return undefined;
  try {
    let value: unknown = null;
    let documents = 0;
    for (const token of new Parser().parse(text)) {
      // Comments and blank lines before the document come as tokens of their own.
      if (documents === 0 && (token.type === 'comment' || token.type === 'newline' || token.type === 'space')) continue;
      if (token.type !== 'document' || ++documents > 1) return undefined;
      value = documentValue(token);
    }
    return { value };
  } catch {
    // DECLINE, or anything the package's resolvers throw: the Document API then reads it and reports.
    return undefined;
  }
}
