import { createHash } from 'node:crypto';
import type { Article, RefeedConfig, ResolvedChannel } from '../../src/core/types.ts';
import { itemWrite, writeCommittedFiles } from '../../src/ingest/index.ts';
import { createArticleRenderer } from '../../src/normalize/index.ts';
import type { ArticleRecord, Store } from '../../src/store/index.ts';
import { AtomicWriter } from '../../src/util/atomic-write.ts';

// Builds fixture stores without fetching: articles rendered with the
// normalize stage's renderArticle, stored through the store's commit and
// written by the ingest stage's file writer, laid out exactly as ingest does.

export interface ArticleFields {
  title: string;
  date: Date | string;
  link?: string;
  guid?: string;
  author?: string;
  html?: string;
  headimg?: string;
  /** Defaults to guid, else link, else a hash of title + date (as ingest does). */
  itemKey?: string;
}

// Test fixtures only: one renderer for all of them is what a long channel pass does.
const renderer = createArticleRenderer();
const renderArticle = (article: Article) => renderer.render(article);

/** A normalized article of `channel`. */
export function makeArticle(channel: ResolvedChannel, f: ArticleFields): Article {
  const date = typeof f.date === 'string' ? new Date(f.date) : f.date;
  const article: Article = {
    itemKey: f.itemKey ?? f.guid ?? f.link ?? createHash('sha1').update(`${f.title}\n${date.toISOString()}`).digest('hex'),
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
    tags: [],
    enclosures: [],
    contentHash: '',
  };
  article.contentHash = createHash('sha1').update(renderArticle(article)).digest('hex');
  return article;
}

/** Stores the article as its channel's item (marking its feeds dirty) and writes its file; returns its feed row. */
export async function storeArticle(config: RefeedConfig, store: Store, article: Article, firstSeen = article.date.getTime()): Promise<ArticleRecord> {
  const url = config.channels.find((c) => c.key === article.channelKey)?.url ?? `https://${article.channelKey.replaceAll('/', '.')}.example/`;
  await store.ensureChannel(article.channelKey, url, firstSeen);
  const result = await store.commitItems(article.channelKey, [itemWrite(article.itemKey, article, firstSeen)], { now: firstSeen, status: 'new' });
  await writeCommittedFiles(store, config.site.output, result.files, new Map([[article.itemKey, renderArticle(article)]]), new AtomicWriter());
  const file = result.files[0];
  return {
    id: file.articleId,
    itemKey: article.itemKey,
    channelKey: article.channelKey,
    slugs: article.slugs,
    title: article.title,
    ...(article.link ? { link: article.link } : {}),
    date: article.date.getTime(),
    firstSeen,
    contentHash: article.contentHash,
    path: file.path,
  };
}

/** The configured channel with this key; throws if there is none. */
export function channelOf(config: RefeedConfig, key: string): ResolvedChannel {
  const c = config.channels.find((ch) => ch.key === key);
  if (!c) throw new Error(`no channel "${key}" in config (have ${config.channels.map((ch) => ch.key).join(', ')})`);
  return c;
}
