// Plain-text tables for terminal output. Columns are padded by display width,
// so CJK names (two cells each) still line up.

const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
// biome-ignore lint/suspicious/noMisleadingCharacterClass: the class lists combining marks and zero-width code points one by one, on purpose (each takes no column).
const ZERO = /[\u0300-\u036f\u200b-\u200f\ufe00-\ufe0f]/u;

/** Terminal cells `s` occupies. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += ZERO.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
  return w;
}

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

/** Rows under a header, two spaces between columns; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  const clean = (s: string) => s.replace(/[\r\n\t]+/g, ' ');
  const all = [header, ...rows].map((r) => r.map(clean));
  const widths = header.map((_, i) => Math.max(...all.map((r) => displayWidth(r[i] ?? ''))));
  return all
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : pad(cell, widths[i]))).join('  ').trimEnd())
    .join('\n');
}

/** The first characters of `s` that fit `width` cells. */
function headCells(s: string, width: number): string {
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = displayWidth(ch);
    if (w + cw > width) break;
    out += ch;
    w += cw;
  }
  return out;
}

/**
 * `s` cut to at most `width` cells, its middle replaced by `…` when cut: both
 * ends stay, as `group / source / channel` names differ at the end.
 */
export function truncateCells(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  const room = Math.max(0, width - 1);
  const head = headCells(s, Math.ceil(room / 2));
  const tail = [...headCells([...s].reverse().join(''), room - displayWidth(head))].reverse().join('');
  return `${head.trimEnd()}…${tail.trimStart()}`;
}

/** `s` broken into lines of at most `width` cells, at spaces where it can be. */
export function wrapCells(s: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  const push = () => {
    if (line.trim()) lines.push(line.trimEnd());
    line = '';
  };
  for (const word of s.split(/(\s+)/)) {
    if (!word) continue;
    if (/^\s+$/.test(word)) {
      if (line) line += ' ';
      continue;
    }
    if (line && displayWidth(line) + displayWidth(word) > width) push();
    for (const ch of word) {
      if (displayWidth(line) + displayWidth(ch) > width) push();
      line += ch;
    }
  }
  push();
  return lines;
}

export interface FitOptions {
  /** Terminal cells per line; undefined: no limit (one line per row, as formatTable). */
  width: number | undefined;
  /** Columns that, when the rows do not fit, go on indented lines under their row, wrapped. */
  below?: number[];
  /** Columns left out, in this order, while the rest is still too wide. */
  drop?: number[];
  /** Columns cut short (ending in `…`) as the last resort. */
  shrink?: number[];
}

const BELOW_INDENT = '    ';

/**
 * A table that fits `width` cells: as formatTable when it fits; otherwise the
 * `below` columns move under their row (wrapped), then `drop` columns go,
 * then `shrink` columns are cut. Nothing is cut from the `below` text.
 */
export function fitTable(header: string[], rows: string[][], opts: FitOptions): string {
  const plain = formatTable(header, rows);
  const width = opts.width;
  if (width === undefined || plain.split('\n').every((l) => displayWidth(l) <= width)) return plain;
  const clean = (s: string) => s.replace(/[\r\n\t]+/g, ' ');
  const below = opts.below ?? [];
  let kept = header.map((_, i) => i).filter((i) => !below.includes(i));
  const widthOf = (i: number) => Math.max(...[header, ...rows].map((r) => displayWidth(clean(r[i] ?? ''))));
  const caps = new Map(kept.map((i) => [i, widthOf(i)]));
  const total = () => kept.reduce((sum, i) => sum + caps.get(i)!, 0) + 2 * (kept.length - 1);
  const MIN = 8;
  // Names are cut to a share of the line before any column is dropped, then columns go, then names are cut further.
  const shrinkTo = (floor: number) => {
    const shrinkable = (opts.shrink ?? []).filter((i) => kept.includes(i));
    while (total() > width) {
      const widest = shrinkable.filter((i) => caps.get(i)! > floor).sort((a, b) => caps.get(b)! - caps.get(a)!)[0];
      if (widest === undefined) break;
      caps.set(widest, Math.max(floor, caps.get(widest)! - (total() - width)));
    }
  };
  shrinkTo(Math.max(MIN, Math.floor(width * 0.4)));
  for (const i of opts.drop ?? []) {
    if (total() <= width) break;
    if (kept.length > 1) kept = kept.filter((k) => k !== i);
  }
  shrinkTo(MIN);
  const cut = (r: string[]) => kept.map((i) => truncateCells(clean(r[i] ?? ''), caps.get(i)!));
  const table = formatTable(cut(header), rows.map(cut)).split('\n');
  const out = [table[0]];
  rows.forEach((r, n) => {
    out.push(table[n + 1]);
    for (const i of below) {
      const text = clean(r[i] ?? '').trim();
      if (text) for (const line of wrapCells(text, Math.max(MIN, width - BELOW_INDENT.length))) out.push(BELOW_INDENT + line);
    }
  });
  return out.join('\n');
}

/**
 * The width tables are fitted to: none with `--wide`, else `COLUMNS` when set,
 * else the terminal's (80 when it does not say); none when stdout is not a
 * terminal, so scripts reading the output keep one line per row.
 */
export function tableWidth(wide: unknown, env: NodeJS.ProcessEnv = process.env, stdout: { isTTY?: boolean; columns?: number } = process.stdout): number | undefined {
  if (wide === true) return undefined;
  const columns = Number(env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return columns;
  return stdout.isTTY ? stdout.columns || 80 : undefined;
}
