import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Article, RefeedConfig, ResolvedChannel } from '../../src/core/types.ts';
import { createArticleRenderer } from '../../src/normalize/index.ts';
import { articleId, articlePath, articleRecord } from '../../src/store/article-path.ts';
import { writeFileAtomic } from '../../src/util/atomic-write.ts';
import type { ArticleRecord, StateDb } from '../../src/store/state-db.ts';

// Builds fixture stores without the fetch/ingest code: article files written
// with the normalize stage's article renderer, rows with StateDb.upsertArticle,
// laid out exactly as ingest lays them out.

export interface ArticleFields {
  title: string;
  date: Date | string;
  link?: string;
  guid?: string;
  author?: string;
  html?: string;
  headimg?: string;
  /** Defaults to guid, else link, else a hash of title + date (as ingest does). */
  identity?: string;
}

// Test fixtures only: one renderer for all of them is what a long channel pass does.
const renderer = createArticleRenderer();
const renderArticle = (article: Article) => renderer.render(article);

/** A normalized article of `channel`. */
export function makeArticle(channel: ResolvedChannel, f: ArticleFields): Article {
  const date = typeof f.date === 'string' ? new Date(f.date) : f.date;
  const article: Article = {
    identity: f.identity ?? f.guid ?? f.link ?? createHash('sha1').update(`${f.title}\n${date.toISOString()}`).digest('hex'),
    channelKey: channel.key,
    categories: [channel.group.name, channel.source.name, channel.channel.name],
    slugs: [channel.group.slug, channel.source.slug, channel.channel.slug],
    title: f.title,
    link: f.link,
    guid: f.guid,
    author: f.author ?? channel.source.name,
    date,
    headimg: f.headimg ?? 'https://picsum.photos/400/300?random=1',
    html: f.html ?? `<p>${f.title.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)}</p>`,
    contentHash: '',
  };
  article.contentHash = createHash('sha1').update(renderArticle(article)).digest('hex');
  return article;
}

/** Writes the article file under the output folder and indexes it (marking its feeds dirty). */
export function storeArticle(config: RefeedConfig, state: StateDb, article: Article, firstSeen = article.date.getTime()): ArticleRecord {
  const id = articleId(article.channelKey, article.identity);
  const rel = articlePath(article.slugs, id);
  writeFileAtomic(path.join(config.site.output, rel), renderArticle(article));
  const record = articleRecord(article, id, firstSeen, rel);
  state.upsertArticle(record);
  return record;
}

/** The configured channel with this key; throws if there is none. */
export function channelOf(config: RefeedConfig, key: string): ResolvedChannel {
  const c = config.channels.find((ch) => ch.key === key);
  if (!c) throw new Error(`no channel "${key}" in config (have ${config.channels.map((ch) => ch.key).join(', ')})`);
  return c;
}
