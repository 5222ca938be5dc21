import { isDeepStrictEqual } from 'node:util';
import { Document, isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { formatPath } from '../errors.ts';
import { type Layout, type Splice, applySplices, blankRunBefore, column, dashColumn, detectLayout, isBlank, itemBlock, lineEndAfter, lineStart, pastOwnComments, render, renderFlow } from './layout.ts';

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

