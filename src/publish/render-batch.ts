import type { Transferable } from 'node:worker_threads';
import type { ArticleRecord, CachedArticleContent } from '../store/index.ts';
import { articleSource } from './article-source.ts';
import { toFeedEntry, type FeedEntry } from './items.ts';
import { encodeItem, type EncodedItem } from './render-item.ts';

// The per-article half of publishing — check the store's copy is current,
// turn it into a feed item, render it in the three formats — for a batch of
// rows, as a pure step a worker thread can run. Anything but the common case
// (an article the store holds for the file as it is) comes back unrendered,
// and the publisher handles it in-process, with its reporting and caching.

export interface RenderBatchInput {
  output: string;
  stateFile: string;
  rows: Pick<ArticleRecord, 'id' | 'path' | 'identity'>[];
}

/**
 * A rendered article's item comes back without its body and summary (`html`
 * and `summary` empty): the main thread places it by id and date and copies
 * its bytes, and copying every body across threads was a tenth of a full
 * publish. The rare item that needs rendering again (its id clashes in a
 * feed) is read whole then (see ArticleLoader.whole).
 */
export type RenderedArticle = { id: string; item: FeedEntry; rendered: EncodedItem } | { id: string; item?: undefined; rendered?: undefined };

export function renderBatch(input: RenderBatchInput, contents: Map<string, CachedArticleContent>): { result: RenderedArticle[]; transfer: Transferable[] } {
  const result: RenderedArticle[] = [];
  const transfer = new Set<ArrayBuffer>();
  for (const row of input.rows) {
    const source = articleSource(input.output, row, contents.get(row.id));
    if (source.kind !== 'cached') {
      result.push({ id: row.id });
      continue;
    }
    const item = toFeedEntry(row, source.content);
    const rendered = encodeItem(item);
    for (const b of [rendered.rss, rendered.atom, rendered.json]) transfer.add(b.buffer as ArrayBuffer);
    result.push({ id: row.id, item: { ...item, html: '', summary: '' }, rendered });
  }
  return { result, transfer: [...transfer] };
}
