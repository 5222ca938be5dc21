import { Document, isMap, isSeq, type Node, type Pair } from 'yaml';
import { lineAt } from './tree.ts';

// The file's text layout: where lines start, how it indents, and splicing
// new lines in so they look like their neighbours.

export interface Layout {
  eol: string;
  indent: number;
  indentSeq: boolean;
}

/** The file's own indentation habits, so inserted lines look like their neighbours. */
export function detectLayout(doc: Document, text: string): Layout {
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

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

export function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** Offset just past the line holding `offset - 1` (node ranges end after their newline, or mid-line before EOF). */
export function lineEndAfter(text: string, end: number): number {
  if (end > 0 && text[end - 1] === '\n') return end;
  const nl = text.indexOf('\n', end);
  return nl < 0 ? text.length : nl + 1;
}

/** Column of the `- ` that introduces the block-sequence item starting at `offset`, or -1. */
export function dashColumn(text: string, offset: number): number {
  const start = lineStart(text, offset);
  const m = /^( *)-\s+$/.exec(text.slice(start, offset));
  return m ? m[1].length : -1;
}

export const isBlank = (line: string) => line.trim() === '';
const isComment = (line: string) => line.trimStart().startsWith('#');

/** Renders `value` as block YAML lines at `col`, in the file's style; the first line gets `firstPrefix` instead of the indent. */
export function render(value: unknown, col: number, layout: Layout, firstPrefix?: string): string {
  const body = new Document(value).toString({ indent: layout.indent, indentSeq: layout.indentSeq, lineWidth: 0 });
  const pad = ' '.repeat(col);
  return body
    .replace(/\n$/, '')
    .split('\n')
    .map((l, i) => (i === 0 && firstPrefix !== undefined ? firstPrefix + l : l ? pad + l : l))
    .join(layout.eol) + layout.eol;
}

/** A flow collection re-rendered in flow style, for files that write `[ … ]` / `{ … }`. */
export function renderFlow(node: Node): string {
  return new Document(node).toString({ lineWidth: 0 }).replace(/\n$/, '');
}

export interface Splice {
  start: number;
  end: number;
  text: string;
}

export function applySplices(text: string, splices: Splice[]): string {
  let out = text;
  // At one offset a removal goes before an insertion, so a moved item lands where the removed lines were, not inside them.
  for (const s of [...splices].sort((a, b) => b.start - a.start || b.end - a.end)) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

// ------------------------------------------------------------ primitive edits

/**
 * Past the comment lines right after an item that are indented deeper than
 * its dash (a commented-out key of that item): they belong to it, so a new
 * sibling goes after them and a removal takes them along.
 */
export function pastOwnComments(text: string, at: number, col: number): number {
  while (at < text.length) {
    const next = lineEndAfter(text, at + 1);
    const line = text.slice(at, next).replace(/\r?\n$/, '');
    if (!isComment(line) || line.length - line.trimStart().length <= col) break;
    at = next;
  }
  return at;
}

/** Lines `[from, to)` as offsets, extended over comment lines directly above at the same column and its own comments below. */
export function itemBlock(text: string, item: Node, col: number): { from: number; to: number } {
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
export function blankRunBefore(text: string, from: number): number {
  let at = from;
  while (at > 0) {
    const prevStart = lineStart(text, at - 1);
    if (!isBlank(text.slice(prevStart, at))) break;
    at = prevStart;
  }
  return at;
}


/** `block` (whole lines) shifted right by `delta` columns, or left (dropping at most the spaces a line has). */
export function reindent(block: string, delta: number): string {
  if (!delta) return block;
  return block.replace(/^( *)(?=[^\r\n])/gm, (lead: string) => (delta > 0 ? lead + ' '.repeat(delta) : lead.slice(Math.min(-delta, lead.length))));
}
