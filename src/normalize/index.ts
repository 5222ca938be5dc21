// normalize: feed items (RawItem) → articles and their Hexo markdown files.
// Pure functions only; the store stage does the I/O.

export { normalizeItem, type NormalizeContext } from './normalize.ts';
export { itemIdentity } from './identity.ts';
export { renderArticle, parseArticle, ArticleFileError, type ParsedArticleFile } from './front-matter.ts';
export { filterItems } from './filter.ts';
export { sanitizeHtml, type SanitizeOptions, type SanitizeResult } from './sanitize.ts';
export { parseFeedDate } from './date.ts';
