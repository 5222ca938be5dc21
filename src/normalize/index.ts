// normalize: feed items (RawItem) → articles and their Hexo markdown files.
// No I/O (the store stage does it) and no module state: what a channel pass
// keeps between items lives in the objects made for it here.

export { createChannelNormalizer, type ChannelNormalizer, type ItemContext, type NormalizedItem } from './normalize.ts';
export { createSanitizer, type Sanitizer, type SanitizedBody } from './sanitize.ts';
export { createArticleRenderer, parseArticle, ArticleFileError, type ArticleRenderer } from './front-matter.ts';
export { readArticleFile, type ArticleStamp, type ReadArticleFile } from './front-matter.ts';
export { itemKeyOf } from './item-key.ts';
export { isFallbackImage } from './fallback-image.ts';
export { createRewriter, rewriteArticle, rewriteFingerprint, type Rewriter } from './rewrite.ts';
export { parseFeedDate } from './date.ts';
export { newestCandidates, rawSubject } from './filter.ts';
export { fileRules, fileRulesFingerprint, storedSubject } from './file-rules.ts';
export { compileRules, MAX_RULE_TEXT, type ItemRules, type RuleSubject, type Verdict } from './rules.ts';
export { typeFromUrl } from './media.ts';
