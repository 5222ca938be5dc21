import { isDeepStrictEqual } from 'node:util';
import { validate as validateCron } from 'node-cron';
import { Document, isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { ConfigError, formatPath, formatProblem, type ConfigProblem } from './errors.ts';
import { parseConfig } from './load.ts';
import { channelSchema } from './schema.ts';
import { isValidSlug, slugify } from './slug.ts';

// Edits the config file the way a person would: the YAML Document API says
// what the new tree must be, and the text is changed only on the lines that
// hold the added or removed entry, so comments, blank lines, quoting and
// alignment everywhere else stay byte-for-byte. Every edit is checked twice:
// the spliced text must parse to exactly the tree the Document API produced,
// and the result must pass parseConfig like any hand-written file.

/** One channel to add, with the group and source it goes under (created when missing). */
export interface ChannelEntry {
  group: string;
  source: string;
  channel: string;
  url: string;
  schedule?: string;
  /** Channel slug. */
  slug?: string;
  /** Slugs used only when the group / source is created by this edit. */
  groupSlug?: string;
  sourceSlug?: string;
}

export type RemoveTarget = { url: string } | { group: string; source?: string; channel?: string };

export interface RemoveOptions {
  /** Keep a source whose last channel is removed (with `channels: []`) instead of removing it too. */
  keepEmptySource?: boolean;
}

export type EditErrorCode = 'bad-config' | 'duplicate' | 'invalid' | 'not-found';

export class EditError extends Error {
  constructor(
    readonly code: EditErrorCode,
    message: string,
    /** For `bad-config` / `invalid`: what parseConfig reported. */
    readonly problems: ConfigProblem[] = [],
  ) {
    super(message);
    this.name = 'EditError';
  }
}

export interface EditResult {
  /** The whole new file text. */
  text: string;
  /** What changed, one human line each (`added channel …`, `removed source …`). */
  changes: string[];
  /** Notes worth showing: slug collisions the edit introduced, a layout that had to be reformatted. */
  warnings: string[];
}

export interface BatchResult extends EditResult {
  added: ChannelEntry[];
  skipped: { entry: ChannelEntry; reason: string }[];
}

// ------------------------------------------------------------ raw tree helpers

interface RawChannel {
  name?: unknown;
  slug?: unknown;
  url?: unknown;
}
interface RawSource {
  name?: unknown;
  slug?: unknown;
  channels?: RawChannel[] | null;
}
interface RawGroup {
  name?: unknown;
  slug?: unknown;
  sources?: RawSource[] | null;
}

const asArray = <T>(v: T[] | null | undefined): T[] => (Array.isArray(v) ? v : []);
const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

function rawGroups(doc: Document): RawGroup[] {
  const js = doc.toJS() as { groups?: RawGroup[] } | null;
  return asArray(js?.groups);
}

/**
 * The sibling a user means by `wanted`: same name, else same slug (explicit
 * or derived) — so `--group tech` finds "Tech", and an edit never creates a
 * sibling that would only collide on its folder name.
 */
export function findNamed(list: { name?: unknown; slug?: unknown }[], wanted: string): number {
  const exact = list.findIndex((x) => str(x.name) === wanted);
  if (exact >= 0) return exact;
  const want = slugify(wanted);
  return list.findIndex((x) => {
    const s = typeof x.slug === 'string' ? x.slug : slugify(str(x.name));
    return s === wanted || s === want;
  });
}

/** URL equality as a reader sees it: exact, or the same after WHATWG normalization (case of host, default port, empty path). */
export function sameUrl(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

interface Located {
  path: (string | number)[];
  group: string;
  source: string;
  channel: string;
  url: string;
}

function allChannels(groups: RawGroup[]): Located[] {
  const out: Located[] = [];
  groups.forEach((g, gi) =>
    asArray(g.sources).forEach((s, si) =>
      asArray(s.channels).forEach((c, ci) =>
        out.push({ path: ['groups', gi, 'sources', si, 'channels', ci], group: str(g.name), source: str(s.name), channel: str(c.name), url: str(c.url) }),
      ),
    ),
  );
  return out;
}

const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

function lineOfPath(doc: Document, text: string, path: (string | number)[]): number | undefined {
  const node = doc.getIn(path, true) as Node | undefined;
  return node?.range ? lineAt(text, node.range[0]) : undefined;
}

// ------------------------------------------------------------ text layout

interface Layout {
  eol: string;
  indent: number;
  indentSeq: boolean;
}

/** The file's own indentation habits, so inserted lines look like their neighbours. */
function detectLayout(doc: Document, text: string): Layout {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  const visit = (node: unknown) => {
    if (isMap(node)) {
      for (const pair of node.items as Pair<Node, Node>[]) {
        const k = pair.key as Node | null;
        const v = pair.value;
        if (k?.range && isSeq(v) && !v.flow && v.items.length && indentSeq === undefined) {
          const first = v.items[0] as Node;
          const dash = first?.range ? dashColumn(text, first.range[0]) : -1;
          if (dash >= 0) indentSeq = dash > column(text, k.range[0]);
        }
        if (k?.range && isMap(v) && !v.flow && v.items.length && indent === undefined) {
          const fk = (v.items[0] as Pair<Node, Node>).key;
          if (fk?.range && lineAt(text, fk.range[0]) > lineAt(text, k.range[0])) indent = column(text, fk.range[0]) - column(text, k.range[0]);
        }
        visit(v);
      }
    } else if (isSeq(node)) for (const item of node.items) visit(item);
  };
  visit(doc.contents);
  return { eol, indent: indent && indent > 0 && indent <= 8 ? indent : 2, indentSeq: indentSeq ?? true };
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** Offset just past the line holding `offset - 1` (node ranges end after their newline, or mid-line before EOF). */
function lineEndAfter(text: string, end: number): number {
  if (end > 0 && text[end - 1] === '\n') return end;
  const nl = text.indexOf('\n', end);
  return nl < 0 ? text.length : nl + 1;
}

/** Column of the `- ` that introduces the block-sequence item starting at `offset`, or -1. */
function dashColumn(text: string, offset: number): number {
  const start = lineStart(text, offset);
  const m = /^( *)-\s+$/.exec(text.slice(start, offset));
  return m ? m[1].length : -1;
}

const isBlank = (line: string) => line.trim() === '';
const isComment = (line: string) => line.trimStart().startsWith('#');

/** Renders `value` as block YAML lines at `col`, in the file's style; the first line gets `firstPrefix` instead of the indent. */
function render(value: unknown, col: number, layout: Layout, firstPrefix?: string): string {
  const body = new Document(value).toString({ indent: layout.indent, indentSeq: layout.indentSeq, lineWidth: 0 });
  const pad = ' '.repeat(col);
  return body
    .replace(/\n$/, '')
    .split('\n')
    .map((l, i) => (i === 0 && firstPrefix !== undefined ? firstPrefix + l : l ? pad + l : l))
    .join(layout.eol) + layout.eol;
}

/** A flow collection re-rendered in flow style, for files that write `[ … ]` / `{ … }`. */
function renderFlow(node: Node): string {
  return new Document(node).toString({ lineWidth: 0 }).replace(/\n$/, '');
}

interface Splice {
  start: number;
  end: number;
  text: string;
}

function applySplices(text: string, splices: Splice[]): string {
  let out = text;
  for (const s of [...splices].sort((a, b) => b.start - a.start)) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

// ------------------------------------------------------------ primitive edits

/**
 * Past the comment lines right after an item that are indented deeper than
 * its dash (a commented-out key of that item): they belong to it, so a new
 * sibling goes after them and a removal takes them along.
 */
function pastOwnComments(text: string, at: number, col: number): number {
  while (at < text.length) {
    const next = lineEndAfter(text, at + 1);
    const line = text.slice(at, next).replace(/\r?\n$/, '');
    if (!isComment(line) || line.length - line.trimStart().length <= col) break;
    at = next;
  }
  return at;
}

/** Lines `[from, to)` as offsets, extended over comment lines directly above at the same column and its own comments below. */
function itemBlock(text: string, item: Node, col: number): { from: number; to: number } {
  let from = lineStart(text, item.range![0]);
  const to = pastOwnComments(text, lineEndAfter(text, item.range![1]), col);
  for (;;) {
    if (from === 0) break;
    const prevStart = lineStart(text, from - 1);
    const prev = text.slice(prevStart, from).replace(/\r?\n$/, '');
    if (isComment(prev) && prev.length - prev.trimStart().length === col) from = prevStart;
    else break;
  }
  return { from, to };
}

/** Blank lines between the item before `from` and `from`, as an offset range. */
function blankRunBefore(text: string, from: number): number {
  let at = from;
  while (at > 0) {
    const prevStart = lineStart(text, at - 1);
    if (!isBlank(text.slice(prevStart, at))) break;
    at = prevStart;
  }
  return at;
}

class Editor {
  readonly doc: Document;
  readonly layout: Layout;
  readonly splices: Splice[] = [];
  /** Set when an edit could not be expressed as a line splice; the whole file is re-rendered. */
  reformat = false;

  constructor(readonly text: string) {
    this.doc = parseDocument(text);
    this.layout = detectLayout(this.doc, text);
  }

  private node(path: (string | number)[]): unknown {
    return path.length ? this.doc.getIn(path, true) : this.doc.contents;
  }

  /** Appends `value` to the sequence at `path`, creating the key (and making `[]` a block list) as needed. */
  append(path: (string | number)[], value: Record<string, unknown>): void {
    const seq = this.node(path);
    const text = this.text;
    if (isSeq(seq) && seq.items.length && !seq.flow) {
      const items = seq.items as Node[];
      const last = items[items.length - 1];
      const col = dashColumn(text, last.range![0]);
      if (col < 0) this.reformat = true;
      else {
        const at = pastOwnComments(text, lineEndAfter(text, last.range![1]), col);
        // Keep the list's rhythm: a blank line between items if the file has one there.
        let sep = '';
        if (items.length > 1) {
          const prevEnd = lineEndAfter(text, items[items.length - 2].range![1]);
          const between = text.slice(prevEnd, lineStart(text, last.range![0]));
          if (between.split('\n').some((l, i, a) => i < a.length - 1 && isBlank(l))) sep = this.layout.eol;
        }
        const lead = at === text.length && !text.endsWith('\n') ? this.layout.eol : '';
        this.splices.push({ start: at, end: at, text: lead + sep + render([value], col, this.layout) });
      }
      (seq as YAMLSeq).items.push(this.doc.createNode(value));
      return;
    }
    if (isSeq(seq) && seq.flow && seq.items.length) {
      (seq as YAMLSeq).items.push(this.doc.createNode(value));
      if (seq.range) this.splices.push({ start: seq.range[0], end: seq.range[1], text: renderFlow(seq) });
      else this.reformat = true;
      return;
    }
    // Missing key, `key:` (null) or `key: []`: (re)write the pair as a block list.
    this.setPair(path, [value]);
  }

  /** Sets `path`'s key to `value`, replacing the pair's lines if present, else adding it after the map's last pair. */
  private setPair(path: (string | number)[], value: unknown): void {
    const key = path[path.length - 1] as string;
    const parentPath = path.slice(0, -1);
    const parent = this.node(parentPath);
    const text = this.text;
    if (parent === null || parent === undefined) {
      if (parentPath.length) throw new Error(`no node at ${formatPath(parentPath)}`);
      // Empty document (or only comments): the new key goes at the end.
      const lead = text.length && !text.endsWith('\n') ? this.layout.eol : '';
      this.splices.push({ start: text.length, end: text.length, text: lead + render({ [key]: value }, 0, this.layout) });
      this.doc.contents = this.doc.createNode({ [key]: value }) as never;
      return;
    }
    if (!isMap(parent)) throw new Error(`${formatPath(parentPath) || 'the document'} is not a mapping`);
    const map = parent as YAMLMap<unknown, unknown>;
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (map.flow || !map.range) {
      map.set(key, this.doc.createNode(value));
      if (map.range) this.splices.push({ start: map.range[0], end: map.range[1], text: renderFlow(map) });
      else this.reformat = true;
      return;
    }
    if (pair) {
      const k = pair.key as Node;
      const end = lineEndAfter(text, (pair.value as Node | null)?.range?.[1] ?? k.range![1]);
      this.splices.push({ start: k.range![0], end, text: render({ [key]: value }, column(text, k.range![0]), this.layout, '') });
    } else {
      const lastPair = map.items[map.items.length - 1];
      const first = map.items[0].key as Node;
      const at = lineEndAfter(text, (lastPair.value as Node | null)?.range?.[1] ?? (lastPair.key as Node).range![1]);
      const lead = at === text.length && !text.endsWith('\n') ? this.layout.eol : '';
      this.splices.push({ start: at, end: at, text: lead + render({ [key]: value }, column(text, first.range![0]), this.layout) });
    }
    map.set(key, this.doc.createNode(value));
  }

  /** Removes item `index` of the sequence at `path`; the last item leaves `key: []`. */
  removeItem(path: (string | number)[], index: number): void {
    const seq = this.node(path);
    if (!isSeq(seq)) throw new Error(`no list at ${formatPath(path)}`);
    const items = seq.items as Node[];
    const item = items[index];
    const text = this.text;
    if (seq.flow) {
      seq.items.splice(index, 1);
      if (seq.range) this.splices.push({ start: seq.range[0], end: seq.range[1], text: renderFlow(seq) });
      else this.reformat = true;
      return;
    }
    if (items.length === 1) {
      this.setPair(path, []);
      return;
    }
    const col = item?.range ? dashColumn(text, item.range[0]) : -1;
    if (col < 0) {
      this.reformat = true;
      seq.items.splice(index, 1);
      return;
    }
    let { from, to } = itemBlock(text, item, col);
    // Take the blank separator with the item, so the list keeps its rhythm.
    if (index > 0) from = blankRunBefore(text, from);
    else {
      while (to < text.length) {
        const next = lineEndAfter(text, to + 1);
        if (!isBlank(text.slice(to, next))) break;
        to = next;
      }
    }
    this.splices.push({ start: from, end: to, text: '' });
    seq.items.splice(index, 1);
  }

  /** The new text, checked to mean exactly what the Document API edit means. */
  finish(warnings: string[]): string {
    const expected = this.doc.toJS();
    if (!this.reformat) {
      const spliced = applySplices(this.text, this.splices);
      const check = parseDocument(spliced);
      if (!check.errors.length && isDeepStrictEqual(check.toJS(), expected)) return spliced;
    }
    warnings.push('this file layout could not be edited line by line; it was re-rendered (comments kept, spacing normalized)');
    return this.doc.toString({ indent: this.layout.indent, indentSeq: this.layout.indentSeq, lineWidth: 0 });
  }
}

// ------------------------------------------------------------ validation

function checkCurrent(text: string, file: string): string[] {
  try {
    return parseConfig(text, file).warnings;
  } catch (e) {
    if (e instanceof ConfigError) throw new EditError('bad-config', `${file} is not a valid configuration; fix it first (refeed validate)`, e.problems);
    throw e;
  }
}

/** The same rules the loader applies, per entry, so a bad value is named before anything is touched. */
export function checkEntry(entry: ChannelEntry): string | undefined {
  for (const [label, v] of [['group', entry.group], ['source', entry.source], ['channel', entry.channel]] as const) {
    if (!v || !v.trim()) return `the ${label} name must not be empty`;
  }
  const parsed = channelSchema.safeParse({ name: entry.channel, url: entry.url });
  if (!parsed.success) return `invalid URL "${entry.url}": ${parsed.error.issues[0].message}`;
  if (entry.schedule !== undefined && !validateCron(entry.schedule)) return `invalid schedule "${entry.schedule}": not a cron expression (e.g. "*/30 * * * *")`;
  for (const [label, v] of [['slug', entry.slug], ['group slug', entry.groupSlug], ['source slug', entry.sourceSlug]] as const) {
    if (v !== undefined && !isValidSlug(v)) return `invalid ${label} "${v}": lowercase letters, digits and dashes, not a reserved name`;
  }
  return undefined;
}

function checkResult(text: string, file: string, before: string[], warnings: string[]): void {
  try {
    const after = parseConfig(text, file).warnings;
    warnings.push(...after.filter((w) => !before.includes(w)));
  } catch (e) {
    if (e instanceof ConfigError) {
      throw new EditError('invalid', `the edit would make the configuration invalid: ${e.problems.map(formatProblem).join('; ')}`, e.problems);
    }
    throw e;
  }
}

// ------------------------------------------------------------ add

function channelValue(e: ChannelEntry): Record<string, unknown> {
  return { name: e.channel, ...(e.slug ? { slug: e.slug } : {}), url: e.url, ...(e.schedule ? { schedule: e.schedule } : {}) };
}

function describe(e: { group: string; source: string; channel: string }): string {
  return `${e.group} / ${e.source} / ${e.channel}`;
}

/** Why `entry` can't be added to the tree in `editor`, or undefined. */
function conflict(editor: Editor, entry: ChannelEntry): string | undefined {
  const groups = rawGroups(editor.doc);
  const dup = allChannels(groups).find((c) => sameUrl(c.url, entry.url));
  if (dup) {
    const line = lineOfPath(editor.doc, editor.text, [...dup.path, 'url']);
    return `${entry.url} is already configured as ${describe(dup)} (${formatPath(dup.path)}${line ? `, line ${line}` : ''})`;
  }
  const gi = findNamed(groups, entry.group);
  const si = gi < 0 ? -1 : findNamed(asArray(groups[gi].sources), entry.source);
  if (si >= 0) {
    const source = asArray(groups[gi].sources)[si];
    const ci = findNamed(asArray(source.channels), entry.channel);
    if (ci >= 0) return `source "${str(source.name)}" in group "${str(groups[gi].name)}" already has a channel "${str(asArray(source.channels)[ci].name)}"`;
  }
  return undefined;
}

/** Adds one entry to the editor's tree (no checks); returns the change line. */
function addTo(editor: Editor, entry: ChannelEntry): string {
  const groups = rawGroups(editor.doc);
  const gi = findNamed(groups, entry.group);
  if (gi < 0) {
    editor.append(['groups'], {
      name: entry.group,
      ...(entry.groupSlug ? { slug: entry.groupSlug } : {}),
      sources: [{ name: entry.source, ...(entry.sourceSlug ? { slug: entry.sourceSlug } : {}), channels: [channelValue(entry)] }],
    });
    return `added group ${entry.group}, source ${entry.source}, channel ${entry.channel} (${entry.url})`;
  }
  const group = groups[gi];
  const si = findNamed(asArray(group.sources), entry.source);
  if (si < 0) {
    editor.append(['groups', gi, 'sources'], {
      name: entry.source,
      ...(entry.sourceSlug ? { slug: entry.sourceSlug } : {}),
      channels: [channelValue(entry)],
    });
    return `added source ${entry.source} to group ${str(group.name)}, channel ${entry.channel} (${entry.url})`;
  }
  const source = asArray(group.sources)[si];
  editor.append(['groups', gi, 'sources', si, 'channels'], channelValue(entry));
  return `added channel ${entry.channel} to ${str(group.name)} / ${str(source.name)} (${entry.url})`;
}

/** Adds a channel (creating its group and source when missing). Throws EditError when refused; `text` is never half-edited. */
export function addChannel(text: string, file: string, entry: ChannelEntry): EditResult {
  const before = checkCurrent(text, file);
  const bad = checkEntry(entry);
  if (bad) throw new EditError('invalid', bad);
  const editor = new Editor(text);
  const why = conflict(editor, entry);
  if (why) throw new EditError('duplicate', why);
  const changes = [addTo(editor, entry)];
  const warnings: string[] = [];
  const out = editor.finish(warnings);
  checkResult(out, file, before, warnings);
  return { text: out, changes, warnings };
}

/**
 * Adds many entries (an OPML import): duplicates and invalid entries are
 * skipped with a reason, the rest land in one new text. Each add is spliced
 * on the previous result, so the file is still only touched where entries go.
 */
export function addChannels(text: string, file: string, entries: ChannelEntry[]): BatchResult {
  const before = checkCurrent(text, file);
  const added: ChannelEntry[] = [];
  const skipped: BatchResult['skipped'] = [];
  const changes: string[] = [];
  const warnings: string[] = [];
  let current = text;
  for (const entry of entries) {
    const bad = checkEntry(entry);
    if (bad) {
      skipped.push({ entry, reason: bad });
      continue;
    }
    const editor = new Editor(current);
    const why = conflict(editor, entry);
    if (why) {
      skipped.push({ entry, reason: why });
      continue;
    }
    changes.push(addTo(editor, entry));
    const notes: string[] = [];
    current = editor.finish(notes);
    for (const n of notes) if (!warnings.includes(n)) warnings.push(n);
    added.push(entry);
  }
  if (added.length) checkResult(current, file, before, warnings);
  return { text: current, changes, warnings, added, skipped };
}

// ------------------------------------------------------------ remove

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function names(list: { name?: unknown }[]): string {
  return list.map((x) => `"${str(x.name)}"`).join(', ') || '(none)';
}

/**
 * Removes a channel (by URL, or by group/source/channel), a whole source, or
 * a whole group. A source left without channels is removed with its last
 * channel unless `keepEmptySource`; a group is never removed implicitly (like
 * a reader's folder, it stays, with `sources: []`).
 */
export function removeChannels(text: string, file: string, target: RemoveTarget, opts: RemoveOptions = {}): EditResult {
  const before = checkCurrent(text, file);
  const editor = new Editor(text);
  const groups = rawGroups(editor.doc);
  let gi: number;
  let si = -1;
  let ci = -1;
  if ('url' in target) {
    const hit = allChannels(groups).find((c) => sameUrl(c.url, target.url));
    if (!hit) throw new EditError('not-found', `no channel has the URL ${target.url}`);
    [, gi, , si, , ci] = hit.path as [string, number, string, number, string, number];
  } else {
    gi = findNamed(groups, target.group);
    if (gi < 0) throw new EditError('not-found', `no group "${target.group}" (groups: ${names(groups)})`);
    const sources = asArray(groups[gi].sources);
    if (target.source !== undefined) {
      si = findNamed(sources, target.source);
      if (si < 0) throw new EditError('not-found', `no source "${target.source}" in group "${str(groups[gi].name)}" (sources: ${names(sources)})`);
      if (target.channel !== undefined) {
        const channels = asArray(sources[si].channels);
        ci = findNamed(channels, target.channel);
        if (ci < 0) throw new EditError('not-found', `no channel "${target.channel}" in ${str(groups[gi].name)} / ${str(sources[si].name)} (channels: ${names(channels)})`);
      }
    } else if (target.channel !== undefined) {
      throw new EditError('invalid', 'a channel is named by --group, --source and --channel together');
    }
  }
  const g = groups[gi];
  const changes: string[] = [];
  if (ci >= 0) {
    const s = asArray(g.sources)[si];
    const channels = asArray(s.channels);
    const c = channels[ci];
    changes.push(`removed channel ${str(c.name)} (${str(c.url)}) from ${str(g.name)} / ${str(s.name)}`);
    if (channels.length === 1 && !opts.keepEmptySource) {
      editor.removeItem(['groups', gi, 'sources'], si);
      changes.push(`removed source ${str(s.name)} from ${str(g.name)}: it had no other channel`);
    } else editor.removeItem(['groups', gi, 'sources', si, 'channels'], ci);
  } else if (si >= 0) {
    const s = asArray(g.sources)[si];
    editor.removeItem(['groups', gi, 'sources'], si);
    changes.push(`removed source ${str(s.name)} (${plural(asArray(s.channels).length, 'channel')}) from ${str(g.name)}`);
  } else {
    editor.removeItem(['groups'], gi);
    const n = asArray(g.sources).reduce((k, s) => k + asArray(s.channels).length, 0);
    changes.push(`removed group ${str(g.name)} (${plural(asArray(g.sources).length, 'source')}, ${plural(n, 'channel')})`);
  }
  const warnings: string[] = [];
  const out = editor.finish(warnings);
  checkResult(out, file, before, warnings);
  return { text: out, changes, warnings };
}
