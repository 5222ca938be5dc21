import { isDeepStrictEqual } from 'node:util';
import { Document, isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { formatPath } from '../errors.ts';
import { type Layout, type Splice, applySplices, blankRunBefore, column, dashColumn, detectLayout, isBlank, itemBlock, lineEndAfter, lineStart, pastOwnComments, reindent, render, renderFlow } from './layout.ts';

// Edits the config file the way a person would: the YAML Document API says
// what the new tree must be, and the text is changed only on the lines that
// hold the added or removed entry, so comments, blank lines, quoting and
// alignment everywhere else stay byte-for-byte. Every edit is checked twice:
// the spliced text must parse to exactly the tree the Document API produced,
// and the result must pass parseConfig like any hand-written file.

export class Editor {
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
    this.appendAll(path, [value]);
  }

  /** Appends `values` to the sequence at `path`, in one splice (a batch import edits each list once). */
  appendAll(path: (string | number)[], values: Record<string, unknown>[]): void {
    if (!values.length) return;
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
        this.splices.push({ start: at, end: at, text: lead + sep + (sep ? values.map((v) => render([v], col, this.layout)).join(sep) : render(values, col, this.layout)) });
      }
      for (const v of values) (seq as YAMLSeq).items.push(this.doc.createNode(v));
      return;
    }
    if (isSeq(seq) && seq.flow && seq.items.length) {
      for (const v of values) (seq as YAMLSeq).items.push(this.doc.createNode(v));
      if (seq.range) this.splices.push({ start: seq.range[0], end: seq.range[1], text: renderFlow(seq) });
      else this.reformat = true;
      return;
    }
    // Missing key, `key:` (null) or `key: []`: (re)write the pair as a block list.
    this.setPair(path, values);
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

  /**
   * Sets `key` in the mapping at `mapPath` to `value` (a plain value or a YAML
   * node, e.g. a flow list). An existing single-line scalar is replaced in
   * place, keeping its line's comment. A new key goes after the key `after`
   * when given (a slug right under its name), else above the mapping's
   * `sources:` / `channels:` list, else after its last pair. A missing
   * top-level mapping (`site:`, `defaults:`) is created.
   */
  setKey(mapPath: (string | number)[], key: string, value: unknown, opts: { after?: string } = {}): void {
    const map = this.node(mapPath);
    if ((map === undefined || map === null) && mapPath.length === 1) {
      this.setPair(mapPath, { [key]: value });
      return;
    }
    if (!isMap(map) || map.flow || !map.range) {
      this.setPair([...mapPath, key], value);
      return;
    }
    const text = this.text;
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
    const old = pair?.value as Node | null | undefined;
    const node = this.doc.createNode(value);
    const inline = isScalar(node) || ((isSeq(node) || isMap(node)) && node.flow);
    if (pair && old?.range && (isScalar(old) || ((isSeq(old) || isMap(old)) && old.flow)) && inline && !text.slice(old.range[0], old.range[1]).includes('\n')) {
      const rendered = new Document(node).toString({ lineWidth: 0 }).replace(/\n$/, '');
      if (!rendered.includes('\n')) {
        this.splices.push({ start: old.range[0], end: old.range[1], text: rendered });
        map.set(key, node);
        return;
      }
    }
    // A new setting of a group or source goes above its `sources:` / `channels:` list, not after its last channel.
    const list = pair ? undefined : map.items.find((p) => isScalar(p.key) && (p.key.value === 'sources' || p.key.value === 'channels'));
    const listKey = list?.key as Node | undefined;
    const anchor = !pair && opts.after !== undefined ? map.items.find((p) => isScalar(p.key) && p.key.value === opts.after) : undefined;
    if (!anchor && listKey?.range && text.slice(lineStart(text, listKey.range[0]), listKey.range[0]).trim() === '') {
      const { from } = itemBlock(text, listKey, column(text, listKey.range[0]));
      this.splices.push({ start: from, end: from, text: render({ [key]: node }, column(text, listKey.range[0]), this.layout) });
      map.items.splice(map.items.indexOf(list!), 0, this.doc.createPair(key, node));
      return;
    }
    if (anchor) {
      const first = map.items[0].key as Node;
      const at = lineEndAfter(text, (anchor.value as Node | null)?.range?.[1] ?? (anchor.key as Node).range![1]);
      const lead = at === text.length && !text.endsWith('\n') ? this.layout.eol : '';
      this.splices.push({ start: at, end: at, text: lead + render({ [key]: node }, column(text, first.range![0]), this.layout) });
      map.items.splice(map.items.indexOf(anchor) + 1, 0, this.doc.createPair(key, node));
      return;
    }
    this.setPair([...mapPath, key], node);
  }

  /**
   * Removes `key` from the mapping at `mapPath`, with the comment lines
   * directly above it; a top-level mapping left empty goes too. False when
   * there was no such key.
   */
  deleteKey(mapPath: (string | number)[], key: string): boolean {
    const map = this.node(mapPath);
    if (!isMap(map)) return false;
    const index = map.items.findIndex((p) => isScalar(p.key) && p.key.value === key);
    if (index < 0) return false;
    if (map.items.length === 1 && mapPath.length === 1) return this.deleteKey([], mapPath[0] as string);
    const pair = map.items[index];
    const k = pair.key as Node;
    const text = this.text;
    if (map.flow || !k.range || map.items.length === 1) {
      map.items.splice(index, 1);
      if (map.flow && map.range) this.splices.push({ start: map.range[0], end: map.range[1], text: renderFlow(map) });
      else this.reformat = true;
      return true;
    }
    const col = column(text, k.range[0]);
    const end = pastOwnComments(text, lineEndAfter(text, (pair.value as Node | null)?.range?.[1] ?? k.range[1]), col);
    const start = lineStart(text, k.range[0]);
    if (text.slice(start, k.range[0]).trim() === '') {
      const { from } = itemBlock(text, k, col);
      this.splices.push({ start: from, end, text: '' });
    } else {
      // The key shares the line of the item's dash: the next key moves up onto it.
      const next = map.items[index + 1]?.key as Node | undefined;
      if (next?.range) this.splices.push({ start: k.range[0], end: next.range[0], text: '' });
      else this.reformat = true;
    }
    map.items.splice(index, 1);
    return true;
  }

  /**
   * Copies item `index` of the sequence at `from` to the end of the sequence
   * at `to`, its lines (and the comments above and inside it) carried over
   * as written, re-indented. A move removes the old place after (removeItem).
   */
  copyItem(from: (string | number)[], index: number, to: (string | number)[]): void {
    const src = this.node(from);
    const dst = this.node(to);
    if (!isSeq(src)) throw new Error(`no list at ${formatPath(from)}`);
    const item = src.items[index] as Node;
    const text = this.text;
    const col = !src.flow && item?.range ? dashColumn(text, item.range[0]) : -1;
    const last = isSeq(dst) && !dst.flow ? (dst.items[dst.items.length - 1] as Node | undefined) : undefined;
    const dcol = last?.range ? dashColumn(text, last.range[0]) : -1;
    const emptyKey = isSeq(dst) && dst.flow && !dst.items.length && dst.range ? this.blockKeyOf(to) : undefined;
    if (col >= 0 && emptyKey?.range) {
      // `channels: []` becomes a block list holding the item's lines.
      const keyCol = column(text, emptyKey.range[0]);
      const itemCol = keyCol + (this.layout.indentSeq ? this.layout.indent : 0);
      const block = itemBlock(text, item, col);
      let moved = reindent(text.slice(block.from, block.to), itemCol - col);
      if (!/\n$/.test(moved)) moved += this.layout.eol;
      this.splices.push({ start: emptyKey.range[1], end: lineEndAfter(text, (dst as YAMLSeq).range![1]), text: `:${this.layout.eol}${moved}` });
      const seq = this.doc.createNode([item.toJS(this.doc)]) as YAMLSeq;
      this.doc.setIn(to, seq);
      return;
    }
    if (col < 0 || dcol < 0 || !last) {
      this.appendAll(to, [item.toJS(this.doc) as Record<string, unknown>]);
      return;
    }
    const block = itemBlock(text, item, col);
    const at = pastOwnComments(text, lineEndAfter(text, last.range![1]), dcol);
    const items = (dst as YAMLSeq).items as Node[];
    let sep = '';
    if (items.length > 1) {
      const prevEnd = lineEndAfter(text, items[items.length - 2].range![1]);
      const between = text.slice(prevEnd, lineStart(text, last.range![0]));
      if (between.split('\n').some((l, i, a) => i < a.length - 1 && isBlank(l))) sep = this.layout.eol;
    }
    let moved = reindent(text.slice(block.from, block.to), dcol - col);
    if (!/\n$/.test(moved)) moved += this.layout.eol;
    const lead = at === text.length && !text.endsWith('\n') ? this.layout.eol : '';
    this.splices.push({ start: at, end: at, text: lead + sep + moved });
    (dst as YAMLSeq).items.push(this.doc.createNode(item.toJS(this.doc)));
  }

  /** The key node of the pair at `path`, when its mapping is a block one. */
  private blockKeyOf(path: (string | number)[]): Node | undefined {
    const parent = this.node(path.slice(0, -1));
    if (!isMap(parent) || parent.flow) return undefined;
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
    const key = pair?.key as Node | undefined;
    return key?.range ? key : undefined;
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

