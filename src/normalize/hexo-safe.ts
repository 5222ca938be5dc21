// Article bodies are Markdown files for Hexo: raw HTML in them is still read
// by Hexo's template engine and Markdown renderer.

const HEXO_ESCAPES: Record<string, string> = { '{': '&#123;', '}': '&#125;', '`': '&#96;' };

/**
 * Makes sanitized HTML safe inside a Hexo post: braces become entities (so
 * Nunjucks sees no tags), backticks and ~~~ too (so Hexo's code-fence filter
 * sees no fences), and no blank line is left (Markdown ends an HTML block at a
 * blank line). Inside <pre> a line break before a blank line becomes &#10;,
 * which renders the same. Safe on sanitizer output, where `<` and `>` only
 * ever delimit tags. Only needed when some text or attribute value holds one
 * of the characters involved (TagContext.hexo in html-policy.ts); most bodies
 * hold none.
 */
export function hexoSafe(html: string): string {
  const escaped = html.replace(/\r\n?/g, '\n').replace(/[{}`]|~{3,}/g, (m) => (m[0] === '~' ? '&#126;'.repeat(m.length) : HEXO_ESCAPES[m]));
  return escaped
    .replace(/(<pre\b[^>]*>[\s\S]*?<\/pre>)|\n[ \t]*(?=\n)/g, (m, pre: string | undefined) => (pre ? pre.replace(/\n(?=[ \t]*\n)/g, '&#10;') : ''))
    .trim();
}
