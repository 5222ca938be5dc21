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
