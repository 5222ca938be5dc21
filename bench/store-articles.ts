import type { Article, RefeedConfig, ResolvedChannel } from '../src/core/types.ts';
import { itemWrite, writeCommittedFiles } from './refeed.ts';
import type { Store } from '../src/store/index.ts';
import type { AtomicWriter } from '../src/util/atomic-write.ts';

/** Stores a channel's articles the way ingest does (one commit, then their files). */
export async function storeArticles(config: RefeedConfig, store: Store, channel: ResolvedChannel, articles: readonly { article: Article; text: string }[], files: AtomicWriter): Promise<void> {
  const writes = articles.map(({ article }) => itemWrite(article.itemKey, article, article.date.getTime()));
  const result = await store.commitItems(channel.key, writes, { now: Date.now(), status: 'new' });
  await writeCommittedFiles(store, config.site.output, result.files, new Map(articles.map((a) => [a.article.itemKey, a.text])), files);
}
