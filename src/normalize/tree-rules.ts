// Where a browser's tree builder closes elements that htmlparser2 keeps
// open, the end tags the sanitizer writes later no longer match what is open,
// and a <div>'s end tag could close the article's <div> wrapper. Three rules
// of the HTML parser do that with allowed elements:
// - a new <li>, <dd> or <dt> closes an open one of its kind across elements
//   that are not "special" (or are address, div or p);
// - a heading closes a heading that is the current node;
// - a <table> start tag in a table (outside a cell) closes that table, and
//   with it what was moved out in front of it (foster parenting), so the
//   table no longer bounds what later end tags can reach.
// (Inside a table, a browser closes more, but `</div>` cannot reach past the
// table.) A browser ignores table parts outside a table altogether, and so
// do these checks.

const SPECIAL: ReadonlySet<string> = new Set([
  'address', 'article', 'aside', 'blockquote', 'caption', 'center', 'colgroup', 'dd', 'details', 'div', 'dl', 'dt', 'figcaption',
  'figure', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup', 'li', 'main', 'menu', 'nav', 'ol', 'p', 'pre',
  'section', 'summary', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul',
]);
const HEADINGS: ReadonlySet<string> = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const TABLE_PARTS: ReadonlySet<string> = new Set(['caption', 'colgroup', 'tbody', 'thead', 'tfoot', 'tr', 'td', 'th']);
// How far down the open elements the checks look. Deeper nesting than this is
// no article's; the answer is then yes (the tag is left out: the safe side).
const WALK_LIMIT = 256;

/**
 * Whether a browser would close some of the `open` elements at a start tag
 * `name`. `open`: the elements written and still open, outermost first;
 * `firstTable`: the index of the outermost open table among them, or -1.
 */
export function closesOpenElements(name: string, open: readonly string[], firstTable: number): boolean {
  const list = name === 'li' || name === 'dd' || name === 'dt';
  const heading = HEADINGS.has(name);
  if (!list && !heading && name !== 'table') return false;
  let div = false;
  for (let i = open.length - 1; i >= 0; i--) {
    if (open.length - i > WALK_LIMIT) return true;
    const element = open[i];
    if (TABLE_PARTS.has(element) && !(firstTable >= 0 && firstTable < i)) continue; // ignored by a browser
    if (heading) return HEADINGS.has(element); // the current node
    if (!list) {
      // A table: what matters is the nearest table, table part or cell around it.
      if (element === 'table' || TABLE_PARTS.has(element)) return element !== 'td' && element !== 'th';
      continue;
    }
    if (name === 'li' ? element === 'li' : element === 'dd' || element === 'dt') return div;
    if (element === 'div') div = true;
    else if (SPECIAL.has(element) && element !== 'address' && element !== 'p') return false;
  }
  return false;
}
