import type { ParsedArticleFile } from '../normalize/index.ts';
import type { CachedArticleContent } from './types.ts';

// The article content columns as every store keeps them (the same names and
// encodings in SQLite and PostgreSQL), turned back into what the file holds.

export interface ContentRow {
  id: string;
  title: string;
  link: string | null;
  date: number;
  author: string;
  headimg: string;
  guid: string | null;
  /** JSON array of the three names. */
  categories: string;
  html: string | null;
  file_mtime: number | null;
  file_size: number | null;
}

/** What an article's file holds, from its row's content columns. */
export function articleContentOf(r: Pick<ContentRow, 'title' | 'categories' | 'headimg' | 'author' | 'date' | 'link' | 'guid' | 'html'>): ParsedArticleFile {
  return {
    title: r.title,
    categories: JSON.parse(r.categories) as string[],
    headimg: r.headimg,
    author: r.author,
    date: new Date(r.date),
    ...(r.link ? { link: r.link } : {}),
    ...(r.guid ? { guid: r.guid } : {}),
    html: r.html ?? '',
  };
}

/** The cached content, when the row holds it for a file written (its stat known). */
function toCachedContent(r: ContentRow): CachedArticleContent | undefined {
  if (r.html == null || r.file_mtime == null || r.file_size == null) return undefined;
  return { ...articleContentOf(r), fileMtimeMs: r.file_mtime, fileSize: r.file_size };
}

/** The cached content of the rows that hold it, by id. */
export function cachedContentById(rows: readonly ContentRow[]): Map<string, CachedArticleContent> {
  const out = new Map<string, CachedArticleContent>();
  for (const r of rows) {
    const c = toCachedContent(r);
    if (c) out.set(r.id, c);
  }
  return out;
}
