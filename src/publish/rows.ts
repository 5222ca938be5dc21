import type { ArticleRecord, Store } from '../store/index.ts';

/** The newest `want` rows of a feed key, each article once. */
export type TopRows = (key: string, want: number) => Promise<ArticleRecord[]>;

export function topRowsOf(store: Store): TopRows {
  return (key, want) => store.topArticles(key, want);
}
