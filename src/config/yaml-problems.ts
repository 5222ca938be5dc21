import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, visit, type Document, type LineCounter, type YAMLError } from 'yaml';
import { cronProblem } from '../util/cron.ts';
import type { ConfigProblem } from './errors.ts';

// The YAML parser's own words for a broken file are about its grammar
// ("Unexpected alias at node end", four times for one unquoted cron
// expression; five follow-on errors for one tab). A person needs one message
// per mistake that says what to change. This reads the parser's errors with
// the text they came from and says that; an error it does not recognise keeps
// the parser's wording. Only the slow path (a file the fast lexer declined)
// gets here, so none of this costs a valid file anything.

/** `key: value` or `- value` (the value up to a comment). */
const KEY_VALUE = /^[ \t]*(?:-[ \t]+)*(?:([A-Za-z_][\w.-]*)[ \t]*:[ \t]+)?(\S.*?)[ \t]*(?:[ \t]#.*)?$/;
/** Lines longer than this (no config line is) are left to the parser's words: the patterns here stay linear in the file. */
const LONGEST_LINE = 2000;
/** A line whose indentation holds a tab. */
const TAB_INDENT = /^ *\t[ \t]*\S/;

const READ_AS = { '*': 'an alias', '&': 'an anchor', '!': 'a tag' } as const;

/** The anchors the document defines (those on a scalar apart), the ones its aliases use, and the lines its aliases are on. */
interface Anchors {
  defined: Set<string>;
  onScalars: Set<string>;
  used: Set<string>;
  aliasLines: Set<number>;
}

function anchorsOf(doc: Document, counter: LineCounter): Anchors {
  const found: Anchors = { defined: new Set(), onScalars: new Set(), used: new Set(), aliasLines: new Set() };
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      found.used.add(node.source);
      if (node.range) found.aliasLines.add(counter.linePos(node.range[0]).line);
    } else if ((isScalar(node) || isCollection(node)) && node.anchor) {
      found.defined.add(node.anchor);
      if (isScalar(node)) found.onScalars.add(node.anchor);
    }
  });
  return found;
}

/** `text` as a YAML quoted scalar: in the quotes it does not contain, else double-quoted with escapes. */
function requote(text: string): string {
  if (!text.includes('"') && !text.includes('\\')) return `"${text}"`;
  if (!text.includes("'")) return `'${text}'`;
  return JSON.stringify(text);
}

/**
 * Why YAML did not read `value` (unquoted) as the text it looks like, if that is why the line is in
 * trouble; with the quoted value to suggest when it is not simply `value` quoted.
 */
function misreading(value: string, line: number, troubled: boolean, anchors: () => Anchors): string | { quoted: string; why: string } | undefined {
  const first = value[0];
  if (first === '*' || first === '&' || first === '!') {
    const name = /^.([^\s,[\]{}]*)/.exec(value)?.[1] ?? '';
    let misread = troubled;
    // Without a complaint: an alias to no anchor, or an anchor on a text nothing refers to, was not meant as one
    // (an unused anchor on a list or mapping is someone's YAML, and harmless).
    if (!misread && first === '*') misread = anchors().aliasLines.has(line) && !anchors().defined.has(name);
    if (!misread && first === '&') misread = anchors().onScalars.has(name) && !anchors().used.has(name);
    return misread ? `unquoted, YAML reads a leading ${first} as ${READ_AS[first]}` : undefined;
  }
  // The rest only when the parser complained about the line: they are also the start of valid YAML.
  if (!troubled) return undefined;
  if (first === '@' || first === '`' || first === '%') return `unquoted, YAML reserves a leading ${first}`;
  if (/^\[[^\]]*\][ \t]*\S/.test(value)) return 'unquoted, YAML reads a leading [ as the start of a list';
  if (/^\{[^}]*\}[ \t]*\S/.test(value)) return 'unquoted, YAML reads a leading { as the start of a mapping';
  if (/^("[^"]*"|'[^']*')[ \t]*\S/.test(value)) {
    // 'Tom's blog': the inner quote ends the value early.
    const q = value[0];
    if (value.length > 2 && value.endsWith(q)) return { quoted: requote(value.slice(1, -1)), why: `a ${q} inside ${q}…${q} ends the value early` };
    return 'a quoted part with more text after it is not one value';
  }
  if (/:[ \t]/.test(value) && !/^["'[{]/.test(value)) return 'unquoted, YAML reads the ": " in it as a key';
  return undefined;
}

/**
 * A value on line `line` that YAML read as something else than the text it
 * looks like (an alias, an anchor, a tag, a list, a key…), said as the fix:
 * the line with the value quoted. `troubled`: the parser complained about this line.
 */
function misreadValue(lineText: string, line: number, troubled: boolean, anchors: () => Anchors): string | undefined {
  if (lineText.length > LONGEST_LINE) return undefined;
  const m = KEY_VALUE.exec(lineText);
  if (!m) return undefined;
  const [, key, value] = m;
  // A key or a list item's dash (with its space: `-name:` is a layout mistake): not a line of a block scalar's text.
  if (!key && !/^[ \t]*-[ \t]/.test(lineText)) return undefined;
  const said = misreading(value, line, troubled, anchors);
  if (!said) return undefined;
  const why = typeof said === 'string' ? said : said.why;
  const quoted = `${key ? `${key}: ` : '- '}${typeof said === 'string' ? JSON.stringify(value) : said.quoted}`;
  // An unquoted schedule is a cron expression (every field may be a *): said so even when it is not a valid one yet.
  if (value[0] === '*' && (key === 'schedule' || cronProblem(value) === undefined)) return `${key ? `${key}: ` : ''}quote the cron expression: ${quoted}`;
  return `${key ? `${key}: ` : ''}quote the value: ${quoted} (${why})`;
}

/** The quoted scalar still open at the end of the file: its first line, and the quote it opens with. */
function unclosedQuote(doc: Document, counter: LineCounter, at: number): { line: number; quote: string } | undefined {
  let found: { line: number; quote: string } | undefined;
  visit(doc, {
    Scalar(_key, node) {
      if (!node.range || (node.type !== 'QUOTE_DOUBLE' && node.type !== 'QUOTE_SINGLE')) return;
      if (node.range[0] <= at && at <= node.range[2]) found = { line: counter.linePos(node.range[0]).line, quote: node.type === 'QUOTE_DOUBLE' ? '"' : "'" };
    },
  });
  return found;
}

/** The innermost one-line `{…}` or `[…]` still open at `at`: its first line and its bracket. */
function unclosedFlow(doc: Document, counter: LineCounter, at: number): { line: number; open: string } | undefined {
  let found: { line: number; open: string } | undefined;
  visit(doc, (_key, node) => {
    if (!isCollection(node) || !node.flow || !node.range) return;
    if (node.range[0] < at && at <= node.range[2]) found = { line: counter.linePos(node.range[0]).line, open: isMap(node) ? '{' : '[' };
  });
  return found;
}

interface Duplicate {
  key: string;
  /** The line of the key's first appearance in the mapping. */
  first?: number;
  map: unknown;
  /** The mapping is an entry of a `groups`/`sources`/`channels` list (or another list: `entry`). */
  entry?: string;
  /** The mapping's second `name`: where the entry that lost its "- " starts, and that name. */
  secondName?: { line: number; first: number; value: string };
}

const ENTRY_OF: Record<string, string> = { groups: 'group', sources: 'source', channels: 'channel' };

/** The key the parser found a second time at `at`, the line it first appeared on in the same mapping, and that mapping. */
function duplicateKey(doc: Document, counter: LineCounter, at: number): Duplicate | undefined {
  let found: Duplicate | undefined;
  visit(doc, {
    Map(_key, map, ancestors) {
      const hit = map.items.find((p) => isScalar(p.key) && p.key.range?.[0] === at);
      if (!hit || !isScalar(hit.key)) return;
      const key = String(hit.key.value);
      const first = map.items.find((p) => p !== hit && isScalar(p.key) && String(p.key.value) === key);
      const firstAt = first && isScalar(first.key) ? first.key.range?.[0] : undefined;
      const parent = ancestors[ancestors.length - 1];
      const holder = ancestors[ancestors.length - 2];
      const listKey = isPair(holder) && isScalar(holder.key) ? String(holder.key.value) : '';
      const names = map.items.filter((p) => isScalar(p.key) && p.key.value === 'name');
      const lineOfKey = (p: (typeof names)[number]) => (isScalar(p.key) && p.key.range ? counter.linePos(p.key.range[0]).line : 0);
      found = {
        key,
        first: firstAt === undefined ? undefined : counter.linePos(firstAt).line,
        map,
        entry: isSeq(parent) ? (ENTRY_OF[listKey] ?? 'entry') : undefined,
        ...(names.length > 1
          ? { secondName: { line: lineOfKey(names[1]), first: lineOfKey(names[0]), value: isScalar(names[1].value) ? String(names[1].value.source ?? names[1].value.value) : '' } }
          : {}),
      };
      return visit.BREAK;
    },
  });
  return found;
}

/** What explaining one error learnt that the next ones need: mappings whose later duplicates follow from one missing "- ". */
interface ExplainState {
  entriesRunTogether: Set<unknown>;
}

/** One parser error in words that name the fix (or the parser's own, first line only); undefined when an earlier one said it. */
function explain(e: YAMLError, doc: Document, counter: LineCounter, state: ExplainState): ConfigProblem | undefined {
  const line = counter.linePos(e.pos[0]).line;
  const raw = e.message.split('\n')[0];
  if (e.code === 'DUPLICATE_KEY') {
    const dup = duplicateKey(doc, counter, e.pos[0]);
    if (dup && state.entriesRunTogether.has(dup.map)) return undefined;
    // A second `name:` in a list entry is a new entry without its "- ": its url, limit… are duplicates only because of that.
    if (dup?.entry && dup.secondName) {
      state.entriesRunTogether.add(dup.map);
      const { line: at, first, value } = dup.secondName;
      return { path: '', line: at, message: `a second "name" in one ${dup.entry} (the first at line ${first}): a new ${dup.entry} starts with "- ": - name: ${value}` };
    }
    if (dup) return { path: '', line, message: `duplicate key "${dup.key}"${dup.first ? ` (also at line ${dup.first})` : ''}: keep one` };
  }
  if (e.code === 'MISSING_CHAR' && /closing .?quote/i.test(raw)) {
    const open = unclosedQuote(doc, counter, e.pos[0]);
    if (open) return { path: '', line: open.line, message: `the ${open.quote} opened at line ${open.line} is never closed: end the value with ${open.quote}` };
  }
  if (e.code === 'BAD_INDENT' && /^Flow (map|sequence) in block collection/.test(raw)) {
    const open = unclosedFlow(doc, counter, e.pos[0]);
    const close = open?.open === '{' ? '}' : ']';
    if (open) return { path: '', line: open.line, message: `the ${open.open} opened at line ${open.line} is never closed: end the ${open.open === '{' ? 'mapping' : 'list'} with ${close} on that line` };
  }
  if (e.code === 'BAD_INDENT' && /mapping items must start at the same column/.test(raw)) {
    return { path: '', line, message: 'this key is not lined up with the keys above it: indent it by the same number of spaces' };
  }
  return { path: '', line, message: raw };
}

/** Parser errors explained one by one before the rest are only counted. */
const MAX_EXPLAINED = 30;

const indentOf = (l: string) => /^ */.exec(l)![0].length;
const isContent = (l: string) => /\S/.test(l) && !/^\s*#/.test(l);

/** For each line, whether its indentation is a column no earlier line starts at (nor a key after its "- "): it lines up with nothing. */
function unalignedLines(lines: readonly string[]): boolean[] {
  const columns = new Set<number>();
  return lines.map((l) => {
    if (!isContent(l)) return false;
    const unaligned = columns.size > 0 && !columns.has(indentOf(l));
    columns.add(indentOf(l));
    for (const m of /^[ \t]*(?:-[ \t]+)*/.exec(l)![0].matchAll(/-[ \t]+/g)) columns.add(m.index + m[0].length);
    return unaligned;
  });
}

/** How far below a `key: value` line an over-indented key is looked for. */
const DEEPER_SCAN = 50;

/**
 * A layout mistake the parser complained about at line `at` (1-based), in
 * words: a key with no space after its colon, a key indented under one that
 * has its value on its line, a line lined up with nothing above it.
 */
function layoutProblem(lines: readonly string[], at: number, unaligned: () => boolean[]): ConfigProblem | undefined {
  const text = lines[at - 1] ?? '';
  if (text.length > LONGEST_LINE) return undefined;
  const dash = /^[ \t]*-([A-Za-z_][\w.-]*:.*)$/.exec(text);
  if (dash) return { path: '', line: at, message: `put a space after the "-": - ${dash[1].trim()}` };
  const glued = /^[ \t]*(?:-[ \t]+)*([A-Za-z_][\w.-]*):([^\s/:].*)$/.exec(text);
  if (glued) return { path: '', line: at, message: `put a space after "${glued[1]}:": ${glued[1]}: ${glued[2].trim()}` };
  // The parser reads what follows a `key: value` line, indented deeper, as more of that value, and complains at the key.
  const kv = /^([ \t]*(?:-[ \t]+)*)([A-Za-z_][\w.-]*)[ \t]*:[ \t]+[^#\s]/.exec(text);
  if (kv) {
    const keyCol = kv[1].length;
    for (let i = at; i < Math.min(lines.length, at + DEEPER_SCAN) && (!isContent(lines[i]) || indentOf(lines[i]) > keyCol); i++) {
      const deeper = /^[ \t]*(?:-[ \t]+)*([A-Za-z_][\w.-]*)[ \t]*:(?:\s|$)/.exec(lines[i]);
      if (deeper) return { path: '', line: i + 1, message: `"${deeper[1]}" is indented more than "${kv[2]}" at line ${at}, which has its value on its line: indent it as "${kv[2]}" is` };
    }
  }
  if (unaligned()[at - 1]) {
    const indent = indentOf(text);
    return { path: '', line: at, message: `this line is indented by ${indent} space${indent === 1 ? '' : 's'}, like no line above it: indent it as the entries it belongs with` };
  }
  return undefined;
}

/**
 * The file's syntax problems, one per mistake, or [] when YAML reads it. Also
 * catches what YAML reads without complaint but was not meant: an unquoted
 * value starting with `*`, `&` or `!` (an alias to nothing, an anchor nothing
 * uses, an unknown tag).
 */
export function syntaxProblems(text: string, doc: Document, counter: LineCounter): ConfigProblem[] {
  const lines = text.split('\n');
  const errors = doc.errors;
  const errorLines = new Set(errors.map((e) => counter.linePos(e.pos[0]).line));
  const warningLines = new Set(doc.warnings.map((w) => counter.linePos(w.pos[0]).line));

  // A tab in the indentation throws the parser's idea of nesting off for the lines after it: one message, nothing that follows from it.
  if (errors.length) {
    // The tabs the parser tripped on (a tab in a block of text is fine): where it says so, or next to where it complained.
    const tabAt = new Set(errors.filter((e) => e.code === 'TAB_AS_INDENT').map((e) => counter.linePos(e.pos[0]).line));
    const near = (t: number) => tabAt.has(t) || errorLines.has(t - 1) || errorLines.has(t) || errorLines.has(t + 1);
    const tabbed = lines.flatMap((l, i) => (TAB_INDENT.test(l) && near(i + 1) ? [i + 1] : []));
    if (tabbed.length) {
      const [first, ...more] = tabbed;
      const also = more.length ? ` (tabs also at line${more.length > 1 ? 's' : ''} ${more.slice(0, 10).join(', ')}${more.length > 10 ? ', …' : ''})` : '';
      return [{ path: '', line: first, message: `tab character at line ${first}: indent with spaces${also}` }];
    }
  }

  const problems: ConfigProblem[] = [];
  const explained = new Set<number>();
  let anchors: Anchors | undefined;
  const anchorsNow = () => (anchors ??= anchorsOf(doc, counter));
  // Lines the parser complained about, and those with a * & or ! it may have read without complaint.
  lines.forEach((l, i) => {
    const line = i + 1;
    if (!errorLines.has(line) && !/[*&!]/.test(l)) return;
    const message = misreadValue(l, line, errorLines.has(line) || warningLines.has(line), anchorsNow);
    if (!message) return;
    problems.push({ path: '', line, message });
    explained.add(line);
  });
  const state: ExplainState = { entriesRunTogether: new Set() };
  let errorsExplained = 0;
  let unaligned: boolean[] | undefined;
  const unalignedNow = () => (unaligned ??= unalignedLines(lines));
  for (const e of errors) {
    const line = counter.linePos(e.pos[0]).line;
    if (explained.has(line)) continue;
    // One message per line the parser complained about: it often reports one mistake several ways.
    explained.add(line);
    // Past a screenful the rest is most likely what the first mistakes set off: counted, not each explained.
    if (++errorsExplained > MAX_EXPLAINED) {
      const rest = new Set(errors.map((x) => counter.linePos(x.pos[0]).line).filter((l) => !explained.has(l))).size + 1;
      problems.push({ path: '', line, message: `and YAML errors on ${rest} more line${rest === 1 ? '' : 's'} from here: fix the ones above first` });
      break;
    }
    const problem = layoutProblem(lines, line, unalignedNow) ?? explain(e, doc, counter, state);
    if (problem) problems.push(problem);
  }
  // A mistake explained from two of the lines it upset is said once.
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.line}\n${p.message}`;
    return !seen.has(key) && (seen.add(key), true);
  });
}
