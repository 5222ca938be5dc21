import { visibleText } from '../normalize/text.ts';

export { htmlToText, xmlSafe } from '../normalize/text.ts';

/** How much of an article's HTML (UTF-16 units) an excerpt reads at most. */
export const EXCERPT_SCAN = 256 * 1024;

/**
 * A plain-text excerpt of at most `max` characters (code points, so CJK and
 * emoji are never cut in half), ending at a word boundary when the text has
 * spaces near the cut, with an ellipsis when something was cut.
 */
export function excerpt(html: string, max = 240): string {
  // Only the first max - 1 characters of a longer text are used: reading a
  // few past `max` is enough, however long the article. And only so much
  // markup is read to find them (an article whose text starts later gets an
  // empty excerpt): excerpts are made on the daemon's main thread, which must
  // stay responsive whatever an article holds.
  const text = visibleText(html.length > EXCERPT_SCAN ? html.slice(0, EXCERPT_SCAN) : html, max + 8);
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  let cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  if (space > cut.length * 0.7) cut = cut.slice(0, space);
  return `${cut.trimEnd()}…`;
}
