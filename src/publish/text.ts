import { visibleText } from '../normalize/text.ts';

export { htmlToText, xmlSafe } from '../normalize/text.ts';

/**
 * A plain-text excerpt of at most `max` characters (code points, so CJK and
 * emoji are never cut in half), ending at a word boundary when the text has
 * spaces near the cut, with an ellipsis when something was cut.
 */
export function excerpt(html: string, max = 240): string {
  // Only the first max - 1 characters of a longer text are used: reading a
  // few past `max` is enough, however long the article.
  const text = visibleText(html, max + 8);
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  let cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  if (space > cut.length * 0.7) cut = cut.slice(0, space);
  return `${cut.trimEnd()}…`;
}
