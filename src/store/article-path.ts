import { createHash } from 'node:crypto';
import type { Article } from '../core/types.ts';
import type { ArticleRecord, CachedArticleContent } from './state-db.ts';

/** Row key of an article: its identity scoped to the channel that brought it. */
export function articleId(channelKey: string, identity: string): string {
  return createHash('sha1').update(channelKey).update('\n').update(identity).digest('hex');
}

/**
 * Path of an article file relative to the output folder. Named by the id hash
 * so it stays the same for the same item across runs whatever its title does,
 * and is safe on every filesystem (no case, length or character issues).
 */
export function articlePath(slugs: readonly [string, string, string], id: string): string {
  return `articles/${slugs[0]}/${slugs[1]}/${id.slice(0, 20)}.md`;
}

/** The index row of an article written at `path`. */
export function articleRecord(article: Article, id: string, firstSeen: number, path: string): ArticleRecord {
  return {
    id,
    identity: article.identity,
    channelKey: article.channelKey,
    slugs: article.slugs,
    title: article.title,
    link: article.link,
    date: article.date.getTime(),
    firstSeen,
    contentHash: article.contentHash,
    path,
  };
}

/** What the article's file holds, stamped with the file's mtime and size as written. */
export function cachedContent(article: Article, written: { mtimeMs: number; size: number }): CachedArticleContent {
  return {
    title: article.title,
    categories: [...article.categories],
    headimg: article.headimg,
    author: article.author,
    date: article.date,
    link: article.link,
    guid: article.guid,
    html: article.html,
    fileMtimeMs: written.mtimeMs,
    fileSize: written.size,
  };
}
